// ResourceGates: verification reads of a resource wait for exactly that resource's changes.
import { ResourceGates } from '../src/run/gates.js';

const settled = async (p: Promise<unknown>) => {
  let state = 'pending';
  p.then(
    () => (state = 'open'),
    () => (state = 'failed'),
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

test('a gate opens with the last change to its resource, not before', async () => {
  const gates = new ResourceGates(['iam-role', 'iam-role-policy', 'iam-role-policy', 'service-account']);
  const role = gates.ready(['iam-role', 'iam-role-policy']);
  const sa = gates.ready(['service-account']);
  gates.done('iam-role');
  gates.done('iam-role-policy');
  expect(await settled(role)).toBe('pending');
  expect(await settled(sa)).toBe('pending');
  gates.done('service-account');
  expect(await settled(sa)).toBe('open');
  gates.done('iam-role-policy');
  expect(await settled(role)).toBe('open');
});

test('a resource without planned changes is ready at once', async () => {
  const gates = new ResourceGates(['iam-role']);
  expect(await settled(gates.ready(['iam-oidc-provider']))).toBe('open');
  expect(await settled(gates.ready([]))).toBe('open');
});

test('openAll opens held gates (the add-on after its wait)', async () => {
  const gates = new ResourceGates(['eks-addon']);
  const addon = gates.ready(['eks-addon']);
  expect(await settled(addon)).toBe('pending');
  gates.openAll();
  expect(await settled(addon)).toBe('open');
});

test('failAll stops the waiting, keeps open gates open, and leaves no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const gates = new ResourceGates(['iam-role', 'service-account', 'eks-addon']);
    gates.done('service-account');
    const role = gates.ready(['iam-role']);
    gates.failAll(new Error('CreateRole failed'));
    expect(await settled(role)).toBe('failed');
    expect(await settled(gates.ready(['service-account']))).toBe('open');
    await new Promise((r) => setTimeout(r, 10));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
