// Add-on service accounts (issue 13, input `addon`) end to end: the association of an add-on's service account is
// made through the add-on (CreateAddon / UpdateAddon podIdentityAssociations), never directly. The program in
// process (helpers/run-in-process.ts) against moto (+ EKS extensions); end states judged with the AWS SDK in the
// aws CLI's shape (helpers/judge.ts).
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, kubectl, trustOf, writes } from './helpers/judge.js';
import { type ActionRun } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'demo';
const ACCOUNT = '123456789012';
const EFS = 'aws-efs-csi-driver';
const EBS = 'aws-ebs-csi-driver';
const EFS_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy';
const EFS_NODE_POLICY = 'arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess';
const EBS_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const PODS = {
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};

let emu: Emulators;
beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 1 });
  await clearJournals(emu);
});

/** The EFS CSI driver's controller service account, bound through the add-on (the agent is not in question). */
const inputs = (over: Record<string, string> = {}) => ({
  'cluster-name': CLUSTER,
  namespace: 'kube-system',
  'service-account': 'efs-csi-controller-sa',
  'role-name': 'efs-controller',
  addon: EFS,
  'install-agent': 'false',
  ...over,
});
const run = (over: Record<string, string> = {}) =>
  runInProcess(inputs(over), { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } });
const ok = (r: ActionRun) => expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
const errorOf = (r: ActionRun) => r.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';

const podRole = async (name: string) =>
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    name,
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [PODS] }),
  ]);
const describeAddon = async (name = EFS) =>
  (await aws(emu, ['eks', 'describe-addon', '--cluster-name', CLUSTER, '--addon-name', name])).addon;
/** The add-on's associations as EKS lists them: service account → role, owner. */
const addonAssociations = async (name = EFS) => {
  const addon = await describeAddon(name);
  return Object.fromEntries(
    await Promise.all(
      (addon.podIdentityAssociations ?? []).map(async (arn: string) => {
        const id = arn.split('/').pop()!;
        const a = (
          await aws(emu, [
            'eks',
            'describe-pod-identity-association',
            '--cluster-name',
            CLUSTER,
            '--association-id',
            id,
          ])
        ).association;
        expect(a.ownerArn).toBe(addon.addonArn);
        return [`${a.namespace}/${a.serviceAccount}`, { role: a.roleArn, id, arn }];
      }),
    ),
  );
};
const attached = async (role: string) =>
  (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', role])).AttachedPolicies.map(
    (p: any) => p.PolicyArn,
  ).sort();
/** The EFS add-on installed (ACTIVE) with the node service account already bound to `node-role`. */
const efsWithNodeAssociation = async () => {
  await podRole('node-role');
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await aws(emu, [
    'eks',
    'create-addon',
    '--cluster-name',
    CLUSTER,
    '--addon-name',
    EFS,
    '--pod-identity-associations',
    `serviceAccount=efs-csi-node-sa,roleArn=${roleArn('node-role')}`,
  ]);
  // UpdateAddon leaves it UPDATING for the next 2 reads: the run must wait them out.
  await emu.aws.setAddonBehaviour({ readsUntilActive: 2 });
  await clearJournals(emu);
};
const journal = async () => (await emu.aws.journal()).map((j) => `${j.operation} ${j.path}`);
const count = (calls: string[], call: string) => calls.filter((c) => c === call).length;
const ADDON_PATH = `/clusters/${CLUSTER}/addons/${EFS}`;

test('installed add-on: UpdateAddon keeps its other association, adds ours, waits; rerun: no write', async () => {
  await efsWithNodeAssociation();
  const r = await run();
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role create',
    'iam-role-policy attach',
    'eks-addon update',
  ]);
  expect(r.changes[2]!.detail).toBe(
    `associate through add-on ${EFS} in cluster ${CLUSTER}: kube-system/efs-csi-controller-sa → ` +
      `${roleArn('efs-controller')}; its 1 other association(s) kept`,
  );
  // the policy the add-on recommends for its controller (no policy input given), and the Pod Identity trust
  expect(await attached('efs-controller')).toEqual([EFS_POLICY]);
  expect((await trustOf(emu, 'efs-controller')).Statement).toEqual([{ Sid: 'EksPodIamPodIdentity', ...PODS }]);
  const owned = await addonAssociations();
  expect(Object.fromEntries(Object.entries(owned).map(([k, v]: [string, any]) => [k, v.role]))).toEqual({
    'kube-system/efs-csi-node-sa': roleArn('node-role'),
    'kube-system/efs-csi-controller-sa': roleArn('efs-controller'),
  });
  expect(r.outputs['association-id']).toBe(owned['kube-system/efs-csi-controller-sa'].id);
  expect(r.outputs['association-arn']).toBe(owned['kube-system/efs-csi-controller-sa'].arn);
  expect(r.outputs['role-arn']).toBe(roleArn('efs-controller'));

  const calls = await journal();
  expect(count(calls, `UpdateAddon ${ADDON_PATH}/update`)).toBe(1);
  expect(
    calls.filter((c) => /PodIdentityAssociation /.test(c) && !c.startsWith('List') && !c.startsWith('Describe')),
  ).toEqual([]);
  // read once before the write, then polled through UPDATING (2 reads) to ACTIVE, then read back
  expect(count(calls, `DescribeAddon ${ADDON_PATH}`)).toBeGreaterThanOrEqual(4);
  expect((await describeAddon()).status).toBe('ACTIVE');
  expect(r.stdout).toMatch(new RegExp(`${EFS} is ACTIVE in ${CLUSTER}`));
  expect(r.summary).toMatch(/\| association owner \| ✅ pass \|/);
  expect(r.summary).toMatch(new RegExp(`\\| add-on \\| ✅ pass \\| ${EFS} is ACTIVE \\|`));
  expect(r.summary).toContain(`owner["add-on<br/>${EFS}"] -- owns --> assoc`);

  await clearJournals(emu);
  const again = await run();
  ok(again);
  expect(again.outputs.changed).toBe('false');
  expect(again.outputs['association-id']).toBe(r.outputs['association-id']);
  expect((await writes(emu)).aws).toEqual([]);
});

test('add-on not installed: CreateAddon with podIdentityAssociations, waited until ACTIVE', async () => {
  await emu.aws.setAddonBehaviour({ addonName: EBS, readsUntilActive: 3 });
  const r = await run({
    addon: EBS,
    'service-account': 'ebs-csi-controller-sa',
    'role-name': 'ebs-csi',
    'install-agent': 'true',
  });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}: ${c.detail}`)).toEqual([
    'iam-role create: create role ebs-csi trusted by pods.eks.amazonaws.com',
    `iam-role-policy attach: attach ${EBS_POLICY} to ebs-csi`,
    `eks-addon create: install add-on eks-pod-identity-agent in cluster ${CLUSTER}`,
    `eks-addon create: install add-on ${EBS} in cluster ${CLUSTER} with kube-system/ebs-csi-controller-sa → ` +
      roleArn('ebs-csi'),
  ]);
  expect(await attached('ebs-csi')).toEqual([EBS_POLICY]);
  const owned = await addonAssociations(EBS);
  expect(Object.keys(owned)).toEqual(['kube-system/ebs-csi-controller-sa']);
  expect(owned['kube-system/ebs-csi-controller-sa'].role).toBe(roleArn('ebs-csi'));
  expect(r.outputs['association-id']).toBe(owned['kube-system/ebs-csi-controller-sa'].id);
  const calls = await journal();
  expect(count(calls, `CreateAddon /clusters/${CLUSTER}/addons`)).toBe(2); // the agent, and the EBS driver
  expect(calls.some((c) => c.startsWith('DescribeAddonVersions '))).toBe(true); // its default version's policies
  expect(calls.filter((c) => c.startsWith('CreatePodIdentityAssociation'))).toEqual([]);
  expect(count(calls, `DescribeAddon /clusters/${CLUSTER}/addons/${EBS}`)).toBeGreaterThanOrEqual(5);
  expect((await describeAddon(EBS)).status).toBe('ACTIVE');
  // no Kubernetes request: the add-on makes its own service account
  expect((await writes(emu)).kube).toEqual([]);
});

test('another role: UpdateAddon names it for our service account, the other association is kept', async () => {
  await efsWithNodeAssociation();
  ok(await run());
  const before = await addonAssociations();
  await clearJournals(emu);
  const r = await run({ 'role-name': 'efs-controller-2' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role create',
    'iam-role-policy attach',
    'eks-addon update',
  ]);
  expect(r.changes[2]!.detail).toContain(`(was ${roleArn('efs-controller')})`);
  const after = await addonAssociations();
  expect(after['kube-system/efs-csi-controller-sa']).toEqual({
    ...before['kube-system/efs-csi-controller-sa'],
    role: roleArn('efs-controller-2'),
  });
  expect(after['kube-system/efs-csi-node-sa']).toEqual(before['kube-system/efs-csi-node-sa']);
  const calls = await journal();
  expect(count(calls, `UpdateAddon ${ADDON_PATH}/update`)).toBe(1);
  expect(calls.filter((c) => c.startsWith('UpdatePodIdentityAssociation'))).toEqual([]);
});

test('restart-workloads: the add-on Deployment is rolled out once the add-on is ACTIVE', async () => {
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'efs-csi-controller-sa', namespace: 'kube-system' },
  });
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'efs-csi-controller', namespace: 'kube-system' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'efs' } },
      template: {
        metadata: { labels: { app: 'efs' } },
        spec: { serviceAccountName: 'efs-csi-controller-sa', containers: [{ name: 'c', image: 'efs' }] },
      },
    },
  });
  await efsWithNodeAssociation();
  const r = await run({ 'restart-workloads': 'true' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role create',
    'iam-role-policy attach',
    'eks-addon update',
    'workload restart',
  ]);
  const deployment = await kubectl(emu, CLUSTER, [
    'get',
    'deployment',
    'efs-csi-controller',
    '-n',
    'kube-system',
    '-o',
    'json',
  ]);
  expect(deployment.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeDefined();
  const kube = await emu.kube.journal();
  expect(kube.filter((j) => j.isWrite).map((j) => `${j.method} ${j.path}`)).toEqual([
    'PATCH /apis/apps/v1/namespaces/kube-system/deployments/efs-csi-controller',
  ]);
  // the rollout came once the add-on was ACTIVE again: after the read before the write and the 3 polls of the wait
  const rollout = kube.find((j) => j.isWrite)!.start;
  const readsBefore = (await emu.aws.journal()).filter(
    (j) => j.operation === 'DescribeAddon' && j.path === ADDON_PATH && j.end < rollout,
  );
  expect(readsBefore.length).toBeGreaterThanOrEqual(4);
});

test('with policy-arns: those are attached, not the recommended ones', async () => {
  await efsWithNodeAssociation();
  const r = await run({ 'policy-arns': S3_READ });
  ok(r);
  expect(await attached('efs-controller')).toEqual([S3_READ]);
  expect((await addonAssociations())['kube-system/efs-csi-controller-sa'].role).toBe(roleArn('efs-controller'));
});

test('dry run: the changes are listed, nothing is written', async () => {
  const r = await run({ 'dry-run': 'true' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}: ${c.detail}`)).toEqual([
    'iam-role create: create role efs-controller trusted by pods.eks.amazonaws.com',
    `iam-role-policy attach: attach ${EFS_POLICY} to efs-controller`,
    `eks-addon create: install add-on ${EFS} in cluster ${CLUSTER} with kube-system/efs-csi-controller-sa → ` +
      roleArn('efs-controller'),
  ]);
  expect(await writes(emu)).toMatchObject({ aws: [], kube: [] });
  expect((await aws(emu, ['eks', 'list-addons', '--cluster-name', CLUSTER])).addons).toEqual([]);
});

test('bindings: two service accounts of one add-on, one UpdateAddon carrying both', async () => {
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await aws(emu, ['eks', 'create-addon', '--cluster-name', CLUSTER, '--addon-name', EFS]);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 1 });
  await clearJournals(emu);
  const item = (sa: string, role: string) => ({ namespace: 'kube-system', 'service-account': sa, 'role-name': role });
  const r = await runInProcess(
    {
      'cluster-name': CLUSTER,
      addon: EFS,
      'install-agent': 'false',
      bindings: JSON.stringify([item('efs-csi-controller-sa', 'efs-controller'), item('efs-csi-node-sa', 'efs-node')]),
    },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
  ok(r);
  const calls = await journal();
  expect(calls.filter((c) => c.startsWith('UpdateAddon '))).toEqual([`UpdateAddon ${ADDON_PATH}/update`]);
  expect(calls.filter((c) => c.startsWith('CreatePodIdentityAssociation'))).toEqual([]);
  const owned = await addonAssociations();
  expect(Object.fromEntries(Object.entries(owned).map(([k, v]: [string, any]) => [k, v.role]))).toEqual({
    'kube-system/efs-csi-controller-sa': roleArn('efs-controller'),
    'kube-system/efs-csi-node-sa': roleArn('efs-node'),
  });
  // each service account's own recommended policy
  expect([await attached('efs-controller'), await attached('efs-node')]).toEqual([[EFS_POLICY], [EFS_NODE_POLICY]]);
  const bindings = JSON.parse(r.outputs.bindings!) as Record<string, string>[];
  expect(bindings.map((b) => b['association-id'])).toEqual([
    owned['kube-system/efs-csi-controller-sa'].id,
    owned['kube-system/efs-csi-node-sa'].id,
  ]);
  const addonChanges = r.changes.filter((c) => c.resource === 'eks-addon');
  expect(addonChanges).toHaveLength(1);
  expect(addonChanges[0]!.detail).toContain('efs-csi-controller-sa');
  expect(addonChanges[0]!.detail).toContain('efs-csi-node-sa');
});

test('refused: malformed add-on name before any call; unknown add-on or service account before any write', async () => {
  const bad = await run({ addon: 'not an add-on!' });
  expect(bad.code).toBe(1);
  expect(errorOf(bad)).toMatch(/^::error::Input "addon" must be an EKS add-on name/);
  expect([await emu.aws.journal(), await emu.kube.journal()]).toEqual([[], []]);

  const unknown = await run({ addon: 'no-such-addon' });
  expect(unknown.code).toBe(1);
  expect(errorOf(unknown)).toContain(`EKS has no add-on named no-such-addon for cluster ${CLUSTER}`);
  const otherSa = await run({ 'service-account': 'my-app' });
  expect(otherSa.code).toBe(1);
  expect(errorOf(otherSa)).toContain(
    `Add-on ${EFS} takes no Pod Identity association for service account my-app ` +
      '(its service accounts: efs-csi-controller-sa, efs-csi-node-sa)',
  );
  expect((await writes(emu)).aws).toEqual([]);
});

test('without "addon", an association the add-on owns is still refused, and the message names the input', async () => {
  await podRole('ebs-role');
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await aws(emu, [
    'eks',
    'create-addon',
    '--cluster-name',
    CLUSTER,
    '--addon-name',
    EBS,
    '--pod-identity-associations',
    `serviceAccount=ebs-csi-controller-sa,roleArn=${roleArn('ebs-role')}`,
  ]);
  await clearJournals(emu);
  const r = await run({ addon: '', 'service-account': 'ebs-csi-controller-sa', 'create-service-account': 'false' });
  expect(r.code).toBe(1);
  expect(errorOf(r)).toMatch(
    /is owned by arn:aws:eks:.*; bind it through that add-on: set "addon: aws-ebs-csi-driver"/,
  );
  expect((await writes(emu)).aws).toEqual([]);

  // with it, the same service account is bound through the add-on
  const through = await run({ addon: EBS, 'service-account': 'ebs-csi-controller-sa', 'role-name': 'ebs-role' });
  ok(through);
  expect((await addonAssociations(EBS))['kube-system/ebs-csi-controller-sa'].role).toBe(roleArn('ebs-role'));
});
