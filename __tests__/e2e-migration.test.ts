// migrate-from-irsa end to end: an IRSA service account (annotated, its subject in the role's web-identity trust,
// a Deployment running with IRSA's environment) moved to Pod Identity by the program (in process), judged with the
// AWS SDK, the Kubernetes API (helpers/judge.ts) and the emulators' journals (one monotonic clock for both: the
// order of the calls is checked, not their timing).
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, kubectl, trustOf, writes } from './helpers/judge.js';
import { runInProcess } from './helpers/run-in-process.js';
import { seedIrsaRole, subject } from './helpers/irsa.js';

const CLUSTER = 'mig';
const ROLE = 'legacy-irsa';
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const ANNOTATION = 'eks.amazonaws.com/role-arn';

let emu: Emulators;
let hostPath = '';
let providerArn = '';

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  // IRSA as it was set up by hand: the provider, a role trusting two service accounts through it, and a foreign
  // statement; both service accounts annotated, one with an annotation of its own too.
  ({ hostPath, providerArn } = await seedIrsaRole(emu, CLUSTER, ROLE, ['api', 'worker']));
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  for (const [name, extra] of [
    ['api', { 'team.example.com/owner': 'payments' }],
    ['worker', {}],
  ] as const)
    await emu.kube.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace: 'apps', annotations: { [ANNOTATION]: ROLE_ARN, ...extra } },
    });
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'apps' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: { serviceAccountName: 'api', containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
  await clearJournals(emu);
});

const run = (over: Record<string, string> = {}) =>
  runInProcess(
    {
      'cluster-name': CLUSTER,
      mode: 'pod-identity',
      namespace: 'apps',
      'service-account': 'api',
      'migrate-from-irsa': 'true',
      ...over,
    },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );

const associations = async () =>
  (await aws(emu, ['eks', 'list-pod-identity-associations', '--cluster-name', CLUSTER])).associations as {
    serviceAccount: string;
    associationId: string;
  }[];
const associationOf = async (sa: string) => {
  const a = (await associations()).find((x) => x.serviceAccount === sa);
  return a
    ? (
        await aws(emu, [
          'eks',
          'describe-pod-identity-association',
          '--cluster-name',
          CLUSTER,
          '--association-id',
          a.associationId,
        ])
      ).association
    : undefined;
};
const annotationsOf = async (sa: string) =>
  (await kubectl(emu, CLUSTER, ['get', 'serviceaccount', sa, '-n', 'apps', '-o', 'json'])).metadata.annotations ?? {};
const webIdentitySubjects = async () =>
  (await trustOf(emu, ROLE)).Statement.filter((s: any) => s.Principal?.Federated === providerArn).flatMap((s: any) =>
    [s.Condition.StringEquals[`${hostPath}:sub`]].flat(),
  );
const podIdentityStatement = async () =>
  (await trustOf(emu, ROLE)).Statement.find((s: any) => s.Principal?.Service === 'pods.eks.amazonaws.com');
const errorLine = (r: { stdout: string }) => r.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';

test('the seeded IRSA wiring is real: both subjects trusted, pods running with the IRSA environment', async () => {
  expect((await webIdentitySubjects()).sort()).toEqual([subject('api'), subject('worker')]);
  const pods = (await emu.kube.list('pods', 'apps')).filter((p: any) => p.spec.serviceAccountName === 'api');
  expect(pods).toHaveLength(2);
  for (const p of pods as any[])
    expect(p.spec.containers[0].env).toContainEqual({ name: 'AWS_ROLE_ARN', value: ROLE_ARN });
});

test('migrates with no role given: association first and read back, then annotation, rollout, subject', async () => {
  const r = await run({ 'restart-workloads': 'true' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.outputs['role-arn']).toBe(ROLE_ARN);
  expect(r.outputs['association-id']).toMatch(/^a-[a-z0-9]{17}$/);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role-trust update',
    'eks-addon create',
    'pod-identity-association create',
    'service-account remove',
    'workload restart',
    'iam-role-trust remove',
  ]);
  const detail = (resource: string, action: string) =>
    r.changes.find((c) => c.resource === resource && c.action === action)!.detail;
  expect(detail('service-account', 'remove')).toBe(
    `remove ${ANNOTATION}=${ROLE_ARN} from apps/api (once the association is read back naming ${ROLE_ARN})`,
  );
  expect(detail('iam-role-trust', 'remove')).toBe(
    `remove ${subject('api')} from the web-identity trust of ${ROLE} (once the association is read back; ` +
      '3 statements left)',
  );
  expect(JSON.parse(r.outputs.bindings!)[0]).toMatchObject({ 'role-arn': ROLE_ARN, changed: 'true', state: 'present' });

  // The order, from the journals (one clock): the association is created and read back before anything IRSA gave
  // is taken away; the rollout comes after the association exists.
  const awsJournal = await emu.aws.journal();
  const kube = await emu.kube.journal();
  const create = awsJournal.find((j) => j.operation === 'CreatePodIdentityAssociation' && j.status === 200)!;
  expect(create).toBeDefined();
  const readBack = awsJournal.find((j) => j.operation === 'DescribePodIdentityAssociation' && j.start > create.end)!;
  expect(readBack).toBeDefined();
  const trustWrites = awsJournal.filter((j) => j.operation === 'UpdateAssumeRolePolicy');
  expect(trustWrites).toHaveLength(2); // the Pod Identity statement in, then the subject out
  expect(trustWrites[0]!.end).toBeLessThan(create.start);
  expect(trustWrites[1]!.start).toBeGreaterThan(readBack.end);
  const saPatch = kube.filter((j) => j.isWrite && j.resource === 'serviceaccounts');
  expect(saPatch.map((j) => `${j.method} ${j.name} ${j.contentType}`)).toEqual([
    'PATCH api application/json-patch+json',
  ]);
  expect(saPatch[0]!.start).toBeGreaterThan(readBack.end);
  const rollout = kube.filter((j) => j.isWrite && j.resource === 'deployments');
  expect(rollout.map((j) => `${j.method} ${j.name}`)).toEqual(['PATCH api']);
  expect(rollout[0]!.start).toBeGreaterThan(create.end);
  expect(rollout[0]!.start).toBeGreaterThan(saPatch[0]!.end!);
  expect(trustWrites[1]!.start).toBeGreaterThan(rollout[0]!.end!);

  // End state: the association to the annotated role; the Pod Identity statement; this subject gone, the other
  // service account's subject and the foreign statement kept; the annotation gone, the other annotation kept.
  expect(await associationOf('api')).toMatchObject({ namespace: 'apps', serviceAccount: 'api', roleArn: ROLE_ARN });
  expect(await podIdentityStatement()).toMatchObject({ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'] });
  expect(await webIdentitySubjects()).toEqual([subject('worker')]);
  expect((await trustOf(emu, ROLE)).Statement.find((s: any) => s.Sid === 'Ci')).toBeDefined();
  expect(await annotationsOf('api')).toEqual({ 'team.example.com/owner': 'payments' });
  expect(await annotationsOf('worker')).toEqual({ [ANNOTATION]: ROLE_ARN });
  const restarted = await kubectl(emu, CLUSTER, ['get', 'deployment', 'api', '-n', 'apps', '-o', 'json']);
  expect(restarted.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);

  // Verification and the job summary say so.
  expect(r.stdout).toMatch(/✓ association: a-\w+ → arn:aws:iam::123456789012:role\/legacy-irsa/);
  expect(r.stdout).toMatch(/✓ IRSA annotation removed: apps\/api has no eks\.amazonaws\.com\/role-arn/);
  expect(r.stdout).toMatch(/✓ IRSA subject removed: legacy-irsa no longer trusts system:serviceaccount:apps:api/);
  expect(r.summary).toMatch(/\| IRSA annotation removed \| ✅ pass \|/);
  expect(r.summary).toMatch(/\| IRSA subject removed \| ✅ pass \|/);
  expect(r.summary).toMatch(/\| service-account \| remove \|/);
  expect(r.summary).toMatch(/\| iam-role-trust \| remove \|/);
});

test('a rerun of a migration writes nothing', async () => {
  expect((await run({ 'restart-workloads': 'true' })).code).toBe(0);
  await clearJournals(emu);
  const r = await run({ 'restart-workloads': 'true' });
  expect(r.code).toBe(0);
  expect(r.outputs.changed).toBe('false');
  expect(r.outputs.changes).toBe('[]');
  expect(r.outputs['role-arn']).toBe(ROLE_ARN); // taken from the association, now that the annotation is gone
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
});

test('dry run lists the migration and writes nothing', async () => {
  const r = await run({ 'dry-run': 'true' });
  expect(r.code).toBe(0);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role-trust update',
    'eks-addon create',
    'pod-identity-association create',
    'service-account remove',
    'iam-role-trust remove',
  ]);
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
  expect(await annotationsOf('api')).toHaveProperty([ANNOTATION], ROLE_ARN);
});

test('without the flag: the annotation stays, a warning says so, and a later migration completes it', async () => {
  // What a run stopped after the association leaves behind: association and Pod Identity trust, IRSA still wired.
  const first = await run({ 'migrate-from-irsa': 'false', 'role-name': ROLE });
  expect(first.code).toBe(0);
  expect(first.stdout).toContain(
    `::warning::Service account apps/api keeps its IRSA annotation ${ANNOTATION}=${ROLE_ARN}: ` +
      'Pod Identity takes precedence for new pods',
  );
  expect(await annotationsOf('api')).toHaveProperty([ANNOTATION], ROLE_ARN);
  expect((await webIdentitySubjects()).sort()).toEqual([subject('api'), subject('worker')]);
  expect(await associationOf('api')).toMatchObject({ roleArn: ROLE_ARN });

  await clearJournals(emu);
  const next = await run();
  expect(next.code).toBe(0);
  expect(next.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'service-account remove',
    'iam-role-trust remove',
  ]);
  expect((await writes(emu)).aws).toEqual(['UpdateAssumeRolePolicy']); // the association is not touched again
  expect(await annotationsOf('api')).toEqual({ 'team.example.com/owner': 'payments' });
  expect(await webIdentitySubjects()).toEqual([subject('worker')]);
});

test('a migration stopped by a failed annotation removal is completed by the next run', async () => {
  // Every write to service accounts fails: the association is made, the annotation stays.
  await emu.kube.setFaults({ errorRate: 1, verbs: ['patch'], resources: ['serviceaccounts'] });
  const stopped = await run();
  await emu.kube.setFaults(null);
  expect(stopped.code).not.toBe(0);
  expect(await associationOf('api')).toMatchObject({ roleArn: ROLE_ARN });
  expect(await annotationsOf('api')).toHaveProperty([ANNOTATION], ROLE_ARN);

  await clearJournals(emu);
  const next = await run();
  expect(next.code).toBe(0);
  expect(next.changes.some((c) => c.resource === 'pod-identity-association')).toBe(false);
  expect(await annotationsOf('api')).toEqual({ 'team.example.com/owner': 'payments' });
  expect(await webIdentitySubjects()).toEqual([subject('worker')]);
  await clearJournals(emu);
  expect((await run()).outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

test('the IRSA wiring stays when the association cannot be read back', async () => {
  // Observe lists no association (nothing to describe); the read-back after CreatePodIdentityAssociation describes
  // the new one, and that fails: the gate stays shut, nothing IRSA gave is taken away.
  await emu.aws.setFaults({ errorRate: 1, operations: ['DescribePodIdentityAssociation'] });
  const r = await run();
  await emu.aws.setFaults({});
  expect(r.code).not.toBe(0);
  const awsJournal = await emu.aws.journal();
  const create = awsJournal.findIndex((j) => j.operation === 'CreatePodIdentityAssociation' && j.status === 200);
  expect(create).toBeGreaterThan(-1);
  expect(awsJournal.slice(create).some((j) => j.operation === 'DescribePodIdentityAssociation' && j.fault)).toBe(true);
  expect(awsJournal.filter((j) => j.operation === 'UpdateAssumeRolePolicy')).toHaveLength(1); // the Pod Identity one
  expect(await annotationsOf('api')).toHaveProperty([ANNOTATION], ROLE_ARN);
  expect((await webIdentitySubjects()).sort()).toEqual([subject('api'), subject('worker')]);
  expect((await emu.kube.journal()).filter((j) => j.isWrite && j.resource === 'serviceaccounts')).toEqual([]);
});

test('a role given that differs from the annotated one is used; the annotated role gives up the subject', async () => {
  // More in e2e-migration-other-role.test.ts.
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    'new-role',
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [] }),
  ]);
  await clearJournals(emu);
  const r = await run({ 'role-name': 'new-role' });
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain('is annotated with'); // no longer a warning: the change list says it
  expect(await associationOf('api')).toMatchObject({ roleArn: 'arn:aws:iam::123456789012:role/new-role' });
  expect(await annotationsOf('api')).toEqual({ 'team.example.com/owner': 'payments' });
  expect(await webIdentitySubjects()).toEqual([subject('worker')]); // the old role keeps the other subject
  expect((await trustOf(emu, ROLE)).Statement.find((s: any) => s.Sid === 'Ci')).toBeDefined();
});

test('in bindings: two service accounts of one role migrate; one trust write takes both subjects out', async () => {
  const r = await runInProcess(
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'migrate-from-irsa': 'true',
      bindings: JSON.stringify([{ 'service-account': 'api' }, { 'service-account': 'worker' }]),
    },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.changes.filter((c) => c.action === 'remove').map((c) => `${c.resource} ${c.binding}`)).toEqual([
    'service-account mig/apps/api',
    'service-account mig/apps/worker',
    'iam-role-trust mig/apps/api',
  ]);
  expect((await emu.aws.journal()).filter((j) => j.operation === 'UpdateAssumeRolePolicy')).toHaveLength(2);
  // The IRSA statement had no subject left: it is gone; the foreign and Pod Identity statements stay.
  expect(await webIdentitySubjects()).toEqual([]);
  expect((await trustOf(emu, ROLE)).Statement).toHaveLength(2);
  expect((await trustOf(emu, ROLE)).Statement.find((s: any) => s.Sid === 'Ci')).toBeDefined();
  expect(await podIdentityStatement()).toBeDefined();
  expect(await annotationsOf('worker')).toEqual({});
  expect(JSON.parse(r.outputs.bindings!).map((b: any) => b['role-arn'])).toEqual([ROLE_ARN, ROLE_ARN]);
});

test('a managed policy, no role given: named after the annotated role; a rerun writes nothing', async () => {
  const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] };
  const r = await run({ 'managed-policy': JSON.stringify(doc) });
  expect(r.code).toBe(0);
  const attached = (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', ROLE])).AttachedPolicies;
  expect(attached.map((p: any) => p.PolicyName)).toEqual([`${ROLE}-eks-pod-iam`]);
  await clearJournals(emu);
  const again = await run({ 'managed-policy': JSON.stringify(doc) });
  expect(again.outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

test('an association owned by an add-on is not touched, and nothing IRSA gave is removed', async () => {
  await emu.aws.createOwnedAssociation({
    clusterName: CLUSTER,
    namespace: 'apps',
    serviceAccount: 'api',
    roleArn: ROLE_ARN,
    ownerArn: `arn:aws:eks:us-east-1:123456789012:addon/${CLUSTER}/aws-ebs-csi-driver/x`,
  });
  await clearJournals(emu);
  const r = await run();
  expect(r.code).not.toBe(0);
  expect(errorLine(r)).toMatch(/is owned by arn:aws:eks:.*aws-ebs-csi-driver/);
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
});

test('no role and no annotation: one failure line naming the inputs, after reading the service account', async () => {
  await emu.kube.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'plain', namespace: 'apps' } });
  await clearJournals(emu);
  const r = await run({ 'service-account': 'plain' });
  expect(r.code).not.toBe(0);
  expect(errorLine(r)).toBe(
    `::error::Input "migrate-from-irsa" takes the role from the service account's ${ANNOTATION} annotation, ` +
      'but apps/plain has none (nor a Pod Identity association): give "role-name" or "role-arn".',
  );
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
  expect((await emu.kube.journal()).some((j) => j.resource === 'serviceaccounts' && j.name === 'plain')).toBe(true);
});

test('migrate-from-irsa with mode irsa is refused before any call', async () => {
  const r = await run({ mode: 'irsa', 'role-name': ROLE });
  expect(r.code).not.toBe(0);
  expect(errorLine(r)).toMatch(/^::error::Input "migrate-from-irsa" applies to pod-identity mode only/);
  const w = await writes(emu);
  expect(w.awsCalls).toEqual([]);
  expect(await emu.kube.journal()).toEqual([]);
});
