// verify-credentials: exchange against an AWS that takes seconds to make a change effective (the emulator's
// propagation delay): refusals are waited out, restarts happen only after the first successful exchange, and the
// bindings of a manifest are proven concurrently (one propagation wait, not one per binding).
import { connectEmulators, type Emulators } from '../emulators/index.js';
import * as h from './helpers/credentials.js';

let emu: Emulators;
const DELAY_S = 2;

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await h.freshCluster(emu);
  await emu.aws.setPropagationDelay(DELAY_S);
});
afterAll(async () => emu.aws.setPropagationDelay(0));

test('a propagation delay is waited out; the workload restarted only after the first good exchange', async () => {
  await h.seedAccount(emu);
  await h.seedDeployment(emu);
  const r = await h.runProof(emu, { 'restart-workloads': 'true' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const { credentials } = h.bindingsOf(r)[0];
  expect(credentials['role-arn']).toBe(h.ROLE_ARN);
  expect(credentials.seconds).toBeGreaterThan(DELAY_S / 2);
  expect(r.stdout).toMatch(/refused \(ResourceNotFoundException\); trying again until wait-timeout/);
  const calls = await h.exchanges(emu);
  expect(calls[0]!.status).not.toBe(200); // refused while the association was not in effect yet
  const firstGood = calls.find((j) => j.status === 200)!;
  const restart = (await emu.kube.journal()).find((j) => j.method === 'PATCH' && j.path.includes('/deployments/api'));
  expect(restart).toBeDefined();
  expect(restart!.start).toBeGreaterThan(firstGood.end);
  expect(r.changes.some((c) => c.resource === 'workload' && c.action === 'restart')).toBe(true);
  expect(h.bindingsOf(r)[0].credentials.seconds).toBeLessThan(DELAY_S + 1.5);
});

test('a manifest of bindings is proven concurrently: every binding is tried before the first succeeds', async () => {
  const names = ['a', 'b', 'c', 'd'];
  const bindings = JSON.stringify(
    names.map((n) => ({ 'service-account': n, 'role-name': `proof-${n}`, mode: n === 'd' ? 'irsa' : 'pod-identity' })),
  );
  const r = await h.runProof(emu, { bindings, 'service-account': '', 'role-name': '' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = h.bindingsOf(r);
  expect(out.map((b: { credentials: { 'role-arn': string } }) => b.credentials['role-arn'])).toEqual(
    names.map((n) => `arn:aws:iam::${h.ACCOUNT}:role/proof-${n}`),
  );
  const calls = await h.exchanges(emu);
  const firstGood = calls.findIndex((j) => j.status === 200);
  const before = calls.slice(0, firstGood);
  // Three Pod Identity bindings and one IRSA binding, all refused at first, before any of them got through.
  expect(before.filter((j) => j.operation === 'AssumeRoleForPodIdentity').length).toBeGreaterThanOrEqual(3);
  expect(before.filter((j) => j.operation === 'AssumeRoleWithWebIdentity').length).toBeGreaterThanOrEqual(1);
  // One propagation wait for all: far less than one per binding.
  const longest = Math.max(...out.map((b: { credentials: { seconds: number } }) => b.credentials.seconds));
  expect(longest).toBeLessThan(DELAY_S + 1.5);
});
