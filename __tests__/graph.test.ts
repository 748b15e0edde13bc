// The change graph: a change whose apply leaves something settling (a trust write watched for concurrent writers)
// lets the changes after it start at once, holds no slot of its service while settling, and its outcome is the
// settling's.
import type { Change } from '../src/core/types.js';
import { runGraph, type Applied } from '../src/run/graph.js';

const change = (id: string, after: string[] = []) => ({ id, after }) as unknown as Change;

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('what comes after a settling change starts once it is in effect; the outcome waits for the settling', async () => {
  const watch = deferred();
  const events: string[] = [];
  const run = runGraph(
    [change('trust'), change('association', ['trust'])],
    () => 'iam',
    async (c): Promise<Applied> => {
      events.push(`apply ${c.id}`);
      if (c.id === 'trust') return { settling: watch.promise.then(() => void events.push('trust settled')) };
      if (c.id === 'association') setImmediate(() => watch.resolve());
    },
    { settled: (c, o) => events.push(`outcome ${c.id} ${o.ok}`) },
  );
  const outcomes = await run;
  expect(events).toEqual([
    'apply trust',
    'apply association',
    'outcome association true',
    'trust settled',
    'outcome trust true',
  ]);
  expect([...outcomes.values()].every((o) => o.ok)).toBe(true);
});

test('a settling that fails fails its change, not the one already started after it', async () => {
  const outcomes = await runGraph(
    [change('trust'), change('association', ['trust'])],
    () => 'iam',
    async (c): Promise<Applied> => {
      if (c.id === 'trust') return { settling: Promise.reject(new Error('kept losing the statement')) };
    },
  );
  expect(outcomes.get('trust')).toEqual({
    ok: false,
    error: new Error('kept losing the statement'),
    skipped: false,
  });
  expect(outcomes.get('association')).toEqual({ ok: true });
});

test('a failed apply still skips what comes after it', async () => {
  const outcomes = await runGraph(
    [change('trust'), change('association', ['trust'])],
    () => 'iam',
    async (c) => {
      if (c.id === 'trust') throw new Error('AccessDenied');
    },
  );
  expect(outcomes.get('association')).toMatchObject({ ok: false, skipped: true });
});

test('settling holds no slot: after five watched trust writes one more IAM change (four slots) starts', async () => {
  const watches = Array.from({ length: 5 }, deferred);
  const applied: string[] = [];
  const changes = [...watches.keys()].map((i) => change(`trust-${i}`)).concat(change('attach'));
  const run = runGraph(
    changes,
    () => 'iam',
    async (c): Promise<Applied> => {
      applied.push(c.id);
      const i = Number(c.id.split('-')[1]);
      if (c.id === 'attach') for (const w of watches) w.resolve(); // only reached if no slot is held by a watch
      if (c.id.startsWith('trust')) return { settling: watches[i]!.promise };
    },
  );
  const outcomes = await run;
  expect(applied).toHaveLength(6);
  expect([...outcomes.values()].every((o) => o.ok)).toBe(true);
});
