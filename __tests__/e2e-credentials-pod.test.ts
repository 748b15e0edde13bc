// verify-credentials: pod, end to end: a probe pod as the service account runs the aws CLI in the Kubernetes
// emulator's simulated kubelet, which injects what EKS's webhook would and makes the CLI's exchange against the AWS
// emulator. The probe is always deleted; what was not injected, and an image that cannot be pulled, are named.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import * as h from './helpers/credentials.js';

let emu: Emulators;
const run = (over: Record<string, string> = {}) => h.runProof(emu, { 'verify-credentials': 'pod', ...over });
const probes = async () =>
  (await emu.kube.list('pods', 'apps')).filter(
    (p: any) => p.metadata.labels?.['app.kubernetes.io/component'] === 'credentials-probe',
  );
const probeCreations = async () =>
  (await emu.kube.journal()).filter((j) => j.method === 'POST' && j.path === '/api/v1/namespaces/apps/pods');

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => h.freshCluster(emu));
afterEach(async () => {
  await emu.kube.setUnpullableImages([]);
  await emu.kube.setWebhookInstalled(true);
});

test.each(['pod-identity', 'irsa'] as const)('%s: the probe pod proves the role and is deleted', async (mode) => {
  const r = await run({ mode });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(h.bindingsOf(r)[0].credentials).toEqual({
    method: 'pod',
    'role-arn': h.ROLE_ARN,
    seconds: expect.any(Number),
  });
  expect((await probeCreations()).length).toBeGreaterThan(0);
  expect(await probes()).toEqual([]);
  expect(r.changes.some((c) => /pod/i.test(c.resource) && /probe/.test(c.detail))).toBe(false);
});

test('irsa without the webhook: nothing injected, the failure says so, nothing restarted', async () => {
  await emu.kube.setWebhookInstalled(false);
  await h.seedAccount(emu);
  await h.seedDeployment(emu);
  const r = await run({ mode: 'irsa', 'restart-workloads': 'true', 'wait-timeout': '100' });
  expect(r.code).not.toBe(0);
  const error = h.bindingsOf(r)[0].error;
  expect(error).toContain('nothing injected credentials into the probe pod');
  expect(error).toContain('webhook is missing');
  expect(error).toContain("node's role");
  expect(await h.restartedAt(emu, 'api')).toBeUndefined();
  expect(await probes()).toEqual([]);
});

test('a probe image that cannot be pulled is named and its pod deleted', async () => {
  const r = await run({ 'probe-image': 'registry.example.com/does-not-exist:1' });
  expect(r.code).not.toBe(0);
  expect(h.bindingsOf(r)[0].error).toMatch(/cannot start \((ErrImagePull|ImagePullBackOff).*check probe-image/);
  expect((await probeCreations()).length).toBe(1);
  expect(await probes()).toEqual([]);
});

test("a killed run's probe pod is deleted by the next run", async () => {
  await h.seedAccount(emu);
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'eks-pod-iam-probe-dead',
      namespace: 'apps',
      labels: { 'app.kubernetes.io/created-by': 'eks-pod-iam', 'app.kubernetes.io/component': 'credentials-probe' },
    },
    spec: { serviceAccountName: 'api', restartPolicy: 'Never', containers: [{ name: 'p', image: 'busybox' }] },
  });
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Deleting probe pod apps/eks-pod-iam-probe-dead, left by an earlier run');
  expect(await probes()).toEqual([]);
});
