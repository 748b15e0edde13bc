// Writes to a role's trust policy that survive concurrent runs. IAM has no conditional write: two runs
// that read the same trust and each write their merge lose one binding. So we merge into a fresh read
// right before writing (the race window is one round trip; observe's read serves while it is a few tens of ms old),
// then re-read after a short wait; if our binding was
// overwritten meanwhile, we merge it again into the CURRENT document (other runs' subjects and foreign
// statements stay) and write again, bounded. Throttling and 5xx are the SDK's job, not retried here.
//
// How long to wait: another run can only overwrite our statement if it read the trust before our write
// landed and writes after it. Its write then lands at most its read->write gap after ours: the read's answer
// travelling back, its merge, its write travelling out, i.e. about one IAM round trip plus its own processing.
// So we re-read after a few of OUR measured round trips (never less than a floor that covers a busy machine's
// processing stalls), twice, instead of a fixed ~1.5 s. The write is in effect once IAM answers it: what comes after
// it (the association) goes on while it is watched (`settled`).
import type { IAMClient } from '@aws-sdk/client-iam';
import { errorName } from '../../aws/clients.js';
import * as iam from '../../aws/iam.js';
import { RunError } from '../../errors.js';
import type { Log } from '../../platform/types.js';
import { TAG_PREFIX } from '../../core/ownership.js';
import { readTrust } from './read.js';
import { mergeTrustAll, type Binding } from './trust.js';
import { hasStatements, unmergeTrustAll } from './unmerge.js';
import type { ObservedRole, Op } from '../../core/types.js';
import { delayScale } from '../../time.js';

/** Stability check after a write: re-reads, each after max(floor, factor × IAM round trip), jittered ±25%, capped. */
const STABILITY_READS = 2;
const STABILITY_RTT_FACTOR = 2;
const STABILITY_MIN_WAIT_MS = 200;
const STABILITY_MAX_WAIT_MS = 2000;
/** Observe's read of a role is merged into instead of reading again while at most this old. */
const FRESH_READ_MS = STABILITY_MIN_WAIT_MS / 2;
/** Spacing of the GetRole retries while a role that exists is not yet visible (multiplied by the attempt). */
const NOT_YET_VISIBLE_SPACING_MS = 500;
/** Writes (first one included) before giving up; each rewrite follows an overwrite seen by a re-read. */
const MAX_WRITES = 6;
/** After EntityAlreadyExists, IAM may not show the role to GetRole yet (eventual consistency). */
const NOT_YET_VISIBLE_READS = 5;

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
  const { tags } = await (await mergeBindings(client, op.name, op.bindings, log)).settled;
  // The user's own tags, as a rerun would add them; ownership and provenance tags (TAG_PREFIX) belong to whoever
  // created the role.
  const missing = Object.fromEntries(
    Object.entries(op.tags).filter(([k, v]) => !k.startsWith(TAG_PREFIX) && tags[k] !== v),
  );
  if (Object.keys(missing).length) await iam.tagRole(client, op.name, missing);
  return undefined; // merged: the role is read back after
}

/**
 * A trust write in effect: the changes after it may go on; `settled` is the role as last read once no concurrent
 * writer has overwritten it (the watch below), or the failure to keep it so.
 */
export interface TrustWrite {
  settled: Promise<ObservedRole>;
}

/**
 * The planned trust update, merged into the role's current trust (another run may have written since we looked):
 * `bindings` added, `removed` taken out, in one write. `reads`: the role as already read (observe's read, the one made
 * when observe foresaw this update), the newest merged into instead of reading again while it is fresh (see
 * currentRead).
 */
export async function updateTrust(
  client: IAMClient,
  op: Extract<Op, { kind: 'update-trust' }>,
  log: Log,
  reads: readonly (ObservedRole | undefined)[] = [],
): Promise<TrustWrite> {
  const newest = reads.reduce((a, b) => ((b?.answeredAt ?? -1) > (a?.answeredAt ?? -1) ? b : a), undefined);
  return mergeBindings(client, op.roleName, op.bindings, log, op.removed ?? [], newest);
}

/** The trust with the bindings added and the removed ones taken out; `changed` when that differs from it. */
function rewrite(trust: ObservedTrust, bindings: readonly Binding[], removed: readonly Binding[]) {
  const merge = mergeTrustAll(trust, bindings);
  const unmerge = unmergeTrustAll(merge.document, removed);
  return { document: unmerge.document, changed: merge.changed || unmerge.changed };
}

type ObservedTrust = Parameters<typeof mergeTrustAll>[0];
type Rewritten = ReturnType<typeof rewrite>;

/**
 * The role as just read, and that read's round trip (0 for observe's: its clock also ran while this process was busy
 * elsewhere, so the write's own round trip sizes the watch). Observe's read is merged into while it is at most
 * FRESH_READ_MS old; the race window is then at most that longer than with a read made now, which the other writer's
 * first re-read (at least 3/4 of STABILITY_MIN_WAIT_MS after its write) still covers.
 */
async function currentRead(client: IAMClient, roleName: string, observed?: ObservedRole) {
  const age = observed?.answeredAt === undefined ? Infinity : performance.now() - observed.answeredAt;
  if (observed && age <= FRESH_READ_MS * delayScale()) return [observed, 0] as const;
  return timed(() => readVisible(client, roleName));
}

/**
 * Read-merge-write of the bindings into the role's current trust (and of the removed ones out of it); once written,
 * watched so that it stays so (`settled`). Writes nothing when the current trust already allows them all and grants
 * none of the removed.
 */
export async function mergeBindings(
  client: IAMClient,
  roleName: string,
  bindings: readonly Binding[],
  log: Log,
  removed: readonly Binding[] = [],
  observed?: ObservedRole,
): Promise<TrustWrite> {
  const [role, readMs] = await currentRead(client, roleName, observed);
  const first = rewrite(role.trust, bindings, removed);
  if (!first.changed) return { settled: Promise.resolve(role) }; // already as wanted: nothing written or watched
  const writeMs = await write(client, roleName, first.document);
  const settled = keep(client, roleName, { bindings, removed }, Math.max(readMs, writeMs), log);
  settled.catch(() => undefined); // awaited by whoever applies the change; a rejection before that is not unhandled
  return { settled };
}

/** Writes the document (IAM refuses one without a statement: only a concurrent writer can have brought us there). */
async function write(client: IAMClient, roleName: string, document: Rewritten['document']): Promise<number> {
  if (!hasStatements(document))
    throw new RunError(
      `Taking this binding out of the trust policy of role ${roleName} would leave it without any statement, ` +
        'which IAM does not accept: it is left as it is.',
    );
  const [, ms] = await timed(() => iam.updateTrust(client, roleName, document));
  return ms;
}

/**
 * Watches the written trust; when a concurrent writer overwrote it, merges again into the CURRENT document (other
 * runs' subjects and foreign statements stay) and writes again, bounded. Returns the role as last read.
 */
async function keep(
  client: IAMClient,
  roleName: string,
  change: { bindings: readonly Binding[]; removed: readonly Binding[] },
  roundTripMs: number,
  log: Log,
): Promise<ObservedRole> {
  for (let writes = 1; ; writes++) {
    const [last, lost] = await watch(client, roleName, change.bindings, change.removed, roundTripMs, log);
    if (!lost) return last;
    if (writes >= MAX_WRITES)
      throw new RunError(
        `The trust policy of role ${roleName} kept losing this service account's change to concurrent writers ` +
          `(${MAX_WRITES} writes): other runs or tools are rewriting it at the same time; rerun when they are done.`,
      );
    const [role, readMs] = lost; // the freshest read: merge into it right away, keeping what the other writer put there
    const merge = rewrite(role.trust, change.bindings, change.removed);
    log.info(
      `The trust policy of ${roleName} was overwritten by a concurrent writer: ` +
        `merging our statement again (write ${writes + 1}).`,
    );
    roundTripMs = Math.max(readMs, await write(client, roleName, merge.document));
  }
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
    const [role, readMs] = await timed(() => readTrust(client, roleName));
    if (!role) throw new RunError(`Role ${roleName} was deleted while its trust policy was being updated.`);
    if (rewrite(role.trust, bindings, removed).changed) return [role, [role, readMs]] as const;
    last = role;
  }
  return [last!, undefined] as const;
}

async function readVisible(client: IAMClient, roleName: string) {
  for (let i = 1; ; i++) {
    const role = await readTrust(client, roleName);
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
  const role = await readTrust(client, op.roleName);
  if (!role) return void log.info(`Role ${op.roleName} is already gone.`);
  if (hasStatements(unmergeTrustAll(role.trust, op.removed).document))
    throw new RunError(
      `Role ${op.roleName} gained a trust statement while its last binding was being removed, so it is kept ` +
        '(its policies were detached: rerun that binding to put them back).',
    );
  await iam.deleteRole(client, op.roleName);
}
