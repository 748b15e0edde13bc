// Removal (`state: absent`) and running pods: they keep the identity they were created with, so after the removal
// those still carrying it are rolled out with restart-workloads (after the removal's writes, trust included), or
// named in a warning; a service account the removal deletes is never restarted into. A rerun writes nothing.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { EMULATOR_ACCOUNT } from '../emulators/aws/index.js';
import { kubectl as kubectlCli } from './helpers/clients.js';
import { aws, clearJournals, kubectl, writes } from './helpers/judge.js';
import { type ActionRun } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'rr';
const ROLE = 'rr-role';
const ROLE_ARN = `arn:aws:iam::${EMULATOR_ACCOUNT}:role/${ROLE}`;
const EC2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
const CREDENTIALS_URI = 'AWS_CONTAINER_CREDENTIALS_FULL_URI';

let emu: Emulators;
beforeAll(async () => {
  emu = await connectEmulators();
});

const deployment = (name: string, sa: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'apps' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { serviceAccountName: sa, containers: [{ name: 'c', image: 'busybox' }] },
    },
  },
});

beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'apps' } });
  await emu.kube.seed(deployment('api', 'api'));
  await emu.kube.seed(deployment('other', 'default'));
  // A role eks-pod-iam did not create: the removal takes its statement back in a trust write (the role stays).
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    ROLE,
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [EC2] }),
  ]);
  await clearJournals(emu);
});

const run = (over: Record<string, string> = {}) =>
  runInProcess(
    { 'cluster-name': CLUSTER, mode: 'irsa', namespace: 'apps', 'service-account': 'api', 'role-name': ROLE, ...over },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
const ok = (r: ActionRun) => expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
const restartedAt = async (name: string) =>
  (await kubectl(emu, CLUSTER, ['get', 'deployment', name, '-n', 'apps', '-o', 'json'])).spec.template.metadata
    ?.annotations?.['kubectl.kubernetes.io/restartedAt'];
const envOf = (p: any): Record<string, string> =>
  Object.fromEntries((p.spec.containers[0].env ?? []).map((e: any) => [e.name, e.value]));
const podsOf = async (sa: string) =>
  (await emu.kube.list('pods', 'apps')).filter((p: any) => p.spec.serviceAccountName === sa);
const restarts = (r: ActionRun) => r.changes.filter((c) => c.resource === 'workload').map((c) => c.detail);
const warningsOf = (r: ActionRun) => r.stdout.split('\n').filter((l) => l.startsWith('::warning::'));

/** The rollout came after every write named (AWS operations, or Kubernetes `METHOD resource`). */
async function rolloutAfter(aws: string[], kube: string[]): Promise<void> {
  const kubeJournal = await emu.kube.journal();
  const rollout = kubeJournal.find((j) => j.isWrite && j.resource === 'deployments')!;
  expect(rollout).toBeDefined();
  const awsJournal = await emu.aws.journal();
  for (const op of aws) {
    const w = awsJournal.filter((j) => j.operation === op);
    expect(w.length ? op : `${op} missing`).toBe(op);
    for (const j of w) expect(j.end).toBeLessThanOrEqual(rollout.start);
  }
  for (const k of kube) {
    const w = kubeJournal.filter((j) => j.isWrite && `${j.method} ${j.resource}` === k);
    expect(w.length ? k : `${k} missing`).toBe(k);
    for (const j of w) expect(j.end!).toBeLessThanOrEqual(rollout.start);
  }
}

test('irsa: pods carrying the role roll out after the annotation and trust go; a rerun writes nothing', async () => {
  ok(await run({ 'restart-workloads': 'true' }));
  const pods = await podsOf('api');
  expect(pods.length).toBe(2);
  for (const p of pods) expect(envOf(p).AWS_ROLE_ARN).toBe(ROLE_ARN);
  const before = await restartedAt('api');
  await clearJournals(emu);

  const r = await run({ 'restart-workloads': 'true', state: 'absent' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual(
    expect.arrayContaining(['service-account remove', 'workload restart']),
  );
  expect(restarts(r)).toEqual(['roll out deployment apps/api: its pods still carry the removed identity']);
  const after = await restartedAt('api');
  expect(after).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(after).not.toBe(before);
  expect(await restartedAt('other')).toBeUndefined();
  await rolloutAfter(['UpdateAssumeRolePolicy'], ['PATCH serviceaccounts']);
  for (const p of await podsOf('api')) expect(envOf(p).AWS_ROLE_ARN).toBeUndefined();
  expect(warningsOf(r).filter((w) => w.includes('still'))).toEqual([]);
  expect(r.summary).toMatch(/\| workload \| restart \|/);

  await clearJournals(emu);
  const again = await run({ 'restart-workloads': 'true', state: 'absent' });
  ok(again);
  expect(again.outputs.changed).toBe('false');
  expect(await writes(emu)).toMatchObject({ aws: [], kube: [] });
  expect(warningsOf(again).filter((w) => w.includes('still'))).toEqual([]);
});

test('irsa without restart-workloads: a warning names the workload and its pods, nothing is restarted', async () => {
  ok(await run({ 'restart-workloads': 'true' }));
  const before = await restartedAt('api');
  const stale = (await podsOf('api')).map((p: any) => p.metadata.name);
  await clearJournals(emu);

  const r = await run({ state: 'absent' });
  ok(r);
  expect(restarts(r)).toEqual([]);
  const warning = warningsOf(r).find((w) => w.includes('still carry'));
  expect(warning).toContain('deployment apps/api');
  expect(warning).toContain(ROLE_ARN);
  for (const name of stale) expect(warning).toContain(name);
  expect(warning).toContain('restart-workloads: true');
  expect(await restartedAt('api')).toBe(before);
  expect((await writes(emu)).kube).toEqual(['PATCH /api/v1/namespaces/apps/serviceaccounts/api']);

  // Asked later, the rollout comes alone (the removal itself is done): its pods still carry the role.
  await clearJournals(emu);
  const later = await run({ state: 'absent', 'restart-workloads': 'true' });
  ok(later);
  expect(restarts(later)).toEqual(['roll out deployment apps/api: its pods still carry the removed identity']);
  expect((await writes(emu)).kube).toEqual(['PATCH /apis/apps/v1/namespaces/apps/deployments/api']);
});

test('dry run lists the rollout and writes nothing', async () => {
  ok(await run({ 'restart-workloads': 'true' }));
  const before = await restartedAt('api');
  await clearJournals(emu);
  const r = await run({ 'restart-workloads': 'true', state: 'absent', 'dry-run': 'true' });
  ok(r);
  expect(restarts(r)).toEqual(['roll out deployment apps/api: its pods still carry the removed identity']);
  expect(await writes(emu)).toMatchObject({ aws: [], kube: [] });
  expect(await restartedAt('api')).toBe(before);
});

test('pod identity: pods with the credentials variables roll out after the association and trust go', async () => {
  // The shared Kubernetes emulator's webhook has no bridge to the EKS emulator's associations: the test plays it,
  // giving pods made while the association exists the variables it would inject (and taking them away after), with
  // kubectl itself (`set env`: a change to the pod template, not a read the judge answers).
  const webhook = (on: boolean) =>
    kubectlCli(emu, CLUSTER, [
      'set',
      'env',
      'deployment/api',
      '-n',
      'apps',
      on ? `${CREDENTIALS_URI}=http://169.254.170.23/v1/credentials` : `${CREDENTIALS_URI}-`,
    ]);
  const pi = (over: Record<string, string> = {}) => run({ mode: 'pod-identity', 'restart-workloads': 'true', ...over });
  ok(await pi());
  await webhook(true);
  for (const p of await podsOf('api')) expect(CREDENTIALS_URI in envOf(p)).toBe(true);
  await clearJournals(emu);

  const r = await pi({ state: 'absent' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual(
    expect.arrayContaining(['pod-identity-association delete', 'workload restart']),
  );
  expect(restarts(r)).toEqual(['roll out deployment apps/api: its pods still carry the removed identity']);
  await rolloutAfter(['DeletePodIdentityAssociation', 'UpdateAssumeRolePolicy'], []);

  await webhook(false); // the replacement pods, made without an association, get no variables
  await clearJournals(emu);
  const again = await pi({ state: 'absent' });
  ok(again);
  expect(again.outputs.changed).toBe('false');
  expect(await writes(emu)).toMatchObject({ aws: [], kube: [] });
});

test('a service account eks-pod-iam created is deleted, and its workloads are named, not restarted', async () => {
  const worker = (over: Record<string, string> = {}) =>
    run({ 'service-account': 'worker', 'restart-workloads': 'true', ...over });
  ok(await worker());
  await emu.kube.seed(deployment('worker', 'worker'));
  const stale = await podsOf('worker');
  expect(stale.length).toBe(2);
  for (const p of stale) expect(envOf(p).AWS_ROLE_ARN).toBe(ROLE_ARN);
  await clearJournals(emu);

  const r = await worker({ state: 'absent' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toContain('service-account delete');
  expect(restarts(r)).toEqual([]);
  expect(await restartedAt('worker')).toBeUndefined();
  expect((await writes(emu)).kube).toEqual(['DELETE /api/v1/namespaces/apps/serviceaccounts/worker']);
  const warning = warningsOf(r).find((w) => w.includes('service account is gone'));
  expect(warning).toContain('deployment apps/worker');
  for (const p of stale) expect(warning).toContain(p.metadata.name);
});
