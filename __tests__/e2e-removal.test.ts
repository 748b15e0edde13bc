// Removal (`state: absent`, issue 12) end to end: the program in process (helpers/run-in-process.ts), against moto
// (+ EKS extensions) and the local Kubernetes API server; end states judged with the AWS SDK and the Kubernetes API
// (helpers/judge.ts), writes counted in both emulators' journals. What the binding made goes; what it did not make
// stays.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { EMULATOR_ACCOUNT } from '../emulators/aws/index.js';
import { aws, clearJournals, kubectl, trustOf, writes } from './helpers/judge.js';
import { type ActionRun } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'demo';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const EC2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
const arnOf = (role: string) => `arn:aws:iam::${EMULATOR_ACCOUNT}:role/${role}`;
const subject = (ns: string, sa: string) => `system:serviceaccount:${ns}:${sa}`;

let emu: Emulators;
let hostPath = '';
beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  hostPath = (await aws(emu, ['eks', 'describe-cluster', '--name', CLUSTER])).cluster.identity.oidc.issuer.replace(
    'https://',
    '',
  );
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await clearJournals(emu);
});

const run = (inputs: Record<string, string>) =>
  runInProcess(
    { 'cluster-name': CLUSTER, namespace: 'apps', 'service-account': 'api', ...inputs },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
const ok = (r: ActionRun) => expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
/** A removal that verified on its first read-back (no wait for IAM to settle). */
const removed = (r: ActionRun) => {
  ok(r);
  expect(r.stdout).not.toContain('Not settled yet');
};
const changeList = (r: ActionRun) => r.changes.map((c) => `${c.resource} ${c.action}`);
const roleExists = async (role: string) =>
  (await aws(emu, ['iam', 'list-roles'])).Roles.some((x: any) => x.RoleName === role);
const attached = async (role: string) =>
  (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', role])).AttachedPolicies.map(
    (p: any) => p.PolicyArn,
  ).sort();
const associations = async (ns = 'apps', sa?: string) =>
  (
    await aws(emu, [
      'eks',
      'list-pod-identity-associations',
      '--cluster-name',
      CLUSTER,
      '--namespace',
      ns,
      ...(sa ? ['--service-account', sa] : []),
    ])
  ).associations;
const serviceAccount = async (name: string, ns = 'apps') =>
  (await kubectl(emu, CLUSTER, ['get', 'sa', '-n', ns, '-o', 'json'])).items.find((s: any) => s.metadata.name === name);
const createForeignRole = async (name: string, statements: unknown[] = [EC2]) =>
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    name,
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: statements }),
  ]);
/** A customer-managed policy, tagged as eks-pod-iam's when `ours`, with a second (default) version. */
async function createPolicy(name: string, ours: boolean): Promise<string> {
  const doc = (action: string) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  const tags = ours ? ['--tags', 'Key=eks-pod-iam:managed,Value=true'] : [];
  const arn = (
    await aws(emu, ['iam', 'create-policy', '--policy-name', name, '--policy-document', doc('s3:Get*'), ...tags])
  ).Policy.Arn as string;
  await aws(emu, [
    'iam',
    'create-policy-version',
    '--policy-arn',
    arn,
    '--policy-document',
    doc('s3:List*'),
    '--set-as-default',
  ]);
  return arn;
}
const policyExists = async (arn: string) =>
  (await aws(emu, ['iam', 'list-policies', '--scope', 'Local'])).Policies.some((p: any) => p.Arn === arn);

test('pod-identity, role eks-pod-iam made: association, service account, policies, role go; rerun: none', async () => {
  const ours = await createPolicy('app-extra', true);
  const foreign = await createPolicy('team-shared', false);
  const inline = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
  });
  const bind = { 'role-name': 'app-role', 'policy-arns': `${S3_READ}\n${ours}\n${foreign}`, 'inline-policy': inline };
  ok(await run(bind));
  expect(await associations()).toHaveLength(1);
  await clearJournals(emu);

  const r = await run({ ...bind, state: 'absent' });
  removed(r);
  expect(changeList(r)).toEqual([
    'pod-identity-association delete',
    'service-account delete',
    'iam-role-policy detach',
    'iam-role-policy detach',
    'iam-role-policy detach',
    'iam-inline-policy delete',
    'iam-role-policy delete',
    'iam-role delete',
  ]);
  expect(r.changes.find((c) => c.resource === 'iam-role-policy' && c.action === 'delete')!.detail).toContain(ours);
  expect(r.outputs.changed).toBe('true');
  expect(JSON.parse(r.outputs.bindings!)).toEqual([
    expect.objectContaining({ state: 'absent', changed: 'true', 'association-id': '', 'role-arn': arnOf('app-role') }),
  ]);
  expect(r.summary).toContain('remove the pod-identity binding of');
  expect(r.summary).toContain('| role deleted | ✅ pass |');

  expect(await roleExists('app-role')).toBe(false);
  expect(await associations()).toEqual([]);
  expect(await serviceAccount('api')).toBeUndefined();
  expect(await kubectl(emu, CLUSTER, ['get', 'namespace', 'apps', '-o', 'json'])).toMatchObject({
    metadata: { name: 'apps' },
  });
  expect(
    await aws(emu, ['eks', 'describe-addon', '--cluster-name', CLUSTER, '--addon-name', 'eks-pod-identity-agent']),
  ).toBeDefined();
  // eks-pod-iam's managed policy went (its old version first); the team's policy is only detached.
  expect(await policyExists(ours)).toBe(false);
  expect(await policyExists(foreign)).toBe(true);
  const w = await writes(emu);
  expect(w.aws.sort()).toEqual(
    [
      'DeletePodIdentityAssociation',
      'DetachRolePolicy',
      'DetachRolePolicy',
      'DetachRolePolicy',
      'DeleteRolePolicy',
      'DeletePolicyVersion',
      'DeletePolicy',
      'DeleteRole',
    ].sort(),
  );
  expect(w.kube).toEqual(['DELETE /api/v1/namespaces/apps/serviceaccounts/api']);

  await clearJournals(emu);
  const again = await run({ ...bind, state: 'absent' });
  removed(again);
  expect([again.outputs.changed, again.outputs.changes]).toEqual(['false', '[]']);
  const w2 = await writes(emu);
  expect([w2.aws, w2.kube]).toEqual([[], []]);
  // Reads only: the cluster, its association list, and the role (GetRole; the policy lists answer NoSuchEntity).
  expect(w2.awsCalls.sort()).toEqual(
    [
      'DescribeCluster',
      'ListPodIdentityAssociations',
      'GetRole',
      'ListAttachedRolePolicies',
      'ListRolePolicies',
      'GetRolePolicy',
    ].sort(),
  );
});

test('a managed policy eks-pod-iam made that another role also has is only detached', async () => {
  const ours = await createPolicy('app-shared', true);
  await createForeignRole('neighbour');
  await aws(emu, ['iam', 'attach-role-policy', '--role-name', 'neighbour', '--policy-arn', ours]);
  const bind = { 'role-name': 'app-role', 'policy-arns': ours };
  ok(await run(bind));
  await clearJournals(emu);
  const r = await run({ ...bind, state: 'absent' });
  removed(r);
  expect(changeList(r)).toEqual([
    'pod-identity-association delete',
    'service-account delete',
    'iam-role-policy detach',
    'iam-role delete',
  ]);
  expect(await roleExists('app-role')).toBe(false);
  expect(await policyExists(ours)).toBe(true);
  expect(await attached('neighbour')).toEqual([ours]);
  expect((await writes(emu)).aws).not.toContain('DeletePolicy');
});

test('irsa, foreign role: only its subject and annotation go; foreign statements, policies, labels stay', async () => {
  await createForeignRole('shared', [EC2]);
  await aws(emu, ['iam', 'attach-role-policy', '--role-name', 'shared', '--policy-arn', READ_ONLY]);
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: 'api',
      namespace: 'apps',
      labels: { team: 'payments' },
      annotations: { 'example.com/owner': 'payments', 'eks.amazonaws.com/token-expiration': '3600' },
    },
  });
  const bind = { mode: 'irsa', 'role-arn': arnOf('shared'), 'policy-arns': S3_READ, audience: 'sts.example.com' };
  ok(await run(bind));
  expect((await trustOf(emu, 'shared')).Statement).toHaveLength(2);
  await clearJournals(emu);

  const r = await run({ ...bind, state: 'absent' });
  removed(r);
  expect(changeList(r)).toEqual(['service-account remove', 'iam-role-trust remove']);
  expect(r.changes[0]!.detail).toContain('eks.amazonaws.com/role-arn, eks.amazonaws.com/audience');
  expect((await trustOf(emu, 'shared')).Statement).toEqual([EC2]);
  // Nothing is detached from a role eks-pod-iam did not create, not even what the binding attached.
  expect(await attached('shared')).toEqual([S3_READ, READ_ONLY].sort());
  const sa = await serviceAccount('api');
  expect(sa.metadata.annotations).toEqual({
    'example.com/owner': 'payments',
    'eks.amazonaws.com/token-expiration': '3600',
  });
  expect(sa.metadata.labels).toEqual({ team: 'payments' });
  // The OIDC provider stays.
  expect((await aws(emu, ['iam', 'list-open-id-connect-providers'])).OpenIDConnectProviderList).toHaveLength(1);
  expect((await writes(emu)).aws).toEqual(['UpdateAssumeRolePolicy']);
  expect(r.summary).toMatch(/\| role trust removed \| ✅ pass \|/);
  expect(r.summary).toMatch(/\| service account annotation removed \| ✅ pass \|/);
});

test('pod-identity, foreign role: its association and statement go; foreign statement, account stay', async () => {
  await createForeignRole('platform', [EC2]);
  await aws(emu, ['iam', 'attach-role-policy', '--role-name', 'platform', '--policy-arn', READ_ONLY]);
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'api', namespace: 'apps', annotations: { 'example.com/owner': 'payments' } },
  });
  const bind = { 'role-arn': arnOf('platform'), 'policy-arns': S3_READ };
  ok(await run(bind));
  await clearJournals(emu);

  const r = await run({ ...bind, state: 'absent' });
  removed(r);
  expect(changeList(r)).toEqual(['pod-identity-association delete', 'iam-role-trust remove']);
  expect((await trustOf(emu, 'platform')).Statement).toEqual([EC2]);
  expect(await attached('platform')).toEqual([S3_READ, READ_ONLY].sort());
  expect(await associations()).toEqual([]);
  expect((await serviceAccount('api')).metadata.annotations).toEqual({ 'example.com/owner': 'payments' });
  const w = await writes(emu);
  expect([w.aws.sort(), w.kube]).toEqual([['DeletePodIdentityAssociation', 'UpdateAssumeRolePolicy'], []]);
  // Before the plain statement went, every cluster of the region was asked whether an association names the role.
  expect(w.awsCalls).toContain('ListClusters');
});

test('the plain Pod Identity statement stays while another association names the role', async () => {
  const bind = (sa: string) => ({ 'role-name': 'app-role', 'service-account': sa });
  ok(await run(bind('api')));
  ok(await run(bind('worker')));
  await clearJournals(emu);
  const r = await run({ ...bind('api'), state: 'absent' });
  removed(r);
  expect(changeList(r)).toEqual(['pod-identity-association delete', 'service-account delete']);
  expect(r.stdout).toMatch(/The pods\.eks\.amazonaws\.com statement of app-role stays: 1 other association\(s\)/);
  expect((await trustOf(emu, 'app-role')).Statement).toHaveLength(1);
  expect(await associations('apps', 'worker')).toHaveLength(1);
  expect(r.summary).toMatch(/\| role trust kept \| ✅ pass \|/);
});

test('two irsa service accounts on a role: the first removal keeps the other; the last deletes the role', async () => {
  const bind = (sa: string) => ({ mode: 'irsa', 'role-name': 'web', 'service-account': sa, 'policy-arns': S3_READ });
  ok(await run(bind('api')));
  ok(await run(bind('admin')));
  await clearJournals(emu);

  const first = await run({ ...bind('api'), state: 'absent' });
  removed(first);
  expect(changeList(first)).toEqual(['service-account delete', 'iam-role-trust remove']);
  const [statement] = (await trustOf(emu, 'web')).Statement;
  expect(statement.Condition.StringEquals[`${hostPath}:sub`]).toEqual([subject('apps', 'admin')]);
  expect(await serviceAccount('api')).toBeUndefined();
  expect((await serviceAccount('admin')).metadata.annotations['eks.amazonaws.com/role-arn']).toBe(arnOf('web'));
  expect(await attached('web')).toEqual([S3_READ]);

  const last = await run({ ...bind('admin'), state: 'absent' });
  removed(last);
  expect(changeList(last)).toEqual(['service-account delete', 'iam-role-policy detach', 'iam-role delete']);
  expect(await roleExists('web')).toBe(false);
  expect(await serviceAccount('admin')).toBeUndefined();
  expect((await aws(emu, ['iam', 'list-open-id-connect-providers'])).OpenIDConnectProviderList).toHaveLength(1);
});

test('scoped Pod Identity statements on a shared role: removing one binding removes only its statement', async () => {
  const bind = (sa: string) => ({ 'role-name': 'scoped', 'service-account': sa, 'scope-trust': 'true' });
  ok(await run(bind('api')));
  ok(await run(bind('worker')));
  expect((await trustOf(emu, 'scoped')).Statement).toHaveLength(2);
  await clearJournals(emu);

  const r = await run({ ...bind('api'), state: 'absent' });
  removed(r);
  expect(changeList(r)).toEqual(['pod-identity-association delete', 'service-account delete', 'iam-role-trust remove']);
  const left = (await trustOf(emu, 'scoped')).Statement;
  expect(left).toHaveLength(1);
  expect(left[0].Condition.StringEquals['aws:RequestTag/kubernetes-service-account']).toBe('worker');
  expect(await associations('apps', 'worker')).toHaveLength(1);
  // A scoped statement is this binding's alone: no need to ask the region's clusters.
  expect((await writes(emu)).awsCalls).not.toContain('ListClusters');
});

test('dry-run lists the removals and writes nothing', async () => {
  const bind = { 'role-name': 'app-role', 'policy-arns': S3_READ };
  ok(await run(bind));
  await clearJournals(emu);
  const r = await run({ ...bind, state: 'absent', 'dry-run': 'true' });
  ok(r);
  expect(r.outputs.changed).toBe('true');
  expect(changeList(r)).toEqual([
    'pod-identity-association delete',
    'service-account delete',
    'iam-role-policy detach',
    'iam-role delete',
  ]);
  expect(r.stdout).toContain(`iam-role delete: delete role app-role`);
  expect(r.summary).toContain('Changes a real run would make:');
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  expect(await roleExists('app-role')).toBe(true);
});

test('one manifest retires some bindings and adds others; one trust write carries both on a shared role', async () => {
  const item = (sa: string, extra: Record<string, string> = {}) => ({
    namespace: 'apps',
    'service-account': sa,
    mode: 'irsa',
    'role-name': 'web',
    ...extra,
  });
  ok(await run({ bindings: JSON.stringify([item('old'), { ...item('gone'), 'role-name': 'gone-role' }]) }));
  await clearJournals(emu);

  const r = await run({
    bindings: JSON.stringify([
      item('old', { state: 'absent' }),
      item('new'),
      { ...item('gone'), 'role-name': 'gone-role', state: 'absent' },
      { ...item('fresh'), 'role-name': 'fresh-role' },
    ]),
  });
  removed(r);
  const w = await writes(emu);
  expect(w.aws.filter((op) => op === 'UpdateAssumeRolePolicy')).toHaveLength(1);
  expect(w.aws).toEqual(expect.arrayContaining(['DeleteRole', 'CreateRole']));
  const [statement] = (await trustOf(emu, 'web')).Statement;
  expect(statement.Condition.StringEquals[`${hostPath}:sub`]).toEqual([subject('apps', 'new')]);
  expect(await roleExists('gone-role')).toBe(false);
  expect(await roleExists('fresh-role')).toBe(true);
  const trustChange = r.changes.find((c) => c.resource === 'iam-role-trust')!;
  expect(trustChange.detail).toMatch(/^allow .*apps:new.*; remove .*apps:old/);
  expect(JSON.parse(r.outputs.bindings!).map((b: any) => `${b['service-account']} ${b.state} ${b.changed}`)).toEqual([
    'old absent true',
    'new present true',
    'gone absent true',
    'fresh present true',
  ]);
  expect(await serviceAccount('old')).toBeUndefined();
  expect((await serviceAccount('new')).metadata.annotations['eks.amazonaws.com/role-arn']).toBe(arnOf('web'));
  expect(r.summary).toContain('irsa (absent)');
});

test('bad input "state: gone" is refused before any AWS or Kubernetes call', async () => {
  const r = await run({ 'role-name': 'app-role', state: 'gone' });
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(/::error::.*"state"/);
  expect(await emu.aws.journal()).toEqual([]);
  expect(await emu.kube.journal()).toEqual([]);
});
