// Writes to a role's trust policy that survive concurrent runs. IAM has no conditional write: two runs
// that read the same trust and each write their merge lose one binding. So we merge into a fresh read
// right before writing (the race window is one round trip), then re-read a few times; if our binding was
// overwritten meanwhile, we merge it again into the CURRENT document (other runs' subjects and foreign
// statements stay) and write again, bounded. Throttling and 5xx are the SDK's job, not retried here.
import type { IAMClient } from '@aws-sdk/client-iam';
import { errorName } from '../aws/clients.js';
import * as iam from '../aws/iam.js';
import { RunError } from '../errors.js';
import type { Log } from '../platform/types.js';
import { TAG_PREFIX } from '../plan/ownership.js';
import { mergeTrust, type Binding } from '../plan/trust.js';
import type { Op } from '../plan/types.js';
import { delayScale } from '../time.js';

/** Stability check after a write: reads spaced ~500 ms apart (jittered) watch ~1.5 s for a concurrent overwrite. */
const STABILITY_READS = 3;
const STABILITY_SPACING_MS = 500;
/** Writes (first one included) before giving up; each rewrite follows an overwrite seen by a re-read. */
const MAX_WRITES = 6;
/** After EntityAlreadyExists, IAM may not show the role to GetRole yet (eventual consistency). */
const NOT_YET_VISIBLE_READS = 5;

const NO_ROLE_READ = { policies: false, inlinePolicyName: undefined };
const jittered = (ms: number) => new Promise((r) => setTimeout(r, ms * delayScale() * (0.5 + Math.random())));

/**
 * Creates the role. When it already exists (a concurrent run created it, or our own CreateRole succeeded
 * but its response was lost and the SDK's retry was refused), our binding is merged into that role instead:
 * never failing, never replacing its trust.
 */
export async function createRoleOrMerge(client: IAMClient, op: Extract<Op, { kind: 'create-role' }>, log: Log): Promise<void> {
  try {
    await iam.createRole(client, op);
    return; // created with our statement in one atomic write: anyone else can only merge on top of it
  } catch (e) {
    if (errorName(e) !== 'EntityAlreadyExistsException' && errorName(e) !== 'EntityAlreadyExists') throw e;
  }
  log.info(`Role ${op.name} already exists (created concurrently, or by a retried request): merging into its trust policy instead.`);
  const tags = await mergeBinding(client, op.name, op.binding, log);
  // The user's own tags, as a rerun would add them; ownership and provenance tags (TAG_PREFIX) belong to whoever created the role.
  const missing = Object.fromEntries(Object.entries(op.tags).filter(([k, v]) => !k.startsWith(TAG_PREFIX) && tags[k] !== v));
  if (Object.keys(missing).length) await iam.tagRole(client, op.name, missing);
}

/** The planned trust update, merged into the role's current trust (another run may have written since we looked). */
export async function updateTrust(client: IAMClient, op: Extract<Op, { kind: 'update-trust' }>, log: Log): Promise<void> {
  await mergeBinding(client, op.roleName, op.binding, log);
}

/**
 * Read-merge-write of the binding into the role's current trust, then watch it stay. Writes nothing when
 * the current trust already allows the binding. Returns the role's tags (from the last read).
 */
export async function mergeBinding(client: IAMClient, roleName: string, binding: Binding, log: Log): Promise<Record<string, string>> {
  let role = await readVisible(client, roleName);
  for (let writes = 0; writes < MAX_WRITES; writes++) {
    const merge = mergeTrust(role.trust, binding);
    if (!merge.changed) return role.tags; // only on the first read: already allowed, nothing written, nothing to watch
    if (writes > 0) log.info(`The trust policy of ${roleName} was overwritten by a concurrent writer: merging our statement again (write ${writes + 1}).`);
    await iam.updateTrust(client, roleName, merge.document);
    const lost = await watch(client, roleName, binding);
    if (!lost) return role.tags;
    role = lost; // the freshest read: merge into it right away, keeping what the other writer put there
  }
  throw new RunError(
    `The trust policy of role ${roleName} kept losing this service account's statement to concurrent writers (${MAX_WRITES} writes): ` +
      'other runs or tools are rewriting it at the same time; rerun when they are done.',
  );
}

/** Re-reads the trust a few times; returns the role as read when our binding is gone, else undefined. */
async function watch(client: IAMClient, roleName: string, binding: Binding) {
  for (let i = 0; i < STABILITY_READS; i++) {
    await jittered(STABILITY_SPACING_MS);
    const role = await iam.readRole(client, roleName, NO_ROLE_READ);
    if (!role) throw new RunError(`Role ${roleName} was deleted while its trust policy was being updated.`);
    if (mergeTrust(role.trust, binding).changed) return role;
  }
  return undefined;
}

async function readVisible(client: IAMClient, roleName: string) {
  for (let i = 1; ; i++) {
    const role = await iam.readRole(client, roleName, NO_ROLE_READ);
    if (role) return role;
    if (i >= NOT_YET_VISIBLE_READS)
      throw new RunError(`GetRole does not find role ${roleName} while its trust policy is being merged: it was deleted meanwhile, or these credentials may not read it.`);
    await jittered(STABILITY_SPACING_MS * i);
  }
}
