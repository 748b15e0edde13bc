// Running pods keep the identity they were created with: stale pods are named, and with restart-workloads their
// Deployments/StatefulSets/DaemonSets are rolled out like `kubectl rollout restart`. Also the verification report.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { clearJournals, kubectl, writes } from './helpers/judge.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'wl';
let emu: Emulators;

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'apps' } });
  const template = (app: string, sa: string) => ({
    metadata: { labels: { app } },
    spec: { serviceAccountName: sa, containers: [{ name: 'c', image: 'busybox' }] },
  });
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'apps' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: template('api', 'api') },
  });
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'apps' },
    spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db', 'api') },
  });
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'other', namespace: 'apps' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'other' } }, template: template('other', 'default') },
  });
  await clearJournals(emu);
});

const run = (over: Record<string, string> = {}) =>
  runInProcess(
    {
      'cluster-name': CLUSTER,
      mode: 'irsa',
      namespace: 'apps',
      'service-account': 'api',
      'role-name': 'wl-role',
      ...over,
    },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
const restartedAt = async (kind: string, name: string) =>
  (await kubectl(emu, CLUSTER, ['get', kind, name, '-n', 'apps', '-o', 'json'])).spec.template.metadata?.annotations?.[
    'kubectl.kubernetes.io/restartedAt'
  ];
const podsOf = async (sa: string) =>
  (await emu.kube.list('pods', 'apps')).filter((p: any) => p.spec.serviceAccountName === sa);

test('the seeded workloads run pods as the service account (so the scenario is real)', async () => {
  expect((await podsOf('api')).length).toBe(3);
});

test('without restart-workloads: the stale pods are named in a warning and nothing is restarted', async () => {
  const stale = (await podsOf('api')).map((p: any) => p.metadata.name).sort();
  const r = await run();
  expect(r.code).toBe(0);
  const warning = r.stdout.split('\n').find((l) => l.startsWith('::warning::') && l.includes('created before it'));
  expect(warning).toBeDefined();
  for (const name of stale) expect(warning).toContain(name);
  expect(await restartedAt('deployment', 'api')).toBeUndefined();
  expect(r.changes.some((c) => c.resource === 'workload')).toBe(false);
});

test('with restart-workloads: the identity change rolls out exactly the workloads running as the account', async () => {
  const r = await run({ 'restart-workloads': 'true' });
  expect(r.code).toBe(0);
  const restarts = r.changes.filter((c) => c.resource === 'workload');
  expect(restarts.map((c) => c.detail)).toEqual([
    'roll out deployment apps/api: the identity changed in this run',
    'roll out statefulset apps/db: the identity changed in this run',
  ]);
  expect(await restartedAt('deployment', 'api')).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(await restartedAt('statefulset', 'db')).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(await restartedAt('deployment', 'other')).toBeUndefined();
  const patches = (await emu.kube.journal()).filter((j) => j.isWrite && j.resource !== 'serviceaccounts');
  expect(patches.map((j) => `${j.method} ${j.resource}/${j.name} ${j.contentType}`).sort()).toEqual([
    'PATCH deployments/api application/strategic-merge-patch+json',
    'PATCH statefulsets/db application/strategic-merge-patch+json',
  ]);
});

test('a rerun restarts nothing: the new pods carry the identity', async () => {
  await run({ 'restart-workloads': 'true' });
  await clearJournals(emu);
  const r = await run({ 'restart-workloads': 'true' });
  expect(r.outputs.changed).toBe('false');
  expect((await writes(emu)).kube).toEqual([]);
});

test('stale pods from an earlier run without restart are restarted later when asked, saying why', async () => {
  await run();
  const r = await run({ 'restart-workloads': 'true' });
  expect(r.code).toBe(0);
  expect(r.changes.filter((c) => c.resource === 'workload').map((c) => c.detail)).toEqual([
    'roll out deployment apps/api: its pods predate the identity',
    'roll out statefulset apps/db: its pods predate the identity',
  ]);
});

test('dry run with restart-workloads plans the restarts and writes nothing', async () => {
  const r = await run({ 'restart-workloads': 'true', 'dry-run': 'true' });
  expect(r.changes.filter((c) => c.resource === 'workload')).toHaveLength(2);
  expect((await writes(emu)).kube).toEqual([]);
  expect(await restartedAt('deployment', 'api')).toBeUndefined();
});

test('the job summary has the changes, the verification checks and a Mermaid diagram of the chain', async () => {
  const r = await run({ 'policy-arns': 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' });
  expect(r.code).toBe(0);
  expect(r.summary).toMatch(/\| iam-role \| create \|/);
  expect(r.summary).toMatch(/\| role trust \| ✅ pass \|/);
  expect(r.summary).toMatch(/\| policy attached \| ✅ pass \| arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess \|/);
  expect(r.summary).toMatch(/\| service account annotation \| ✅ pass \|/);
  expect(r.summary).toContain('```mermaid\nflowchart LR');
  expect(r.summary).toMatch(/sa -- "eks.amazonaws.com\/role-arn" --> role/);
  expect(r.summary).toMatch(/role --> p0\["AmazonS3ReadOnlyAccess"\]/);
  expect(r.stdout).toMatch(/::group::Verify\n(.*\n)*✓ role trust/);
});

test('pod identity: a new association rolls the workloads out once; a rerun leaves them alone', async () => {
  const pi = (over: Record<string, string> = {}) => run({ mode: 'pod-identity', 'restart-workloads': 'true', ...over });
  const first = await pi();
  expect(first.code).toBe(0);
  expect(first.changes.filter((c) => c.resource === 'workload').map((c) => c.detail)).toEqual([
    'roll out deployment apps/api: the identity changed in this run',
    'roll out statefulset apps/db: the identity changed in this run',
  ]);
  // The replacement pods are younger than the association, so they count as having the identity.
  await clearJournals(emu);
  const again = await pi();
  expect(again.outputs.changed).toBe('false');
  expect((await writes(emu)).kube).toEqual([]);
});
