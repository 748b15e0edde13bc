// Removal (`state: absent`) of a binding with `target-role-arn` end to end: the program in process
// (helpers/run-in-process.ts) against moto (+ EKS extensions) and the local Kubernetes API server; end states judged
// with the AWS SDK (helpers/judge.ts). The target role's trust gives up this binding's grant (its role with the
// deleted association's external ID) and nothing else; the target role itself stays.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, trustOf, writes } from './helpers/judge.js';
import { type ActionRun } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'demo';
const ACCOUNT = '123456789012';
const ROLE = 'app-role';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
/** Readable: in the account of the run's credentials. */
const TARGET = `arn:aws:iam::${ACCOUNT}:role/data-reader`;
/** Not readable with these credentials: another account. */
const FOREIGN_TARGET = 'arn:aws:iam::999999999999:role/data-reader';
const ec2Statement = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
/** Someone else's grant of the same role, with an external ID of their own: not this binding's. */
const foreignGrant = {
  Sid: 'PartnerAccess',
  Effect: 'Allow',
  Principal: { AWS: ROLE_ARN },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': 'partner-id' } },
};

let emu: Emulators;
beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 1 });
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    'data-reader',
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [ec2Statement] }),
  ]);
  await clearJournals(emu);
});

const env = () => ({ ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' });
const run = (over: Record<string, string> = {}) =>
  runInProcess(
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'service-account': 'api',
      'role-name': ROLE,
      'create-service-account': 'false',
      ...over,
    },
    { env: env() },
  );
const runItems = (items: Record<string, string>[], over: Record<string, string> = {}) =>
  runInProcess({ bindings: JSON.stringify(items), 'create-service-account': 'false', ...over }, { env: env() });
const item = (sa: string, role: string, state = 'present') => ({
  'cluster-name': CLUSTER,
  namespace: 'apps',
  'service-account': sa,
  'role-name': role,
  'target-role-arn': TARGET,
  state,
});
const ok = (r: ActionRun) => expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
const associations = async (sa = 'api') =>
  (
    await aws(emu, [
      'eks',
      'list-pod-identity-associations',
      '--cluster-name',
      CLUSTER,
      '--namespace',
      'apps',
      '--service-account',
      sa,
    ])
  ).associations;
const externalIdOf = async (sa = 'api') =>
  (
    await aws(emu, [
      'eks',
      'describe-pod-identity-association',
      '--cluster-name',
      CLUSTER,
      '--association-id',
      (await associations(sa))[0].associationId,
    ])
  ).association.externalId as string;
const grant = (externalId: string, roleArn = ROLE_ARN) =>
  expect.objectContaining({
    Sid: expect.stringMatching(/^EksPodIamTarget/),
    Principal: { AWS: roleArn },
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  });
const targetResources = async (role = ROLE) =>
  (await aws(emu, ['iam', 'get-role-policy', '--role-name', role, '--policy-name', 'eks-pod-iam-target']))
    .PolicyDocument.Statement[0].Resource;
const roleExists = async (role: string) =>
  (await aws(emu, ['iam', 'list-roles'])).Roles.some((x: any) => x.RoleName === role);
const verifyLine = (r: ActionRun, name: string) => r.stdout.split('\n').find((l) => l.includes(` ${name}: `)) ?? '';
const addForeignGrant = async () => {
  const trust = await trustOf(emu, 'data-reader');
  await aws(emu, [
    'iam',
    'update-assume-role-policy',
    '--role-name',
    'data-reader',
    '--policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [...trust.Statement, foreignGrant] }),
  ]);
};

test('readable target: only this grant leaves its trust, after the association; target kept', async () => {
  ok(await run({ 'target-role-arn': TARGET }));
  const externalId = await externalIdOf();
  await addForeignGrant();
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, grant(externalId), foreignGrant]);
  await clearJournals(emu);

  const r = await run({ 'target-role-arn': TARGET, state: 'absent' });
  ok(r);
  expect(r.stdout).not.toContain('Not settled yet');
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'pod-identity-association delete',
    'iam-inline-policy delete',
    'iam-role delete',
    'iam-target-role-trust remove',
  ]);
  const removal = r.changes.find((c) => c.resource === 'iam-target-role-trust')!;
  expect(removal.detail).toContain(`${ROLE_ARN} (external ID ${externalId})`);
  expect(removal.detail).toContain('2 statements kept');
  // Only this binding's grant went: the foreign statement and someone else's grant of the same role stay as they were.
  const target = (await aws(emu, ['iam', 'get-role', '--role-name', 'data-reader'])).Role;
  expect(target.Arn).toBe(TARGET);
  expect(target.AssumeRolePolicyDocument.Statement).toEqual([ec2Statement, foreignGrant]);
  expect(await associations()).toEqual([]);
  expect(await roleExists(ROLE)).toBe(false);
  // Ordering: the association is deleted before the target's trust is written, and the role (with its
  // eks-pod-iam-target policy) only after it.
  const ops = (await emu.aws.journal()).map((j) => j.operation);
  const at = (op: string) => ops.indexOf(op);
  expect(at('DeletePodIdentityAssociation')).toBeLessThan(at('UpdateAssumeRolePolicy'));
  expect(at('DeleteRolePolicy')).toBeLessThan(at('DeleteRole'));
  expect(at('UpdateAssumeRolePolicy')).toBeLessThan(at('DeleteRole'));
  expect(ops.filter((o) => o === 'UpdateAssumeRolePolicy')).toHaveLength(1);
  expect(verifyLine(r, 'target role trust removed')).toMatch(/✓ .*no longer lets .* 2 statements kept/);
  expect(r.summary).toMatch(/\| iam-target-role-trust \| remove \|/);
  expect(r.summary).toMatch(/\| target role trust removed \| ✅ pass \|/);

  await clearJournals(emu);
  const again = await run({ 'target-role-arn': TARGET, state: 'absent' });
  ok(again);
  expect(again.outputs.changed).toBe('false');
  const w = await writes(emu);
  expect([...w.aws, ...w.kube]).toEqual([]);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, foreignGrant]);
});

test('dry run: no write, the target trust removal listed; the real run then makes exactly those changes', async () => {
  ok(await run({ 'target-role-arn': TARGET }));
  const before = await trustOf(emu, 'data-reader');
  await clearJournals(emu);
  const dry = await run({ 'target-role-arn': TARGET, state: 'absent', 'dry-run': 'true' });
  ok(dry);
  const w = await writes(emu);
  expect([...w.aws, ...w.kube]).toEqual([]);
  expect(dry.changes.map((c) => `${c.resource} ${c.action}`)).toContain('iam-target-role-trust remove');
  expect(dry.summary).toMatch(/\| target role trust removed \| ⏳ fixed by the plan \|/);
  expect(await trustOf(emu, 'data-reader')).toEqual(before);
  const real = await run({ 'target-role-arn': TARGET, state: 'absent' });
  ok(real);
  expect(real.changes).toEqual(dry.changes);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement]);
});

test('unreadable target (another account): the statement to remove is printed, not verifiable, success', async () => {
  ok(await run({ 'target-role-arn': FOREIGN_TARGET }));
  const externalId = await externalIdOf();
  await clearJournals(emu);
  const r = await run({ 'target-role-arn': FOREIGN_TARGET, state: 'absent' });
  ok(r);
  expect(r.changes.map((c) => c.resource)).not.toContain('iam-target-role-trust');
  expect(await associations()).toEqual([]);
  const warning = r.stdout.split('\n').find((l) => l.startsWith('::warning::Remove this statement'))!;
  expect(warning).toContain(`trust policy of ${FOREIGN_TARGET}: `);
  expect(JSON.parse(warning.slice(warning.indexOf(': {') + 2))).toEqual({
    Sid: expect.stringMatching(/^EksPodIamTarget/),
    Effect: 'Allow',
    Principal: { AWS: ROLE_ARN },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  });
  expect(verifyLine(r, 'target role trust removed')).toMatch(
    /^– target role trust removed: not verifiable: .*999999999999/,
  );
  // Nothing of the other account was looked up by name in this one.
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement]);

  // Rerun: the association is gone, nothing to write and nothing known to print.
  await clearJournals(emu);
  const again = await run({ 'target-role-arn': FOREIGN_TARGET, state: 'absent' });
  ok(again);
  expect(again.outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
  expect(again.stdout).not.toContain('::warning::Remove this statement');
  expect(verifyLine(again, 'target role trust removed')).toMatch(/not verifiable: .*the association is gone/);
});

test('one run removes one binding and adds another of the same target: one trust write does both', async () => {
  ok(await runItems([item('api', ROLE)]));
  await clearJournals(emu);
  const r = await runItems([item('api', ROLE, 'absent'), item('web', 'web-role')]);
  ok(r);
  const writesOfTarget = r.changes.filter((c) => c.resource === 'iam-target-role-trust');
  expect(writesOfTarget).toHaveLength(1);
  expect(writesOfTarget[0]!.detail).toMatch(/^allow .*web-role.*; remove .*app-role \(external ID /);
  const journal = await emu.aws.journal();
  expect(journal.filter((j) => j.operation === 'UpdateAssumeRolePolicy')).toHaveLength(1);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([
    ec2Statement,
    grant(await externalIdOf('web'), `arn:aws:iam::${ACCOUNT}:role/web-role`),
  ]);
  expect(await associations('api')).toEqual([]);
});

test('two absent bindings of two roles share the target: one trust write takes out both grants', async () => {
  ok(await runItems([item('api', ROLE), item('web', 'web-role')]));
  const web = await externalIdOf('web');
  ok(await runItems([item('other', 'other-role')]));
  const other = await externalIdOf('other');
  await clearJournals(emu);
  const r = await runItems([item('api', ROLE, 'absent'), item('web', 'web-role', 'absent')]);
  ok(r);
  expect(r.changes.filter((c) => c.resource === 'iam-target-role-trust')).toHaveLength(1);
  const journal = await emu.aws.journal();
  expect(journal.filter((j) => j.operation === 'UpdateAssumeRolePolicy')).toHaveLength(1);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([
    ec2Statement,
    grant(other, `arn:aws:iam::${ACCOUNT}:role/other-role`),
  ]);
  expect(web).not.toBe(other);
});

test('rerun after a run killed between the association and the trust: the stale grant is still taken out', async () => {
  // Two bindings of one role and one target: api's association disappears without its grant (as when a run is
  // killed right after deleting it); web's association still uses its own grant.
  ok(await runItems([item('api', ROLE), item('web', ROLE)]));
  const [api, web] = [await externalIdOf('api'), await externalIdOf('web')];
  await aws(emu, [
    'eks',
    'delete-pod-identity-association',
    '--cluster-name',
    CLUSTER,
    '--association-id',
    (await associations('api'))[0].associationId,
  ]);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, grant(api), grant(web)]);
  await clearJournals(emu);

  const r = await run({ 'target-role-arn': TARGET, state: 'absent' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual(['iam-target-role-trust remove']);
  expect(r.changes[0]!.detail).toContain(`external ID ${api}`);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, grant(web)]);
  expect(verifyLine(r, 'target role trust removed')).toMatch(/✓/);
  // web's association still uses the target through the role: the role may still assume it.
  expect(await targetResources()).toEqual([TARGET]);
  // Rerun: nothing left to take out, nothing written.
  await clearJournals(emu);
  const again = await run({ 'target-role-arn': TARGET, state: 'absent' });
  ok(again);
  expect(again.outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

const inlinePolicies = async (role: string) =>
  (await aws(emu, ['iam', 'list-role-policies', '--role-name', role])).PolicyNames as string[];

test('a role eks-pod-iam made that stays: eks-pod-iam-target loses the target with its last user', async () => {
  // api (with the target) and web (without) share the role: removing api keeps the role for web.
  const web = { ...item('web', ROLE), 'target-role-arn': '' };
  ok(await runItems([item('api', ROLE), web]));
  expect(await inlinePolicies(ROLE)).toContain('eks-pod-iam-target');
  await clearJournals(emu);

  const r = await run({ 'target-role-arn': TARGET, state: 'absent' });
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'pod-identity-association delete',
    'iam-inline-policy delete',
    'iam-target-role-trust remove',
  ]);
  expect(r.changes[1]!.detail).toContain(`eks-pod-iam-target on ${ROLE}: may no longer assume target role ${TARGET}`);
  expect(await roleExists(ROLE)).toBe(true);
  expect(await inlinePolicies(ROLE)).not.toContain('eks-pod-iam-target');
  expect(await associations('web')).toHaveLength(1);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement]);
  expect(verifyLine(r, 'target policy revoked')).toMatch(/✓/);

  await clearJournals(emu);
  const again = await run({ 'target-role-arn': TARGET, state: 'absent' });
  ok(again);
  expect(again.outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

test('a role eks-pod-iam did not make: its eks-pod-iam-target policy stays (nothing is taken from it)', async () => {
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    'team-role',
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [ec2Statement] }),
  ]);
  const teamArn = `arn:aws:iam::${ACCOUNT}:role/team-role`;
  const bind = { 'role-arn': teamArn, 'role-name': '', 'target-role-arn': TARGET };
  ok(await run(bind));
  const r = await run({ ...bind, state: 'absent' });
  ok(r);
  expect(await associations()).toEqual([]);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement]);
  expect(await roleExists('team-role')).toBe(true);
  expect(await inlinePolicies('team-role')).toContain('eks-pod-iam-target');
  expect(r.changes.map((c) => c.resource)).not.toContain('iam-inline-policy');
});
