// `managed-policy` end to end (seed 001's `my-policy`, kept by eks-pod-iam): the program in process
// (helpers/run-in-process.ts) against moto (+ extensions) and the local Kubernetes API server; end states judged with
// the AWS SDK (helpers/judge.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, writes } from './helpers/judge.js';
import { runInProcess } from './helpers/run-in-process.js';
import { type ActionRun } from './helpers/run-action.js';

const CLUSTER = 'demo';
const ROLE = 'app-role';
const ACCOUNT = '123456789012';
const arnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
const DEFAULT_ARN = arnOf(`${ROLE}-eks-pod-iam`);
// Seed 001's example policy.
const DOC = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-pod-secrets-bucket' }],
};
// The same in meaning: other key order, white space, a one-element list for a single value.
const SAME_DOC = `{
  "Statement": [ { "Resource": "arn:aws:s3:::my-pod-secrets-bucket", "Action": ["s3:GetObject"], "Effect": "Allow" } ],
    "Version": "2012-10-17"
}`;
const docWith = (action: string) => ({ ...DOC, Statement: [{ ...DOC.Statement[0], Action: action }] });

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

const githubRun = {
  GITHUB_REPOSITORY: 'acme/platform',
  GITHUB_RUN_ID: '1001',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_WORKFLOW: 'bootstrap',
};
const run = (over: Record<string, string> = {}, cwd?: string) =>
  runInProcess(
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'service-account': 'api',
      'role-name': ROLE,
      'managed-policy': JSON.stringify(DOC),
      ...over,
    },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01', ...githubRun }, cwd },
  );

const failureOf = (r: ActionRun) => {
  const line = r.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
  return line.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
};
const policy = async (arn = DEFAULT_ARN) => (await aws(emu, ['iam', 'get-policy', '--policy-arn', arn])).Policy;
const versions = async (arn = DEFAULT_ARN) =>
  (await aws(emu, ['iam', 'list-policy-versions', '--policy-arn', arn])).Versions.map(
    (v: any) => `${v.VersionId}${v.IsDefaultVersion ? '*' : ''}`,
  ).sort();
const defaultDocument = async (arn = DEFAULT_ARN) =>
  (
    await aws(emu, [
      'iam',
      'get-policy-version',
      '--policy-arn',
      arn,
      '--version-id',
      (await policy(arn)).DefaultVersionId,
    ])
  ).PolicyVersion.Document;
const attached = async (role = ROLE) =>
  (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', role])).AttachedPolicies.map(
    (p: any) => p.PolicyArn,
  ).sort();
const kinds = (r: ActionRun) => r.changes.map((c) => `${c.resource} ${c.action}`);
const newVersion = async (arn: string, action: string, asDefault = false) =>
  await aws(emu, [
    'iam',
    'create-policy-version',
    '--policy-arn',
    arn,
    '--policy-document',
    JSON.stringify(docWith(action)),
    ...(asDefault ? ['--set-as-default'] : []),
  ]);

test('fresh: made with the eks-pod-iam tags and attached; a rerun in other words writes nothing', async () => {
  const r = await run();
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(kinds(r)).toEqual([
    'iam-managed-policy create',
    'iam-role create',
    'iam-role-policy attach',
    'eks-addon create',
    'pod-identity-association create',
    'namespace create',
    'service-account create',
  ]);
  expect(r.changes[0]!.detail).toBe(`create policy ${ROLE}-eks-pod-iam (${DEFAULT_ARN})`);
  expect(r.changes[2]!.detail).toBe(`attach ${DEFAULT_ARN} to ${ROLE}`);
  const p = await policy();
  expect(Object.fromEntries(p.Tags.map((t: any) => [t.Key, t.Value]))).toEqual({
    'eks-pod-iam:managed': 'true',
    'eks-pod-iam:github-repository': 'acme/platform',
    'eks-pod-iam:github-workflow': 'bootstrap',
    'eks-pod-iam:github-run': 'https://github.com/acme/platform/actions/runs/1001',
  });
  expect(p.Description).toBe(`Created by eks-pod-iam for role ${ROLE}`);
  expect(await versions()).toEqual(['v1*']);
  expect(await defaultDocument()).toEqual(DOC);
  expect(await attached()).toEqual([DEFAULT_ARN]);
  // Visible in the log's observation, the verification and the summary.
  expect(r.stdout).toContain(`iam-managed-policy ${ROLE}-eks-pod-iam: does not exist`);
  expect(r.stdout).toMatch(/✓ managed policy attached: .*app-role-eks-pod-iam on app-role/);
  expect(r.stdout).toContain('✓ managed policy document: default version v1 is the document');
  expect(r.summary).toContain('| iam-managed-policy | create |');
  expect(r.summary).toContain('| managed policy document | ✅ pass |');
  expect(r.summary).toContain('role --> managed["managed policy<br/>app-role-eks-pod-iam"]');

  await clearJournals(emu);
  const again = await run({ 'managed-policy': SAME_DOC });
  expect(again.code).toBe(0);
  expect(again.outputs.changed).toBe('false');
  expect(again.outputs.changes).toBe('[]');
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  // The policy's reads: one each, only because the binding gives managed-policy.
  for (const op of ['GetPolicy', 'ListPolicyVersions', 'GetPolicyVersion'])
    expect(w.awsCalls.filter((c) => c === op)).toEqual([op]);
  console.log(`rerun with a managed policy: ${w.awsCalls.length} AWS calls`);
  expect(again.stdout).toContain(`iam-managed-policy ${ROLE}-eks-pod-iam: exists, default version v1 of 1`);
  expect(await versions()).toEqual(['v1*']);
});

test('without managed-policy no policy is read', async () => {
  const r = await run({ 'managed-policy': '' });
  expect(r.code).toBe(0);
  const w = await writes(emu);
  expect(w.awsCalls.filter((c) => /Policy(Version)?s?$/.test(c) && !/RolePolic/.test(c))).toEqual([]);
});

test('a changed document: a new default version (same ARN); with five, the oldest non-default goes first', async () => {
  await run({ 'managed-policy-name': 'my-policy' });
  const ARN = arnOf('my-policy');
  await clearJournals(emu);
  const changed = await run({ 'managed-policy-name': 'my-policy', 'managed-policy': JSON.stringify(docWith('s3:*')) });
  expect(changed.code).toBe(0);
  expect(changed.changes).toEqual([
    {
      resource: 'iam-managed-policy',
      action: 'update',
      detail: 'make the document the default version of policy my-policy (was v1)',
      binding: `${CLUSTER}/apps/api`,
    },
  ]);
  expect((await writes(emu)).aws).toEqual(['CreatePolicyVersion']);
  expect(await versions(ARN)).toEqual(['v1', 'v2*']);
  expect(await defaultDocument(ARN)).toEqual(docWith('s3:*'));
  expect(await attached()).toEqual([ARN]);

  // Five versions (v2 the default): the oldest non-default one, v1, is deleted before the new version is made.
  for (const action of ['s3:Get3', 's3:Get4', 's3:Get5']) await newVersion(ARN, action);
  expect(await versions(ARN)).toEqual(['v1', 'v2*', 'v3', 'v4', 'v5']);
  await aws(emu, ['iam', 'set-default-policy-version', '--policy-arn', ARN, '--version-id', 'v4']);
  await clearJournals(emu);
  const full = await run({ 'managed-policy-name': 'my-policy', 'managed-policy': JSON.stringify(docWith('s3:List*')) });
  expect(full.code).toBe(0);
  expect(kinds(full)).toEqual(['iam-managed-policy delete-version', 'iam-managed-policy update']);
  expect(full.changes[0]!.detail).toBe('delete version v1 of policy my-policy, the oldest of its 5 (IAM keeps 5)');
  expect((await writes(emu)).aws).toEqual(['DeletePolicyVersion', 'CreatePolicyVersion']);
  expect(await versions(ARN)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6*']);
  expect(await defaultDocument(ARN)).toEqual(docWith('s3:List*'));
  expect((await policy(ARN)).Arn).toBe(ARN);

  // Back to the document of a version that is not the default: still a new version (IAM's default is what counts).
  await clearJournals(emu);
  const back = await run({ 'managed-policy-name': 'my-policy', 'managed-policy': JSON.stringify(docWith('s3:Get3')) });
  expect(back.code).toBe(0);
  expect((await writes(emu)).aws).toEqual(['DeletePolicyVersion', 'CreatePolicyVersion']);
  expect(await versions(ARN)).toEqual(['v3', 'v4', 'v5', 'v6', 'v7*']);
});

test('a same-named policy eks-pod-iam did not make: fails naming managed-policy-name, nothing changes', async () => {
  // Seed 001's steps by hand: the policy, on another role.
  const ARN = arnOf('my-policy');
  await aws(emu, ['iam', 'create-policy', '--policy-name', 'my-policy', '--policy-document', JSON.stringify(DOC)]);
  await newVersion(ARN, 's3:Get2');
  const trust = { Version: '2012-10-17', Statement: [] };
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    'other',
    '--assume-role-policy-document',
    JSON.stringify(trust),
  ]);
  await aws(emu, ['iam', 'attach-role-policy', '--role-name', 'other', '--policy-arn', ARN]);
  const before = { policy: await policy(ARN), versions: await versions(ARN) };
  await clearJournals(emu);

  const r = await run({ 'managed-policy-name': 'my-policy', 'managed-policy': JSON.stringify(docWith('s3:*')) });
  expect(r.code).toBe(1);
  const failure = failureOf(r);
  expect(failure.split('\n')).toHaveLength(1);
  expect(failure).toBe(
    `Input "managed-policy-name": the policy ${ARN} exists and eks-pod-iam did not make it ` +
      '(no eks-pod-iam:managed tag), so it is never changed: give another name, or attach it with "policy-arns".',
  );
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  expect({ policy: await policy(ARN), versions: await versions(ARN) }).toEqual(before);
  expect(before.policy.AttachmentCount).toBe(1);
  expect(await defaultDocument(ARN)).toEqual(DOC);
});

test('irsa, an existing role given by role-arn: the policy is made in its account and attached', async () => {
  const trust = { Version: '2012-10-17', Statement: [] };
  await aws(emu, ['iam', 'create-role', '--role-name', ROLE, '--assume-role-policy-document', JSON.stringify(trust)]);
  const over = { mode: 'irsa', 'role-name': '', 'role-arn': `arn:aws:iam::${ACCOUNT}:role/${ROLE}` };
  const r = await run(over);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(kinds(r).slice(0, 2)).toEqual(['iam-oidc-provider create', 'iam-managed-policy create']);
  expect(await attached()).toEqual([DEFAULT_ARN]);
  expect(await defaultDocument()).toEqual(DOC);
  await clearJournals(emu);
  expect((await run(over)).outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

test('dry run: no write, the changes listed; a real run then makes exactly those', async () => {
  await run({ 'managed-policy-name': 'my-policy' });
  const ARN = arnOf('my-policy');
  for (const action of ['s3:Get2', 's3:Get3', 's3:Get4', 's3:Get5']) await newVersion(ARN, action);
  const over = { 'managed-policy-name': 'my-policy', 'managed-policy': JSON.stringify(docWith('s3:*')) };
  await clearJournals(emu);
  const dry = await run({ ...over, 'dry-run': 'true' });
  expect(dry.code).toBe(0);
  expect(dry.outputs.changed).toBe('true');
  expect(kinds(dry)).toEqual(['iam-managed-policy delete-version', 'iam-managed-policy update']);
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  expect(dry.summary).toContain('| managed policy document | ⏳ fixed by the plan |');
  expect(await versions(ARN)).toEqual(['v1*', 'v2', 'v3', 'v4', 'v5']);
  const real = await run(over);
  expect(real.changes).toEqual(dry.changes);
  expect(await versions(ARN)).toEqual(['v1', 'v3', 'v4', 'v5', 'v6*']);
});

test('dry run on a fresh cluster lists the policy creation and its attachment', async () => {
  const dry = await run({ 'dry-run': 'true' });
  expect(dry.code).toBe(0);
  expect(kinds(dry).slice(0, 3)).toEqual(['iam-managed-policy create', 'iam-role create', 'iam-role-policy attach']);
  expect((await writes(emu)).aws).toEqual([]);
  expect((await aws(emu, ['iam', 'list-policies', '--scope', 'Local'])).Policies).toEqual([]);
});

test('bindings: two service accounts of one role, one policy: one create, one attach; rerun no write', async () => {
  const manifest = JSON.stringify([
    { 'service-account': 'api', 'managed-policy': DOC },
    { 'service-account': 'worker', 'managed-policy': SAME_DOC },
    { 'service-account': 'other', 'role-name': 'other-role', 'managed-policy-name': 'shared', 'managed-policy': DOC },
    { 'service-account': 'more', 'role-name': 'more-role', 'managed-policy-name': 'shared', 'managed-policy': DOC },
  ]);
  const r = await run({ 'service-account': '', 'managed-policy': '', bindings: manifest });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const w = await writes(emu);
  const count = (op: string) => w.aws.filter((c) => c === op).length;
  expect([count('CreatePolicy'), count('AttachRolePolicy')]).toEqual([2, 3]);
  expect(await attached()).toEqual([DEFAULT_ARN]);
  expect(await attached('other-role')).toEqual([arnOf('shared')]);
  expect(await attached('more-role')).toEqual([arnOf('shared')]);
  expect((await policy(arnOf('shared'))).Description).toBe('Created by eks-pod-iam for role other-role, more-role');
  expect(r.changes.filter((c) => c.resource === 'iam-managed-policy').map((c) => c.binding)).toEqual([
    `${CLUSTER}/apps/api`,
    `${CLUSTER}/apps/other`,
  ]);
  expect(JSON.parse(r.outputs.bindings!).map((b: any) => b.changed)).toEqual(['true', 'true', 'true', 'true']);

  await clearJournals(emu);
  const again = await run({ 'service-account': '', 'managed-policy': '', bindings: manifest });
  expect(again.code).toBe(0);
  expect(again.outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

test('bindings: a foreign policy fails only the binding that names it; the others are bound', async () => {
  await aws(emu, ['iam', 'create-policy', '--policy-name', 'my-policy', '--policy-document', JSON.stringify(DOC)]);
  const manifest = JSON.stringify([
    { 'service-account': 'api', 'managed-policy-name': 'my-policy', 'managed-policy': DOC },
    { 'service-account': 'worker' },
  ]);
  await clearJournals(emu);
  const r = await run({ 'service-account': '', 'managed-policy': '', bindings: manifest });
  expect(r.code).toBe(1);
  expect(failureOf(r)).toMatch(/^bindings\[0\] demo\/apps\/api: Input "managed-policy-name": the policy .*my-policy/);
  expect(failureOf(r).split('\n')).toHaveLength(1);
  expect(await attached()).toEqual([]);
  expect(await versions(arnOf('my-policy'))).toEqual(['v1*']);
  expect(JSON.parse(r.outputs.bindings!).map((b: any) => [b['service-account'], b.changed])).toEqual([
    ['api', 'false'],
    ['worker', 'true'],
  ]);
  expect((await writes(emu)).aws).not.toContain('CreatePolicy');
});

test('a file:// document, read relative to the working directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eks-pod-iam-mp-'));
  try {
    writeFileSync(join(dir, 'my-policy.json'), JSON.stringify(DOC, null, 2));
    const r = await run({ 'managed-policy': 'file://my-policy.json', 'managed-policy-name': 'my-policy' }, dir);
    expect(r.code).toBe(0);
    expect(await defaultDocument(arnOf('my-policy'))).toEqual(DOC);
    expect(await attached()).toEqual([arnOf('my-policy')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  ['a name without a document', { 'managed-policy': '', 'managed-policy-name': 'my-policy' }, 'managed-policy-name'],
  ['a document that is not JSON', { 'managed-policy': '{not json' }, 'managed-policy'],
  ['a bad name', { 'managed-policy-name': 'has space' }, 'managed-policy-name'],
])('bad input (%s): one line naming the input, no call at all', async (_what, over, input) => {
  const r = await run(over);
  expect(r.code).toBe(1);
  const failure = failureOf(r);
  expect(failure.split('\n')).toHaveLength(1);
  expect(failure).toMatch(new RegExp(`^Input "${input}" `));
  const [aws, kube] = await Promise.all([emu.aws.journal(), emu.kube.journal()]);
  expect([aws, kube]).toEqual([[], []]);
});

// CreatePolicy answered EntityAlreadyExists: the policy appeared while the program was creating it.
describe('the policy appears while the run creates it', () => {
  const behindTheBack = async (tags: Record<string, string>) => {
    // Straight to moto, past the fault switch and the journal (the header the emulator's own set-up uses).
    const body = new URLSearchParams({
      Action: 'CreatePolicy',
      Version: '2010-05-08',
      PolicyName: `${ROLE}-eks-pod-iam`,
      PolicyDocument: SAME_DOC,
    });
    Object.entries(tags).forEach(
      ([k, v], i) => (body.set(`Tags.member.${i + 1}.Key`, k), body.set(`Tags.member.${i + 1}.Value`, v)),
    );
    const res = await fetch(emu.aws.endpoint, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-emulator-unjournaled': '1',
        authorization:
          'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      },
    });
    expect(res.status).toBe(200);
  };
  /** Holds the program's CreatePolicy while the policy is made behind its back, once the program saw none. */
  const race = async (tags: Record<string, string>) => {
    await emu.aws.setFaults({ delayMs: 2000, operations: ['CreatePolicy'] });
    const running = run();
    for (const end = Date.now() + 15000; ; await new Promise((r) => setTimeout(r, 50))) {
      const journal = await emu.aws.journal();
      if (journal.some((j) => j.operation === 'GetPolicy' && j.status >= 400)) break;
      if (Date.now() > end) throw new Error(`GetPolicy not seen: ${journal.map((j) => j.operation).join(',')}`);
    }
    await behindTheBack(tags);
    const r = await running;
    await emu.aws.setFaults({});
    // The program's CreatePolicy was refused: the policy existed by then.
    const created = (await emu.aws.journal()).filter((j) => j.operation === 'CreatePolicy').map((j) => j.status);
    expect(created).toEqual([409]);
    return r;
  };

  test('by another eks-pod-iam run, with the same document: accepted as ours and attached', async () => {
    const r = await race({ 'eks-pod-iam:managed': 'true' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await attached()).toEqual([DEFAULT_ARN]);
    expect(await versions()).toEqual(['v1*']);
    expect(r.stdout).toContain('✓ managed policy document: default version v1 is the document');
  });

  test('by someone else: fails naming managed-policy-name; the policy is neither attached nor changed', async () => {
    const r = await race({ team: 'x' });
    expect(r.code).toBe(1);
    expect(failureOf(r)).toMatch(/^Input "managed-policy-name": the policy .* exists and eks-pod-iam did not make it/);
    expect(failureOf(r).split('\n')).toHaveLength(1);
    expect(await attached()).toEqual([]);
    expect(await versions()).toEqual(['v1*']);
    expect((await writes(emu)).aws).not.toContain('AttachRolePolicy');
  });
});
