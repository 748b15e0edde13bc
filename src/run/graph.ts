// Runs the plan's changes, each as soon as the changes it comes after are done, independent ones concurrently
// (bounded per service: enough to overlap round trips, few enough that IAM's throttling is the SDK's rare retry,
// not the rule). A failed change skips only the changes that come after it; everything else still runs.
import pLimit from 'p-limit';
import type { Change } from '../core/types.js';

export type Outcome = { ok: true } | { ok: false; error: Error; skipped: boolean };

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
  runOne: (c: Change) => Promise<void>,
  hooks: GraphHooks = {},
): Promise<Map<string, Outcome>> {
  const byId = new Map(changes.map((c) => [c.id, c]));
  const limits = Object.fromEntries(Object.entries(AT_ONCE).map(([s, n]) => [s, pLimit(n)])) as Record<
    keyof typeof AT_ONCE,
    ReturnType<typeof pLimit>
  >;
  const started = new Map<string, Promise<Outcome>>();
  const start = (c: Change): Promise<Outcome> => {
    let p = started.get(c.id);
    if (!p) {
      // A dependency that is not in the plan (nothing to change there) is already satisfied.
      const deps = c.after.filter((id) => byId.has(id)).map((id) => start(byId.get(id)!));
      p = Promise.all(deps).then(async (done): Promise<Outcome> => {
        const failed = done.find((o): o is Extract<Outcome, { ok: false }> => !o.ok);
        if (failed) return { ok: false, error: failed.error, skipped: true };
        try {
          await hooks.ready?.(c);
          await limits[serviceOf(c)](() => runOne(c));
          return { ok: true };
        } catch (e) {
          return { ok: false, error: e instanceof Error ? e : new Error(String(e)), skipped: false };
        }
      });
      if (hooks.settled) void p.then((o) => hooks.settled!(c, o));
      started.set(c.id, p);
    }
    return p;
  };
  const outcomes = await Promise.all(changes.map(async (c) => [c.id, await start(c)] as const));
  return new Map(outcomes);
}
