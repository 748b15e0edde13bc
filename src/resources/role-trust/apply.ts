// Writes to a role's trust policy that survive concurrent runs. IAM has no conditional write: two runs
// that read the same trust and each write their merge lose one binding. So we merge into a fresh read
// right before writing (the race window is one round trip), then re-read after a short wait; if our binding was
// overwritten meanwhile, we merge it again into the CURRENT document (other runs' subjects and foreign
// statements stay) and write again, bounded. Throttling and 5xx are the SDK's job, not retried here.
//
// How long to wait: another run can only overwrite our statement if it read the trust before our write
// landed and writes after it. Its write then lands at most its read->write gap after ours: the read's answer
// travelling back, its merge, its write travelling out, i.e. about one IAM round trip plus its own processing.
// So we re-read after a few of OUR measured round trips (never less than a floor that covers a busy machine's
// processing stalls), twice, instead of a fixed ~1.5 s.
import type { IAMClient } from '@aws-sdk/client-iam';
import { errorName } from '../../aws/clients.js';
import * as iam from '../../aws/iam.js';
import { RunError } from '../../errors.js';
import type { Log } from '../../platform/types.js';
import { TAG_PREFIX } from '../../core/ownership.js';
import { mergeTrustAll, type Binding } from './trust.js';
import { hasStatements, unmergeTrustAll } from './unmerge.js';
import type { ObservedRole, Op } from '../../core/types.js';
import { delayScale } from '../../time.js';

/** Stability check after a write: re-reads, each after max(floor, factor × IAM round trip), jittered ±25%, capped. */
const STABILITY_READS = 2;
const STABILITY_RTT_FACTOR = 2;
const STABILITY_MIN_WAIT_MS = 200;
const STABILITY_MAX_WAIT_MS = 2000;
/** Spacing of the GetRole retries while a role that exists is not yet visible (multiplied by the attempt). */
const NOT_YET_VISIBLE_SPACING_MS = 500;
/** Writes (first one included) before giving up; each rewrite follows an overwrite seen by a re-read. */
const MAX_WRITES = 6;
/** After EntityAlreadyExists, IAM may not show the role to GetRole yet (eventual consistency). */
const NOT_YET_VISIBLE_READS = 5;

const NO_ROLE_READ = { policies: false, inlinePolicyName: undefined };
const jittered = (ms: number, spread = 0.5) =>
  new Promise((r) => setTimeout(r, ms * delayScale() * (1 - spread + 2 * spread * Math.random())));

/** The result of fn and how long its round trip took (ms). */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const out = await fn();
  return [out, performance.now() - started];
}

/**
 * Creates the role. When it already exists (a concurrent run created it, or our own CreateRole succeeded
 * but its response was lost and the SDK's retry was refused), our binding is merged into that role instead:
 * never failing, never replacing its trust.
 */
export async function createRoleOrMerge(
  client: IAMClient,
  op: Extract<Op, { kind: 'create-role' }>,
  log: Log,
): Promise<ObservedRole | undefined> {
  try {
    // Created with our statement in one atomic write: anyone else can only merge on top of it. IAM answers with
    // the role it stored: the read-back of this write.
    return await iam.createRole(client, op);
  } catch (e) {
    if (errorName(e) !== 'EntityAlreadyExistsException' && errorName(e) !== 'EntityAlreadyExists') throw e;
  }
  log.info(
    `Role ${op.name} already exists (created concurrently, or by a retried request): ` +
      'merging into its trust policy instead.',
  );
  const { tags } = await mergeBindings(client, op.name, op.bindings, log);
  // The user's own tags, as a rerun would add them; ownership and provenance tags (TAG_PREFIX) belong to whoever
  // created the role.
  const missing = Object.fromEntries(
    Object.entries(op.tags).filter(([k, v]) => !k.startsWith(TAG_PREFIX) && tags[k] !== v),
  );
  if (Object.keys(missing).length) await iam.tagRole(client, op.name, missing);
  return undefined; // merged: the role is read back after
}

/**
 * The planned trust update, merged into the role's current trust (another run may have written since we looked):
 * `bindings` added, `removed` taken out, in one write.
 */
export async function updateTrust(
  client: IAMClient,
  op: Extract<Op, { kind: 'update-trust' }>,
  log: Log,
): Promise<ObservedRole> {
  return mergeBindings(client, op.roleName, op.bindings, log, op.removed ?? []);
}

/** The trust with the bindings added and the removed ones taken out; `changed` when that differs from it. */
function rewrite(trust: ObservedTrust, bindings: readonly Binding[], removed: readonly Binding[]) {
  const merge = mergeTrustAll(trust, bindings);
  const unmerge = unmergeTrustAll(merge.document, removed);
  return { document: unmerge.document, changed: merge.changed || unmerge.changed };
}

type ObservedTrust = Parameters<typeof mergeTrustAll>[0];

/**
 * Read-merge-write of the bindings into the role's current trust (and of the removed ones out of it), then watch
 * that it stays so. Writes nothing when the current trust already allows them all and grants none of the removed.
 * Returns the role as last read: after the write, that read is its read-back.
 */
export async function mergeBindings(
  client: IAMClient,
  roleName: string,
  bindings: readonly Binding[],
  log: Log,
  removed: readonly Binding[] = [],
): Promise<ObservedRole> {
  let [role, readMs] = await timed(() => readVisible(client, roleName));
  for (let writes = 0; writes < MAX_WRITES; writes++) {
    const merge = rewrite(role.trust, bindings, removed);
    if (!merge.changed) return role; // only on the first read: already as wanted, nothing written or watched
    // IAM refuses a trust policy without a statement; the plan never asks for one (an owned role is deleted
    // instead), so only a concurrent writer can have brought us here.
    if (!hasStatements(merge.document))
      throw new RunError(
        `Taking this binding out of the trust policy of role ${roleName} would leave it without any statement, ` +
          'which IAM does not accept: it is left as it is.',
      );
    if (writes > 0)
      log.info(
        `The trust policy of ${roleName} was overwritten by a concurrent writer: ` +
          `merging our statement again (write ${writes + 1}).`,
      );
    const [, writeMs] = await timed(() => iam.updateTrust(client, roleName, merge.document));
    const [last, lost] = await watch(client, roleName, bindings, removed, Math.max(readMs, writeMs), log);
    if (!lost) return last;
    [role, readMs] = lost; // the freshest read: merge into it right away, keeping what the other writer put there
  }
  throw new RunError(
    `The trust policy of role ${roleName} kept losing this service account's change to concurrent writers ` +
      `(${MAX_WRITES} writes): other runs or tools are rewriting it at the same time; rerun when they are done.`,
  );
}

/**
 * Re-reads the trust (STABILITY_READS times, each after a wait derived from the IAM round trip just measured);
 * returns the last read, and the role as read (and that read's round trip) when our binding is gone (or a removed
 * one is back).
 */
async function watch(
  client: IAMClient,
  roleName: string,
  bindings: readonly Binding[],
  removed: readonly Binding[],
  roundTripMs: number,
  log: Log,
) {
  const waitMs = Math.min(STABILITY_MAX_WAIT_MS, Math.max(STABILITY_MIN_WAIT_MS, STABILITY_RTT_FACTOR * roundTripMs));
  log.info(
    `Checking that no concurrent writer overwrote the trust policy of ${roleName}: ` +
      `${STABILITY_READS} re-reads, ~${Math.round(waitMs * delayScale())} ms apart ` +
      `(IAM round trip ${Math.round(roundTripMs)} ms).`,
  );
  let last: ObservedRole | undefined;
  for (let i = 0; i < STABILITY_READS; i++) {
    await jittered(waitMs, 0.25);
    const [role, readMs] = await timed(() => iam.readRole(client, roleName, NO_ROLE_READ));
    if (!role) throw new RunError(`Role ${roleName} was deleted while its trust policy was being updated.`);
    if (rewrite(role.trust, bindings, removed).changed) return [role, [role, readMs]] as const;
    last = role;
  }
  return [last!, undefined] as const;
}

async function readVisible(client: IAMClient, roleName: string) {
  for (let i = 1; ; i++) {
    const role = await iam.readRole(client, roleName, NO_ROLE_READ);
    if (role) return role;
    if (i >= NOT_YET_VISIBLE_READS)
      throw new RunError(
        `GetRole does not find role ${roleName} while its trust policy is being merged: ` +
          'it was deleted meanwhile, or these credentials may not read it.',
      );
    await jittered(NOT_YET_VISIBLE_SPACING_MS * i);
  }
}

/**
 * Deletes a role eks-pod-iam created once its trust, without this run's removed bindings, has no statement left —
 * looked at again right before: a binding another run merged in meanwhile keeps the role. Its policies are
 * detached and deleted by the changes this one comes after.
 */
export async function deleteRole(client: IAMClient, op: Extract<Op, { kind: 'delete-role' }>, log: Log): Promise<void> {
  const role = await iam.readRole(client, op.roleName, NO_ROLE_READ);
  if (!role) return void log.info(`Role ${op.roleName} is already gone.`);
  if (hasStatements(unmergeTrustAll(role.trust, op.removed).document))
    throw new RunError(
      `Role ${op.roleName} gained a trust statement while its last binding was being removed, so it is kept ` +
        '(its policies were detached: rerun that binding to put them back).',
    );
  await iam.deleteRole(client, op.roleName);
}
