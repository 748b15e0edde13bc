// Cross-account target roles (issue 13, `target-role-arn`, output `external-id`) end to end: the program in process
// (helpers/run-in-process.ts) against moto (+ EKS extensions) and the local Kubernetes API server; end states judged
// with the AWS SDK (helpers/judge.ts).
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, lateRequests, trustOf, writes } from './helpers/judge.js';
import { type ActionRun } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'demo';
const ACCOUNT = '123456789012';
const ROLE = 'app-role';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
/** Readable: in the account of the run's credentials. */
const TARGET = `arn:aws:iam::${ACCOUNT}:role/data-reader`;
const OTHER_TARGET = `arn:aws:iam::${ACCOUNT}:role/data-writer`;
/** Not readable with these credentials: another account (GetRole only ever answers for the caller's own). */
const FOREIGN_TARGET = 'arn:aws:iam::999999999999:role/data-reader';
const ec2Statement = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };

let emu: Emulators;
beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 1 });
  for (const name of ['data-reader', 'data-writer'])
    await aws(emu, [
      'iam',
      'create-role',
      '--role-name',
      name,
      '--assume-role-policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [ec2Statement] }),
    ]);
  await clearJournals(emu);
});

const inputs = (over: Record<string, string> = {}) => ({
  'cluster-name': CLUSTER,
  namespace: 'apps',
  'service-account': 'api',
  'role-name': ROLE,
  'create-service-account': 'false',
  ...over,
});
const run = (over: Record<string, string> = {}, timeScale = '0.01') =>
  runInProcess(inputs(over), { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: timeScale } });

const association = async (sa = 'api') => {
  const list = (
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
  expect(list).toHaveLength(1);
  return (
    await aws(emu, [
      'eks',
      'describe-pod-identity-association',
      '--cluster-name',
      CLUSTER,
      '--association-id',
      list[0].associationId,
    ])
  ).association;
};
const targetPolicy = async (role = ROLE) =>
  (await aws(emu, ['iam', 'get-role-policy', '--role-name', role, '--policy-name', 'eks-pod-iam-target']))
    .PolicyDocument;
/** The statement the target's trust needs: the association's role, with the association's external ID. */
const grant = (externalId: string, roleArn = ROLE_ARN) =>
  expect.objectContaining({
    Sid: expect.stringMatching(/^EksPodIamTarget/),
    Effect: 'Allow',
    Principal: { AWS: roleArn },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  });
const verifyLine = (r: ActionRun, name: string) => r.stdout.split('\n').find((l) => l.includes(` ${name}: `)) ?? '';

test('readable target: association has it, external-id, eks-pod-iam-target, merged trust; rerun no-op', async () => {
  // At full time scale (the trust watch's re-reads ~200 ms apart): nothing of the run is still going once it returned.
  const r = await run({ 'target-role-arn': TARGET }, '1');
  expect(await lateRequests(emu)).toEqual([]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const a = await association();
  expect(a.targetRoleArn).toBe(TARGET);
  expect(a.externalId).toEqual(expect.any(String));
  expect(r.outputs['external-id']).toBe(a.externalId);
  expect(JSON.parse(r.outputs.bindings!)[0]['external-id']).toBe(a.externalId);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role create',
    'iam-inline-policy create',
    'eks-addon create',
    'pod-identity-association create',
    'iam-target-role-trust update',
  ]);
  expect((await targetPolicy()).Statement).toEqual([
    { Sid: 'EksPodIamTarget', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: [TARGET] },
  ]);
  // Merged, never replaced: the foreign statement is kept as it was.
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, grant(a.externalId)]);
  for (const name of ['association', 'target policy', 'target role trust']) expect(verifyLine(r, name)).toMatch(/✓/);
  expect(r.summary).toMatch(/\| iam-target-role-trust \| update \|/);
  expect(r.summary).toContain(`| external-id | \`${a.externalId}\` |`);

  await clearJournals(emu);
  const again = await run({ 'target-role-arn': TARGET });
  expect(again.code).toBe(0);
  expect(again.outputs.changed).toBe('false');
  expect(again.outputs['external-id']).toBe(a.externalId);
  expect((await writes(emu)).aws).toEqual([]);
});

test('unreadable target (another account): success, the exact statement printed, check not verifiable', async () => {
  const r = await run({ 'target-role-arn': FOREIGN_TARGET });
  expect(r.code).toBe(0);
  const a = await association();
  expect(a.targetRoleArn).toBe(FOREIGN_TARGET);
  expect(r.outputs['external-id']).toBe(a.externalId);
  expect(r.changes.map((c) => c.resource)).not.toContain('iam-target-role-trust');
  expect((await targetPolicy()).Statement[0].Resource).toEqual([FOREIGN_TARGET]);
  // The exact statement, as a warning annotation, with the external ID the association got.
  const warning = r.stdout.split('\n').find((l) => l.startsWith('::warning::Add this statement'))!;
  expect(warning).toContain(`trust policy of ${FOREIGN_TARGET}: `);
  const statement = JSON.parse(warning.slice(warning.indexOf(': {') + 2));
  expect(statement).toEqual(grant(a.externalId));
  expect(verifyLine(r, 'target role trust')).toMatch(/^– target role trust: not verifiable: .*account 999999999999/);
  expect(r.summary).toMatch(/\| target role trust \| skipped \| not verifiable/);
  // Nothing of the other account was looked up by name in this one.
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement]);
});

test('change the target, then clear it: same association, updated in place', async () => {
  const first = await run({ 'target-role-arn': TARGET });
  const id = first.outputs['association-id'];
  const firstId = (await association()).externalId;

  const moved = await run({ 'target-role-arn': OTHER_TARGET });
  expect(moved.code).toBe(0);
  expect(moved.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-inline-policy update',
    'pod-identity-association update',
    'iam-target-role-trust update',
  ]);
  expect(moved.changes[1]!.detail).toContain(`target role ${TARGET} → ${OTHER_TARGET}`);
  let a = await association();
  expect([a.associationId, a.targetRoleArn]).toEqual([id, OTHER_TARGET]);
  expect(moved.outputs['external-id']).toBe(a.externalId);
  expect((await trustOf(emu, 'data-writer')).Statement).toEqual([ec2Statement, grant(a.externalId)]);
  // Add-only: the earlier target stays granted (nothing eks-pod-iam gave is taken away by a run).
  expect((await targetPolicy()).Statement[0].Resource).toEqual([TARGET, OTHER_TARGET]);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, grant(firstId)]);

  await clearJournals(emu);
  const cleared = await run({ 'target-role-arn': '' });
  expect(cleared.code).toBe(0);
  expect(cleared.changes.map((c) => c.detail)).toEqual([expect.stringContaining(`clear target role ${OTHER_TARGET}`)]);
  expect((await writes(emu)).aws).toEqual(['UpdatePodIdentityAssociation']);
  a = await association();
  expect([a.associationId, a.targetRoleArn ?? '', a.externalId ?? '']).toEqual([id, '', '']);
  expect(cleared.outputs['external-id']).toBeUndefined();
  expect(verifyLine(cleared, 'association')).toMatch(/✓/);
});

test('dry run: no write, every change listed; a real run then makes exactly those', async () => {
  const dry = await run({ 'target-role-arn': TARGET, 'dry-run': 'true' });
  expect(dry.code).toBe(0);
  const w = await writes(emu);
  expect([...w.aws, ...w.kube]).toEqual([]);
  expect(dry.changes.map((c) => `${c.resource} ${c.action}`)).toContain('iam-target-role-trust update');
  expect(dry.summary).toMatch(/\| target role trust \| ⏳ fixed by the plan \|/);
  const real = await run({ 'target-role-arn': TARGET });
  expect(real.changes).toEqual(dry.changes);
});

test('inside bindings: two items, one with a target; external-id only on that one', async () => {
  const items = [
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'service-account': 'api',
      'role-name': ROLE,
      'target-role-arn': TARGET,
    },
    { 'cluster-name': CLUSTER, namespace: 'apps', 'service-account': 'web', 'role-name': ROLE },
  ];
  const r = await runInProcess(
    { bindings: JSON.stringify(items), 'create-service-account': 'false' },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
  expect(r.code).toBe(0);
  const [api, web] = JSON.parse(r.outputs.bindings!);
  const a = await association('api');
  expect(api['external-id']).toBe(a.externalId);
  expect(web).not.toHaveProperty('external-id');
  expect((await association('web')).targetRoleArn ?? '').toBe('');
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, grant(a.externalId)]);
  expect(r.outputs['external-id']).toBeUndefined();
});

test('one target role for two bindings of two roles: one trust write, a statement for each association', async () => {
  const items = [
    { 'cluster-name': CLUSTER, namespace: 'apps', 'service-account': 'api', 'role-name': ROLE },
    { 'cluster-name': CLUSTER, namespace: 'apps', 'service-account': 'web', 'role-name': 'web-role' },
  ].map((i) => ({ ...i, 'target-role-arn': TARGET }));
  const r = await runInProcess(
    { bindings: JSON.stringify(items), 'create-service-account': 'false' },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
  expect(r.code).toBe(0);
  expect(r.changes.filter((c) => c.resource === 'iam-target-role-trust')).toHaveLength(1);
  const journal = await emu.aws.journal();
  expect(journal.filter((j) => j.operation === 'UpdateAssumeRolePolicy')).toHaveLength(1);
  const [api, web] = [await association('api'), await association('web')];
  expect(api.externalId).not.toBe(web.externalId);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([
    ec2Statement,
    grant(api.externalId),
    grant(web.externalId, `arn:aws:iam::${ACCOUNT}:role/web-role`),
  ]);
  expect(JSON.parse(r.outputs.bindings!).map((b: Record<string, string>) => b['external-id'])).toEqual([
    api.externalId,
    web.externalId,
  ]);
});

describe('bad inputs are refused with one line naming the input, before any request', () => {
  test.each([
    ['not an ARN', { 'target-role-arn': 'data-reader' }, 'Input "target-role-arn"'],
    ['irsa mode', { 'target-role-arn': TARGET, mode: 'irsa' }, 'Input "target-role-arn"'],
  ])('%s', async (_what, over, named) => {
    const r = await run(over);
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(named);
    const [aws, kube] = await Promise.all([emu.aws.journal(), emu.kube.journal()]);
    expect([aws, kube]).toEqual([[], []]);
  });
});
