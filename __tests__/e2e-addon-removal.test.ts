// Removing a binding made through an add-on (`addon` with `state: absent`) end to end: the association leaves the
// add-on by UpdateAddon with the add-on's other associations as they are (never DeletePodIdentityAssociation), the
// add-on stays, and the role's trust and a role eks-pod-iam created go as for any removal. The program in process
// (helpers/run-in-process.ts) against moto (+ EKS extensions); end states judged with the AWS SDK (helpers/judge.ts).
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, trustOf, writes } from './helpers/judge.js';
import { runInProcess } from './helpers/run-in-process.js';
import { type ActionRun } from './helpers/run-action.js';

const CLUSTER = 'demo';
const ACCOUNT = '123456789012';
const EFS = 'aws-efs-csi-driver';
const EBS = 'aws-ebs-csi-driver';
const EFS_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy';
const EFS_NODE_POLICY = 'arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess';
const EBS_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const ADDON_PATH = `/clusters/${CLUSTER}/addons/${EFS}`;
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

const env = () => ({ env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } });
/** One binding of the EFS CSI driver's service account `sa` to `role`, through the add-on. */
const item = (sa: string, role: string, over: Record<string, string> = {}) => ({
  namespace: 'kube-system',
  'service-account': sa,
  'role-name': role,
  ...over,
});
const run = (over: Record<string, string> = {}) =>
  runInProcess(
    {
      'cluster-name': CLUSTER,
      addon: EFS,
      'install-agent': 'false',
      ...item('efs-csi-controller-sa', 'efs-controller'),
      ...over,
    },
    env(),
  );
const runBindings = (items: Record<string, string>[], over: Record<string, string> = {}) =>
  runInProcess(
    { 'cluster-name': CLUSTER, addon: EFS, 'install-agent': 'false', bindings: JSON.stringify(items), ...over },
    env(),
  );
const ok = (r: ActionRun) => expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
const changeList = (r: ActionRun) => r.changes.map((c) => `${c.resource} ${c.action}`);

const describeAddon = async (name = EFS) =>
  (await aws(emu, ['eks', 'describe-addon', '--cluster-name', CLUSTER, '--addon-name', name])).addon;
/** Every association of the cluster, as EKS lists them: `<namespace>/<service account>` → role, owner. */
const listed = async () =>
  Object.fromEntries(
    await Promise.all(
      (await aws(emu, ['eks', 'list-pod-identity-associations', '--cluster-name', CLUSTER])).associations.map(
        async (s: any) => {
          const a = (
            await aws(emu, [
              'eks',
              'describe-pod-identity-association',
              '--cluster-name',
              CLUSTER,
              '--association-id',
              s.associationId,
            ])
          ).association;
          return [`${a.namespace}/${a.serviceAccount}`, { role: a.roleArn, owner: a.ownerArn, id: a.associationId }];
        },
      ),
    ),
  );
const roleExists = async (role: string) =>
  (await aws(emu, ['iam', 'list-roles'])).Roles.some((x: any) => x.RoleName === role);
const attached = async (role: string) =>
  (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', role])).AttachedPolicies.map(
    (p: any) => p.PolicyArn,
  ).sort();
const journal = async () => (await emu.aws.journal()).map((j) => `${j.operation} ${j.path}`);
const podRole = async (name: string) =>
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    name,
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [PODS] }),
  ]);

/** The EFS add-on installed by a present run, its controller and node service accounts each bound to its role. */
const bothBound = async () => {
  ok(await runBindings([item('efs-csi-controller-sa', 'efs-controller'), item('efs-csi-node-sa', 'efs-node')]));
  expect(await attached('efs-controller')).toEqual([EFS_POLICY]);
  const before = await listed();
  expect(Object.keys(before).sort()).toEqual(['kube-system/efs-csi-controller-sa', 'kube-system/efs-csi-node-sa']);
  await clearJournals(emu);
  return before;
};

test('absent: UpdateAddon without it, its other association kept, the created role deleted; rerun: none', async () => {
  const before = await bothBound();
  const addonArn = (await describeAddon()).addonArn;
  const r = await run({ state: 'absent' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}: ${c.detail}`)).toEqual([
    `eks-addon remove: remove from add-on ${EFS} in cluster ${CLUSTER}: kube-system/efs-csi-controller-sa ` +
      `(→ ${roleArn('efs-controller')}); its 1 other association(s) kept`,
    `iam-role-policy detach: detach ${EFS_POLICY} from efs-controller`,
    'iam-role delete: delete role efs-controller (created by eks-pod-iam; no trust statement left)',
  ]);
  // through the add-on, never directly; and the add-on waited for until ACTIVE again
  const calls = await journal();
  expect(calls.filter((c) => c.startsWith('UpdateAddon '))).toEqual([`UpdateAddon ${ADDON_PATH}/update`]);
  expect(calls.filter((c) => /^(Delete|Update|Create)PodIdentityAssociation /.test(c))).toEqual([]);
  expect(calls.filter((c) => /^(DeleteAddon|CreateAddon) /.test(c))).toEqual([]);
  expect(r.stdout).toMatch(new RegExp(`${EFS} is ACTIVE in ${CLUSTER}`));
  // the trust was taken back and the role deleted only after the association left the add-on
  const j = await emu.aws.journal();
  const update = j.find((x) => x.operation === 'UpdateAddon')!;
  const roleWrites = j.filter((x) => ['DetachRolePolicy', 'DeleteRole'].includes(x.operation));
  expect(roleWrites.map((x) => x.operation)).toEqual(['DetachRolePolicy', 'DeleteRole']);
  for (const w of roleWrites) expect(w.start).toBeGreaterThanOrEqual(update.end);

  // end state, as the aws CLI shows it: the node association as it was (same id, role, owner), the add-on still there
  expect(await listed()).toEqual({ 'kube-system/efs-csi-node-sa': before['kube-system/efs-csi-node-sa'] });
  expect(before['kube-system/efs-csi-node-sa']).toMatchObject({ role: roleArn('efs-node'), owner: addonArn });
  const addon = await describeAddon();
  expect([addon.status, addon.addonArn, addon.podIdentityAssociations.length]).toEqual(['ACTIVE', addonArn, 1]);
  expect(await roleExists('efs-controller')).toBe(false);
  expect(await attached('efs-node')).toEqual([EFS_NODE_POLICY]);
  expect((await trustOf(emu, 'efs-node')).Statement).toEqual([{ Sid: 'EksPodIamPodIdentity', ...PODS }]);
  // the add-on's service account is the add-on's: no Kubernetes request at all
  expect(await emu.kube.journal()).toEqual([]);

  expect(r.outputs.changed).toBe('true');
  expect(r.outputs['association-id']).toBe('');
  expect(JSON.parse(r.outputs.bindings!)).toEqual([expect.objectContaining({ state: 'absent', changed: 'true' })]);
  expect(r.summary).toMatch(/\| association removed \| ✅ pass \|/);
  expect(r.summary).toMatch(/\| add-on associations kept \| ✅ pass \| aws-efs-csi-driver still has its 1 other/);
  expect(r.summary).toMatch(/\| role deleted \| ✅ pass \|/);

  await clearJournals(emu);
  const again = await run({ state: 'absent' });
  ok(again);
  expect(again.outputs.changed).toBe('false');
  expect(again.changes).toEqual([]);
  expect(await writes(emu)).toMatchObject({ aws: [], kube: [] });
  expect(Object.keys(await listed())).toEqual(['kube-system/efs-csi-node-sa']);
});

test('dry run: the removal is listed, nothing is written', async () => {
  const before = await bothBound();
  const r = await run({ state: 'absent', 'dry-run': 'true' });
  ok(r);
  expect(changeList(r)).toEqual(['eks-addon remove', 'iam-role-policy detach', 'iam-role delete']);
  expect(r.stdout).toContain(`eks-addon remove: remove from add-on ${EFS} in cluster ${CLUSTER}`);
  expect(await writes(emu)).toMatchObject({ aws: [], kube: [] });
  expect(await listed()).toEqual(before);
  expect(await roleExists('efs-controller')).toBe(true);
});

test('an association naming another role: warned about and left, nothing written', async () => {
  await podRole('someone-else');
  await podRole('efs-controller');
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await aws(emu, [
    'eks',
    'create-addon',
    '--cluster-name',
    CLUSTER,
    '--addon-name',
    EFS,
    '--pod-identity-associations',
    `serviceAccount=efs-csi-controller-sa,roleArn=${roleArn('someone-else')}`,
  ]);
  const before = await listed();
  await clearJournals(emu);
  const r = await run({ state: 'absent' });
  ok(r);
  expect(r.stdout).toContain(
    `::warning::The association of kube-system/efs-csi-controller-sa in add-on ${EFS} names ` +
      `${roleArn('someone-else')}, not ${roleArn('efs-controller')}: it is left as it is.`,
  );
  expect(r.changes.filter((c) => c.resource === 'eks-addon')).toEqual([]);
  // its role was not made by eks-pod-iam and would be left without a statement: neither changed nor deleted
  expect(r.stdout).toContain('the role was not created by eks-pod-iam, so it is neither deleted nor changed');
  expect(await writes(emu)).toMatchObject({ aws: [], kube: [] });
  expect(await listed()).toEqual(before);
  expect((await describeAddon()).podIdentityAssociations).toHaveLength(1);
});

test('bindings: one of the add-on removed and another added in one UpdateAddon', async () => {
  ok(await run());
  await clearJournals(emu);
  const r = await runBindings([
    item('efs-csi-controller-sa', 'efs-controller', { state: 'absent' }),
    item('efs-csi-node-sa', 'efs-node'),
  ]);
  ok(r);
  const addonChanges = r.changes.filter((c) => c.resource === 'eks-addon');
  expect(addonChanges.map((c) => `${c.action}: ${c.detail}`)).toEqual([
    `update: associate through add-on ${EFS} in cluster ${CLUSTER}: kube-system/efs-csi-node-sa → ` +
      `${roleArn('efs-node')}; remove kube-system/efs-csi-controller-sa (→ ${roleArn('efs-controller')})`,
  ]);
  expect((await journal()).filter((c) => c.startsWith('UpdateAddon '))).toEqual([`UpdateAddon ${ADDON_PATH}/update`]);
  expect(Object.fromEntries(Object.entries(await listed()).map(([k, v]: [string, any]) => [k, v.role]))).toEqual({
    'kube-system/efs-csi-node-sa': roleArn('efs-node'),
  });
  expect([await roleExists('efs-controller'), await attached('efs-node')]).toEqual([false, [EFS_NODE_POLICY]]);
  const bindings = JSON.parse(r.outputs.bindings!) as Record<string, string>[];
  expect(bindings.map((b) => [b.state, b.changed])).toEqual([
    ['absent', 'true'],
    ['present', 'true'],
  ]);

  await clearJournals(emu);
  ok(
    await runBindings([
      item('efs-csi-controller-sa', 'efs-controller', { state: 'absent' }),
      item('efs-csi-node-sa', 'efs-node'),
    ]),
  );
  expect((await writes(emu)).aws).toEqual([]);
});

test('bindings sharing a scoped role: its one trust write lets the added one in before the add-on write', async () => {
  const scoped = { 'scope-trust': 'true' };
  ok(await run({ 'role-name': 'efs-shared', ...scoped }));
  await clearJournals(emu);
  const r = await runBindings([
    item('efs-csi-controller-sa', 'efs-shared', { state: 'absent', ...scoped }),
    item('efs-csi-node-sa', 'efs-shared', scoped),
  ]);
  ok(r);
  const calls = (await emu.aws.journal()).filter((j) =>
    ['UpdateAssumeRolePolicy', 'UpdateAddon'].includes(j.operation),
  );
  // EKS checks the trust of the role it is given: the trust write (taking the removed statement out too) comes first
  expect(calls.map((j) => j.operation)).toEqual(['UpdateAssumeRolePolicy', 'UpdateAddon']);
  const subjects = (await trustOf(emu, 'efs-shared')).Statement.map((s: any) => JSON.stringify(s.Condition));
  expect(subjects).toHaveLength(1);
  expect(subjects[0]).toContain('efs-csi-node-sa');
  expect(Object.fromEntries(Object.entries(await listed()).map(([k, v]: [string, any]) => [k, v.role]))).toEqual({
    'kube-system/efs-csi-node-sa': roleArn('efs-shared'),
  });
});

test("the add-on's last association: UpdateAddon with an empty list, the add-on stays", async () => {
  const r1 = await runInProcess(
    {
      'cluster-name': CLUSTER,
      addon: EBS,
      'install-agent': 'false',
      ...item('ebs-csi-controller-sa', 'ebs-csi'),
    },
    env(),
  );
  ok(r1);
  expect((await describeAddon(EBS)).podIdentityAssociations).toHaveLength(1);
  await clearJournals(emu);
  const r = await runInProcess(
    {
      'cluster-name': CLUSTER,
      addon: EBS,
      'install-agent': 'false',
      state: 'absent',
      ...item('ebs-csi-controller-sa', 'ebs-csi'),
    },
    env(),
  );
  ok(r);
  expect(changeList(r)).toEqual(['eks-addon remove', 'iam-role-policy detach', 'iam-role delete']);
  expect(r.changes[1]!.detail).toBe(`detach ${EBS_POLICY} from ebs-csi`);
  const addon = await describeAddon(EBS);
  expect(addon.status).toBe('ACTIVE');
  expect(addon.podIdentityAssociations ?? []).toEqual([]);
  expect(await listed()).toEqual({});
  expect(await roleExists('ebs-csi')).toBe(false);
});

test('not installed, or no association for the service account: nothing to do, no write', async () => {
  await podRole('efs-controller');
  await clearJournals(emu);
  const missing = await run({ state: 'absent' });
  ok(missing);
  expect(missing.changes).toEqual([]);
  expect((await writes(emu)).aws).toEqual([]);
  expect((await aws(emu, ['eks', 'list-addons', '--cluster-name', CLUSTER])).addons).toEqual([]);

  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await aws(emu, ['eks', 'create-addon', '--cluster-name', CLUSTER, '--addon-name', EFS]);
  await clearJournals(emu);
  const none = await run({ state: 'absent' });
  ok(none);
  expect(none.changes).toEqual([]);
  expect((await writes(emu)).aws).toEqual([]);
});
