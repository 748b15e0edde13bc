// Runs the plan's changes, each as soon as the changes it comes after are done, independent ones concurrently
// (bounded per service: enough to overlap round trips, few enough that IAM's throttling is the SDK's rare retry,
// not the rule). A failed change skips only the changes that come after it; everything else still runs.
import pLimit from 'p-limit';
import type { Change } from '../core/types.js';

export type Outcome = { ok: true } | { ok: false; error: Error; skipped: boolean };
/**
 * What applying a change returns: nothing when it is done, or `settling` when it is in effect (the changes after it
 * may start) but done only once that settles — e.g. a trust write, watched for concurrent writers. A failure while
 * settling fails the change, not the changes already started after it.
 */
export type Applied = void | { settling: Promise<void> };

/** Changes at once per service. */
const AT_ONCE = { iam: 4, eks: 8, kubernetes: 16 } as const;

/**
 * `ready`: what a change also waits for besides its dependencies (a restart waits for the proof of credentials),
 * awaited before it takes a slot of its service, so a waiting change never holds up others. `settled`: told of
 * each change's outcome as soon as it is known.
 */
export interface GraphHooks {
  ready?: (c: Change) => Promise<void>;
  settled?: (c: Change, o: Outcome) => void;
}

export async function runGraph(
  changes: readonly Change[],
  serviceOf: (c: Change) => keyof typeof AT_ONCE,
  runOne: (c: Change) => Promise<Applied>,
  hooks: GraphHooks = {},
): Promise<Map<string, Outcome>> {
  const byId = new Map(changes.map((c) => [c.id, c]));
  const limits = Object.fromEntries(Object.entries(AT_ONCE).map(([s, n]) => [s, pLimit(n)])) as Record<
    keyof typeof AT_ONCE,
    ReturnType<typeof pLimit>
  >;
  /** Per change: in effect (what comes after it may start), and its outcome once settled. */
  const started = new Map<string, Started>();
  const start = (c: Change): Started => {
    let p = started.get(c.id);
    if (!p) {
      // A dependency that is not in the plan (nothing to change there) is already satisfied.
      const deps = c.after.filter((id) => byId.has(id)).map((id) => start(byId.get(id)!).effect);
      const effect = Promise.all(deps).then(async (done): Promise<Effect> => {
        const failed = done.find((o): o is Extract<Outcome, { ok: false }> => !o.ok);
        if (failed) return { ok: false, error: failed.error, skipped: true };
        try {
          await hooks.ready?.(c);
          // The slot is held while applying, not while settling (a watch's waits hold up no other change).
          const applied = await limits[serviceOf(c)](() => runOne(c));
          applied?.settling.catch(() => undefined); // awaited below, once in effect
          return { ok: true, settling: applied?.settling };
        } catch (e) {
          return failure(e);
        }
      });
      const outcome = effect.then(async (o): Promise<Outcome> => {
        if (!o.ok) return o;
        try {
          await o.settling;
          return { ok: true };
        } catch (e) {
          return failure(e);
        }
      });
      if (hooks.settled) void outcome.then((o) => hooks.settled!(c, o));
      p = { effect, outcome };
      started.set(c.id, p);
    }
    return p;
  };
  const outcomes = await Promise.all(changes.map(async (c) => [c.id, await start(c).outcome] as const));
  return new Map(outcomes);
}

type Started = { effect: Promise<Effect>; outcome: Promise<Outcome> };
type Effect = { ok: true; settling?: Promise<void> } | Extract<Outcome, { ok: false }>;

const failure = (e: unknown): Outcome => ({
  ok: false,
  error: e instanceof Error ? e : new Error(String(e)),
  skipped: false,
});
