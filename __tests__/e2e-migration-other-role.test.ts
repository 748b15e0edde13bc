// migrate-from-irsa to a role other than the annotated one, end to end: the service account is annotated with role A
// (whose web-identity trust lists it and another service account); the run binds role B. B gets the Pod Identity
// trust and the association; only then do the annotation and this service account's subject in A's trust go. A stays,
// with the other subject. The program in process, judged with the AWS SDK, the Kubernetes API (helpers/judge.ts)
// and the emulators' journals (one clock for both).
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, kubectl, trustOf, writes } from './helpers/judge.js';
import { runInProcess } from './helpers/run-in-process.js';
import { seedIrsaRole, subject } from './helpers/irsa.js';

const CLUSTER = 'migo';
const OLD = 'legacy-irsa';
const OLD_ARN = `arn:aws:iam::123456789012:role/${OLD}`;
const NEW = 'app-pod-identity';
const NEW_ARN = `arn:aws:iam::123456789012:role/${NEW}`;
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const RECORD_TAG = 'eks-pod-iam:irsa-role-arn';

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
  // IRSA set up by hand: role A trusts two service accounts through the provider, and CodeBuild; a policy on it.
  ({ hostPath, providerArn } = await seedIrsaRole(emu, CLUSTER, OLD, ['api', 'worker']));
  await aws(emu, ['iam', 'attach-role-policy', '--role-name', OLD, '--policy-arn', READ_ONLY]);
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  for (const name of ['api', 'worker'])
    await emu.kube.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace: 'apps', annotations: { [ANNOTATION]: OLD_ARN, 'team.example.com/owner': 'x' } },
    });
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'apps' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: { serviceAccountName: 'api', containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
  await clearJournals(emu);
});

const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const env = () => ({ env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } });
const run = (over: Record<string, string> = {}) =>
  runInProcess(
    {
      'cluster-name': CLUSTER,
      mode: 'pod-identity',
      namespace: 'apps',
      'service-account': 'api',
      'role-name': NEW,
      'migrate-from-irsa': 'true',
      ...over,
    },
    env(),
  );

const associationOf = async (sa: string) => {
  const listed = (await aws(emu, ['eks', 'list-pod-identity-associations', '--cluster-name', CLUSTER])).associations;
  const a = listed.find((x: any) => x.serviceAccount === sa);
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
const subjectsOf = async (role: string) =>
  (await trustOf(emu, role)).Statement.filter((s: any) => s.Principal?.Federated === providerArn).flatMap((s: any) =>
    [s.Condition.StringEquals[`${hostPath}:sub`]].flat(),
  );
// B is created with its trust (CreateRole): every UpdateAssumeRolePolicy of these runs is on A.
const trustWritesOnA = async () => (await emu.aws.journal()).filter((j) => j.operation === 'UpdateAssumeRolePolicy');

test('binds the new role, then takes the subject out of the annotated role, which keeps the other', async () => {
  const r = await run({ 'restart-workloads': 'true' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.outputs['role-arn']).toBe(NEW_ARN);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role create',
    'eks-addon create',
    'pod-identity-association create',
    'service-account remove',
    'workload restart',
    'pod-identity-association untag', // listed by resource; applied after the trust write (see the journal)
    'iam-role-trust remove',
  ]);
  const detail = (resource: string, action: string) =>
    r.changes.find((c) => c.resource === resource && c.action === action)!.detail;
  expect(detail('iam-role-trust', 'remove')).toBe(
    `remove ${subject('api')} from the web-identity trust of ${OLD} (once the association is read back; ` +
      '2 statements left)',
  );
  expect(detail('service-account', 'remove')).toBe(
    `remove ${ANNOTATION}=${OLD_ARN} from apps/api (once the association is read back naming ${NEW_ARN})`,
  );

  // Order, from the journals: B created, the association made and read back; then the annotation, the rollout, and
  // last the one write on A's trust (B's trust is never written again).
  const awsJournal = await emu.aws.journal();
  const kube = await emu.kube.journal();
  const createRole = awsJournal.find((j) => j.operation === 'CreateRole' && j.status === 200)!;
  const create = awsJournal.find((j) => j.operation === 'CreatePodIdentityAssociation' && j.status === 200)!;
  const readBack = awsJournal.find((j) => j.operation === 'DescribePodIdentityAssociation' && j.start > create.end)!;
  expect(createRole.end).toBeLessThan(create.start);
  expect(readBack).toBeDefined();
  const trustWrites = awsJournal.filter((j) => j.operation === 'UpdateAssumeRolePolicy');
  expect(trustWrites).toHaveLength(1);
  expect(trustWrites[0]!.start).toBeGreaterThan(create.end);
  expect(trustWrites[0]!.start).toBeGreaterThan(readBack.end);
  const saPatch = kube.filter((j) => j.isWrite && j.resource === 'serviceaccounts');
  expect(saPatch.map((j) => `${j.method} ${j.name}`)).toEqual(['PATCH api']);
  expect(saPatch[0]!.start).toBeGreaterThan(readBack.end);
  const rollout = kube.filter((j) => j.isWrite && j.resource === 'deployments');
  expect(rollout).toHaveLength(1);
  expect(trustWrites[0]!.start).toBeGreaterThan(saPatch[0]!.end!);
  expect(trustWrites[0]!.start).toBeGreaterThan(rollout[0]!.end!);
  // The record of A leaves the association last, once the subject is out of A's trust.
  const untag = awsJournal.filter((j) => j.operation === 'UntagResource');
  expect(untag).toHaveLength(1);
  expect(untag[0]!.start).toBeGreaterThan(trustWrites[0]!.end);
  // A is never deleted, nor its policies touched.
  expect(
    awsJournal.filter((j) => /^(Delete|Detach|Put)Role/.test(j.operation) || j.operation === 'DetachRolePolicy'),
  ).toEqual([]);

  // End state: the association names B (its record of A gone: the move is done); A keeps the other subject and
  // CodeBuild, and its policy; B has the Pod Identity statement and no web-identity one; the annotation is gone, the
  // other annotation kept.
  expect(await associationOf('api')).toMatchObject({ roleArn: NEW_ARN });
  expect((await associationOf('api')).tags ?? {}).not.toHaveProperty([RECORD_TAG]);
  expect(await subjectsOf(OLD)).toEqual([subject('worker')]);
  expect((await trustOf(emu, OLD)).Statement.find((s: any) => s.Sid === 'Ci')).toBeDefined();
  expect((await trustOf(emu, OLD)).Statement).toHaveLength(2);
  expect((await aws(emu, ['iam', 'get-role', '--role-name', OLD])).Role.Arn).toBe(OLD_ARN);
  const attached = (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', OLD])).AttachedPolicies;
  expect(attached.map((p: any) => p.PolicyArn)).toEqual([READ_ONLY]);
  expect(await subjectsOf(NEW)).toEqual([]);
  expect(
    (await trustOf(emu, NEW)).Statement.find((s: any) => s.Principal?.Service === 'pods.eks.amazonaws.com'),
  ).toBeDefined();
  expect(await annotationsOf('api')).toEqual({ 'team.example.com/owner': 'x' });
  expect(await annotationsOf('worker')).toHaveProperty([ANNOTATION], OLD_ARN);

  expect(r.stdout).not.toContain('::warning::');
  expect(r.stdout).toMatch(/✓ association: a-\w+ → arn:aws:iam::123456789012:role\/app-pod-identity/);
  expect(r.stdout).toMatch(/✓ IRSA subject removed: legacy-irsa no longer trusts system:serviceaccount:apps:api/);
  expect(r.summary).toMatch(/\| IRSA subject removed \| ✅ pass \|/);
  expect(r.summary).toMatch(/\| iam-role-trust \| remove \|/);
});

test('a rerun writes nothing and no longer reads the annotated role (its record is gone)', async () => {
  expect((await run()).code).toBe(0);
  await clearJournals(emu);
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.outputs.changed).toBe('false');
  expect(r.outputs.changes).toBe('[]');
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
  expect(w.awsCalls.filter((c) => c === 'GetRole')).toHaveLength(1); // B only: A is not read any more
  expect(r.stdout).toMatch(/✓ IRSA subject removed: /);
});

test('dry run lists the subject removal from the annotated role and writes nothing', async () => {
  const r = await run({ 'dry-run': 'true' });
  expect(r.code).toBe(0);
  expect(r.changes.map((c) => `${c.resource} ${c.action} ${c.detail.split(' (')[0]}`)).toEqual([
    `iam-role create create role ${NEW} trusted by pods.eks.amazonaws.com`,
    `eks-addon create install add-on eks-pod-identity-agent in cluster ${CLUSTER}`,
    `pod-identity-association create associate apps/api with ${NEW_ARN}`,
    `service-account remove remove ${ANNOTATION}=${OLD_ARN} from apps/api`,
    `pod-identity-association untag remove ${RECORD_TAG} from the association`,
    `iam-role-trust remove remove ${subject('api')} from the web-identity trust of ${OLD}`,
  ]);
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
  expect((await subjectsOf(OLD)).sort()).toEqual([subject('api'), subject('worker')]);
});

test('a run stopped after the annotation went is completed by the next, finding A from the association', async () => {
  // Every trust write fails: B is created with its trust (CreateRole), the association made, the annotation
  // removed; A's write is the one that fails.
  await emu.aws.setFaults({ errorRate: 1, operations: ['UpdateAssumeRolePolicy'] });
  const stopped = await run();
  await emu.aws.setFaults({});
  expect(stopped.code).not.toBe(0);
  expect(await associationOf('api')).toMatchObject({ roleArn: NEW_ARN });
  expect(await annotationsOf('api')).toEqual({ 'team.example.com/owner': 'x' });
  expect((await subjectsOf(OLD)).sort()).toEqual([subject('api'), subject('worker')]);

  await clearJournals(emu);
  const next = await run();
  expect(next.stderr).toBe('');
  expect(next.code).toBe(0);
  expect(next.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'pod-identity-association untag', // listed by resource; applied after the trust write (see the journal)
    'iam-role-trust remove',
  ]);
  expect((await writes(emu)).aws).toEqual(['UpdateAssumeRolePolicy', 'UntagResource']);
  expect(await subjectsOf(OLD)).toEqual([subject('worker')]);
  await clearJournals(emu);
  expect((await run()).outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

test('an association made before the migration is tagged with A before the annotation goes', async () => {
  // Bound to B first without migrating: the annotation stays (and a warning says so).
  expect((await run({ 'migrate-from-irsa': 'false' })).code).toBe(0);
  await clearJournals(emu);
  const r = await run();
  expect(r.stdout.split('\n').filter((l) => l.startsWith('::error'))).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'pod-identity-association tag',
    'service-account remove',
    'pod-identity-association untag', // listed by resource; applied after the trust write (see the journal)
    'iam-role-trust remove',
  ]);
  const awsJournal = await emu.aws.journal();
  const tag = awsJournal.find((j) => j.operation === 'TagResource')!;
  const patch = (await emu.kube.journal()).find((j) => j.isWrite && j.resource === 'serviceaccounts')!;
  expect(tag.end).toBeLessThan(patch.start);
  expect(awsJournal.find((j) => j.operation === 'UntagResource')!.start).toBeGreaterThan(patch.end!);
  expect(await associationOf('api')).toMatchObject({ roleArn: NEW_ARN });
  expect((await associationOf('api')).tags ?? {}).not.toHaveProperty([RECORD_TAG]);
  expect(await subjectsOf(OLD)).toEqual([subject('worker')]);
});

test('in bindings: two service accounts leave A for B; one trust write on A, after both associations', async () => {
  const r = await runInProcess(
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'role-name': NEW,
      'migrate-from-irsa': 'true',
      bindings: JSON.stringify([{ 'service-account': 'api' }, { 'service-account': 'worker' }]),
    },
    env(),
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.changes.filter((c) => c.action === 'remove').map((c) => `${c.resource} ${c.binding}`)).toEqual([
    'service-account migo/apps/api',
    'service-account migo/apps/worker',
    'iam-role-trust migo/apps/api',
  ]);
  const awsJournal = await emu.aws.journal();
  const writesOnA = await trustWritesOnA();
  expect(writesOnA).toHaveLength(1);
  for (const create of awsJournal.filter((j) => j.operation === 'CreatePodIdentityAssociation'))
    expect(writesOnA[0]!.start).toBeGreaterThan(create.end);
  // The web-identity statement had no subject left: it went; CodeBuild's stays; A is not deleted.
  expect(await subjectsOf(OLD)).toEqual([]);
  expect((await trustOf(emu, OLD)).Statement.map((s: any) => s.Sid)).toEqual(['Ci']);
  expect(await associationOf('worker')).toMatchObject({ roleArn: NEW_ARN });
});

test('in bindings, A also bound: its Pod Identity trust and the removal of the subjects compose', async () => {
  // worker migrates on A (annotated role, none given); api leaves A for B. A gets the Pod Identity statement first,
  // and one removal write takes both subjects out once both associations are read back.
  const r = await runInProcess(
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'migrate-from-irsa': 'true',
      bindings: JSON.stringify([{ 'service-account': 'api', 'role-name': NEW }, { 'service-account': 'worker' }]),
    },
    env(),
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const onA = r.changes.filter((c) => c.resource === 'iam-role-trust').map((c) => `${c.action} ${c.detail}`);
  expect(onA).toEqual([
    expect.stringMatching(new RegExp(`^update .*${OLD}`)),
    `remove remove ${subject('api')}, ${subject('worker')} from the web-identity trust of ${OLD} ` +
      '(once the association is read back; 2 statements left)',
  ]);
  const writesOnA = await trustWritesOnA();
  expect(writesOnA).toHaveLength(2); // the Pod Identity statement in (before the association), the subjects out
  expect(await subjectsOf(OLD)).toEqual([]);
  const statements = (await trustOf(emu, OLD)).Statement;
  expect(statements.find((s: any) => s.Principal?.Service === 'pods.eks.amazonaws.com')).toBeDefined();
  expect(statements.find((s: any) => s.Sid === 'Ci')).toBeDefined();
  expect(await associationOf('api')).toMatchObject({ roleArn: NEW_ARN });
  expect(await associationOf('worker')).toMatchObject({ roleArn: OLD_ARN });
  await clearJournals(emu);
  const again = await runInProcess(
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'migrate-from-irsa': 'true',
      bindings: JSON.stringify([{ 'service-account': 'api', 'role-name': NEW }, { 'service-account': 'worker' }]),
    },
    env(),
  );
  expect(again.outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

test('A in another account: not read, the subject to remove is named, and the run does not fail', async () => {
  const foreign = 'arn:aws:iam::999999999999:role/legacy-irsa';
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'api', namespace: 'apps', annotations: { [ANNOTATION]: foreign } },
  });
  await clearJournals(emu);
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.changes.some((c) => c.resource === 'iam-role-trust')).toBe(false);
  expect(r.stdout).toContain(
    `::warning::Remove ${subject('api')} from the web-identity (${providerArn.replace(/\d{12}/, '999999999999')}) ` +
      `trust of ${foreign}: the service account no longer uses that role.`,
  );
  expect(r.stdout).toMatch(/– IRSA subject removed: not verifiable: arn:aws:iam::999999999999:role\/legacy-irsa/);
  expect(await annotationsOf('api')).toEqual({});
  // the same-named local role: untouched
  expect((await subjectsOf(OLD)).sort()).toEqual([subject('api'), subject('worker')]);
  expect((await writes(emu)).aws).not.toContain('UpdateAssumeRolePolicy');
});

test('A does not exist: nothing to remove, the association and the annotation are done', async () => {
  await aws(emu, ['iam', 'detach-role-policy', '--role-name', OLD, '--policy-arn', READ_ONLY]);
  await aws(emu, ['iam', 'delete-role', '--role-name', OLD]);
  await clearJournals(emu);
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role create',
    'eks-addon create',
    'pod-identity-association create',
    'service-account remove',
  ]);
  expect(r.stdout).toMatch(/✓ IRSA subject removed: arn:aws:iam::123456789012:role\/legacy-irsa does not exist/);
  expect(await annotationsOf('api')).toEqual({ 'team.example.com/owner': 'x' });
});
