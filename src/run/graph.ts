// Runs the plan's changes, each as soon as the changes it comes after are done, independent ones
// concurrently. The first failure stops anything not yet started; running ones are awaited.
import type { Change } from '../core/types.js';

export async function runGraph(changes: readonly Change[], runOne: (c: Change) => Promise<void>): Promise<void> {
  const ids = new Set(changes.map((c) => c.id));
  const started = new Map<string, Promise<void>>();
  let failed = false;
  const start = (c: Change): Promise<void> => {
    let p = started.get(c.id);
    if (!p) {
      // A dependency that is not in the plan (nothing to change there) is already satisfied.
      const deps = c.after.filter((id) => ids.has(id)).map((id) => start(changes.find((d) => d.id === id)!));
      p = Promise.all(deps).then(() => {
        if (failed) throw new Skipped();
        return runOne(c);
      });
      p.catch((e) => {
        if (!(e instanceof Skipped)) failed = true;
      });
      started.set(c.id, p);
    }
    return p;
  };
  const results = await Promise.allSettled(changes.map(start));
  const failure = results.find(
    (r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof Skipped),
  );
  if (failure) throw failure.reason;
}

class Skipped extends Error {}
