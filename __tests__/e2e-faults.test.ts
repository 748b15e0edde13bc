// Faults and races (issue 6): the program (in process; the bundle where it is killed midway) against emulators that
// throttle, fail, conflict, or see many runs at once. End states are judged with the AWS SDK and the Kubernetes API
// (helpers/judge.ts).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import type { JournalEntry } from '../emulators/aws/index.js';
import { aws, clearJournals, kubectl, trustOf, writes } from './helpers/judge.js';
import { BUNDLE, ROOT } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'faults';
const ROLE = 'fault-role';
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const POLICY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const POD_IDENTITY = {
  Sid: 'EksPodIamPodIdentity',
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};
const EC2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };

let emu: Emulators;
let hostPath = '';
beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 1 });
  hostPath = (await aws(emu, ['eks', 'describe-cluster', '--name', CLUSTER])).cluster.identity.oidc.issuer.replace(
    'https://',
    '',
  );
  await clearJournals(emu);
});
afterEach(async () => {
  await Promise.all([emu.aws.setFaults({}), emu.kube.setFaults(null)]);
});

const inputs = (over: Record<string, string> = {}) => ({
  'cluster-name': CLUSTER,
  namespace: 'apps',
  'service-account': 'api',
  'role-name': ROLE,
  'policy-arns': POLICY,
  ...over,
});
const env = () => ({ ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' });
const run = (over: Record<string, string> = {}, extraEnv: NodeJS.ProcessEnv = {}) =>
  runInProcess(inputs(over), { env: { ...env(), ...extraEnv } });
const ok = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
const subject = (ns: string, sa: string) => `system:serviceaccount:${ns}:${sa}`;
const providerArn = () => `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}`;
const roles = async () => (await aws(emu, ['iam', 'list-roles'])).Roles.map((r: any) => r.RoleName);
const providers = async () =>
  (await aws(emu, ['iam', 'list-open-id-connect-providers'])).OpenIDConnectProviderList.map((p: any) => p.Arn);
const associations = async (): Promise<any[]> =>
  (await aws(emu, ['eks', 'list-pod-identity-associations', '--cluster-name', CLUSTER])).associations;
/** [namespace, service account, role ARN] of every association (the list has no role ARNs). */
const bound = async () =>
  Promise.all(
    (await associations()).map(async ({ associationId }) => {
      const a = (
        await aws(emu, [
          'eks',
          'describe-pod-identity-association',
          '--cluster-name',
          CLUSTER,
          '--association-id',
          associationId,
        ])
      ).association;
      return [a.namespace, a.serviceAccount, a.roleArn];
    }),
  );
const attached = async () =>
  (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', ROLE])).AttachedPolicies.map(
    (p: any) => p.PolicyArn,
  );
const count = (journal: JournalEntry[], operation: string, ok?: boolean) =>
  journal.filter((j) => j.operation === operation && (ok === undefined || j.status < 300 === ok)).length;

/** Faults the emulator injected, each one followed by a successful call of the same operation (the SDK's retry). */
function absorbedFaults(journal: JournalEntry[]) {
  const faults = journal.map((j, i) => [j, i] as const).filter(([j]) => j.fault);
  for (const [j, i] of faults)
    expect([j.operation, journal.slice(i + 1).some((k) => k.operation === j.operation && !k.fault)]).toEqual([
      j.operation,
      true,
    ]);
  return {
    throttle: faults.filter(([j]) => j.fault === 'throttle').length,
    error: faults.filter(([j]) => j.fault === 'error').length,
    calls: journal.length,
  };
}

describe('AWS throttling (30 %) and 500s (5 %): the SDK retries, runs converge, nothing is duplicated', () => {
  // Seed 7 rolls a 500 for the 2nd and 6th request whatever their order, so both kinds always happen.
  // The adaptive retry strategy slows right down after a throttle: a run takes 5-20 s here.
  const FAULTS = { throttleRate: 0.3, errorRate: 0.05, seed: 7 };
  const SLOW = 120_000;

  test(
    'pod identity',
    async () => {
      await emu.aws.setFaults(FAULTS);
      ok(await run());
      const injected = absorbedFaults(await emu.aws.journal());
      expect([injected.throttle > 0, injected.error > 0]).toEqual([true, true]);
      console.log(`pod identity under AWS faults: ${JSON.stringify(injected)}`);
      expect(await roles()).toEqual([ROLE]);
      expect((await trustOf(emu, ROLE)).Statement).toEqual([POD_IDENTITY]);
      expect(await attached()).toEqual([POLICY]);
      expect(await bound()).toEqual([['apps', 'api', ROLE_ARN]]);

      await clearJournals(emu); // the rerun, faults still on: no change and no write, not even a faulted one
      const again = await run();
      ok(again);
      expect([again.outputs.changed, (await writes(emu)).aws]).toEqual(['false', []]);
    },
    SLOW,
  );

  test(
    'irsa',
    async () => {
      await emu.aws.setFaults(FAULTS);
      ok(await run({ mode: 'irsa' }));
      const injected = absorbedFaults(await emu.aws.journal());
      expect([injected.throttle > 0, injected.error > 0]).toEqual([true, true]);
      console.log(`irsa under AWS faults: ${JSON.stringify(injected)}`);
      expect([await roles(), await providers()]).toEqual([[ROLE], [providerArn()]]);
      expect((await trustOf(emu, ROLE)).Statement).toEqual([
        expect.objectContaining({
          Principal: { Federated: providerArn() },
          Condition: {
            StringEquals: { [`${hostPath}:sub`]: subject('apps', 'api'), [`${hostPath}:aud`]: 'sts.amazonaws.com' },
          },
        }),
      ]);
      expect(
        (await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json'])).metadata.annotations,
      ).toEqual({ 'eks.amazonaws.com/role-arn': ROLE_ARN });

      await clearJournals(emu);
      const again = await run({ mode: 'irsa' });
      ok(again);
      expect([again.outputs.changed, (await writes(emu)).aws]).toEqual(['false', []]);
    },
    SLOW,
  );
});

// EntityAlreadyExists: a concurrent creator, or a lost response retried.
test('CreateRole answered EntityAlreadyExists: our trust is merged in, nothing replaced', async () => {
  // Hold the program's CreateRole in the emulator while the role appears behind its back.
  await emu.aws.setFaults({ delayMs: 2000, operations: ['CreateRole'] });
  // From a workflow run: its provenance tags must not land on the role someone else created either.
  const running = run(
    { tags: 'team=payments' },
    { GITHUB_REPOSITORY: 'acme/platform', GITHUB_RUN_ID: '7', GITHUB_WORKFLOW: 'bind' },
  );
  await until(async () => (await emu.aws.journal()).some((j) => j.operation === 'GetRole' && j.status >= 400));
  await createRoleBehindTheBack(ROLE, { Version: '2012-10-17', Statement: [EC2] }, { owner: 'someone-else' });
  const r = await running;
  ok(r);
  expect(r.stdout).toMatch(/already exists .*merging into its trust policy/);
  const journal = await emu.aws.journal();
  expect([count(journal, 'CreateRole', false), count(journal, 'UpdateAssumeRolePolicy', true)]).toEqual([1, 1]);
  expect((await trustOf(emu, ROLE)).Statement).toEqual([EC2, POD_IDENTITY]);
  const tags = Object.fromEntries(
    (await aws(emu, ['iam', 'list-role-tags', '--role-name', ROLE])).Tags.map((t: any) => [t.Key, t.Value]),
  );
  // The user's tag added; no claim of ownership or provenance.
  expect(tags).toEqual({ owner: 'someone-else', team: 'payments' });
  expect(await associations()).toHaveLength(1);
  expect((await run({ tags: 'team=payments' })).outputs.changed).toBe('false');
});

test('Kubernetes 409s (50 %) and 5xx (20 %): an existing service account is annotated, none lost', async () => {
  const annotations = { 'example.com/owner': 'payments', 'eks.amazonaws.com/token-expiration': '3600' };
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'api', namespace: 'apps', labels: { team: 'payments' }, annotations },
  });
  await emu.kube.setFaults({ conflictRate: 0.5, errorRate: 0.2, seed: 3 });
  const r = await run({ mode: 'irsa' });
  const kubeFaults = (await emu.kube.journal()).filter((j) => j.fault).map((j) => `${j.method} ${j.fault}`);
  console.log(`kubernetes faults injected: ${JSON.stringify(kubeFaults)}`);
  // The write itself was refused at least once.
  expect(kubeFaults.filter((f) => f.startsWith('PATCH')).length).toBeGreaterThan(0);
  ok(r);
  await emu.kube.setFaults(null);
  const sa = await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json']);
  expect([sa.metadata.annotations, sa.metadata.labels]).toEqual([
    { ...annotations, 'eks.amazonaws.com/role-arn': ROLE_ARN },
    { team: 'payments' },
  ]);
  expect((await run({ mode: 'irsa' })).outputs.changed).toBe('false');
});

// Real delays (no EKS_POD_IAM_TIME_SCALE): the ~1.5 s stability window after each trust write is what is under test.
describe('10 concurrent IRSA runs, 10 service accounts, one role', () => {
  const accounts = Array.from({ length: 10 }, (_, i) => ({ ns: i < 5 ? 'apps' : 'jobs', sa: `sa-${i}` }));
  const runAll = () =>
    Promise.all(
      accounts.map(({ ns, sa }) =>
        runInProcess(inputs({ mode: 'irsa', namespace: ns, 'service-account': sa, 'policy-arns': '' }), {
          env: emu.programEnv(),
        }),
      ),
    );

  async function raceAndCheck(label: string, foreign: object[]) {
    const started = performance.now();
    const results = await runAll();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    results.forEach(ok);
    const journal = await emu.aws.journal();
    const stdout = results.map((r) => r.stdout).join('\n');
    const rewrites = stdout.match(/overwritten by a concurrent writer/g)?.length ?? 0;
    console.log(
      `${label}: ${seconds}s; ` +
        `CreateRole ${count(journal, 'CreateRole', true)} ok + ${count(journal, 'CreateRole', false)} refused; ` +
        `UpdateAssumeRolePolicy ${count(journal, 'UpdateAssumeRolePolicy')} ` +
        `(of which rewrites after an overwrite: ${rewrites}); GetRole ${count(journal, 'GetRole')}`,
    );

    const statements = (await trustOf(emu, ROLE)).Statement;
    expect(statements).toEqual([...foreign, expect.objectContaining({ Principal: { Federated: providerArn() } })]);
    expect(statements.at(-1).Condition.StringEquals).toEqual({
      [`${hostPath}:sub`]: accounts.map(({ ns, sa }) => subject(ns, sa)).sort(),
      [`${hostPath}:aud`]: 'sts.amazonaws.com',
    });
    expect([await roles(), await providers()]).toEqual([[ROLE], [providerArn()]]);
    for (const { ns, sa } of accounts)
      expect(
        (await kubectl(emu, CLUSTER, ['get', 'sa', sa, '-n', ns, '-o', 'json'])).metadata.annotations[
          'eks.amazonaws.com/role-arn'
        ],
      ).toBe(ROLE_ARN);

    await clearJournals(emu);
    expect((await runAll()).map((r) => r.outputs.changed)).toEqual(accounts.map(() => 'false'));
    expect((await writes(emu)).aws).toEqual([]);
  }

  test('fresh: they race to create the provider and the role, then to merge their subjects', async () => {
    await raceAndCheck('10 concurrent runs, fresh', []);
  });

  test('existing role with a foreign statement: it survives; a dry run before writes nothing', async () => {
    await aws(emu, [
      'iam',
      'create-role',
      '--role-name',
      ROLE,
      '--assume-role-policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [EC2] }),
    ]);
    await clearJournals(emu);
    const dry = await run({ mode: 'irsa', 'dry-run': 'true' });
    ok(dry);
    expect([
      dry.outputs.changed,
      (await writes(emu)).aws,
      (await writes(emu)).kube,
      count(await emu.aws.journal(), 'GetRole'),
    ]).toEqual(['true', [], [], 1]);
    await clearJournals(emu);
    await raceAndCheck('10 concurrent runs, existing role', [EC2]);
  });
});

test('a run killed after creating the role is completed by the next run', async () => {
  // Everything after the role hangs, then fails: the process is killed while waiting on it.
  await emu.aws.setFaults({
    delayMs: 5000,
    errorRate: 1,
    operations: ['AttachRolePolicy', 'CreateAddon', 'CreatePodIdentityAssociation'],
  });
  const child = startBundle(inputs());
  await until(
    async () =>
      (await emu.aws.journal()).some((j) => j.operation === 'CreateRole' && j.status === 200) &&
      (await emu.kube.journal()).some(
        (j) => j.method === 'POST' && j.resource === 'serviceaccounts' && j.status === 201,
      ),
  );
  const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  await emu.aws.setFaults({});
  expect([await roles(), await attached(), await associations()]).toEqual([[ROLE], [], []]);

  const r = await run();
  ok(r);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role-policy attach',
    'eks-addon create',
    'pod-identity-association create',
  ]);
  expect([await roles(), await attached(), (await trustOf(emu, ROLE)).Statement]).toEqual([
    [ROLE],
    [POLICY],
    [POD_IDENTITY],
  ]);
  expect(await bound()).toEqual([['apps', 'api', ROLE_ARN]]);
  expect((await run()).outputs.changed).toBe('false');
});

async function until(check: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await check()); await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() > end) {
      const seen = (await emu.aws.journal()).map((j) => `${j.operation}:${j.status}`).join(',');
      throw new Error(`timed out waiting for the emulator journal: ${seen}`);
    }
}

/** CreateRole straight to moto, past the fault switch and the journal (the header the emulator's own set-up uses). */
async function createRoleBehindTheBack(name: string, trust: object, tags: Record<string, string>): Promise<void> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify(trust),
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
}

/** The bundle as runAction starts it, but with a handle to kill it. */
function startBundle(values: Record<string, string>) {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  const vars: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env() };
  for (const [name, spec] of Object.entries(action.inputs))
    vars[`INPUT_${name.toUpperCase()}`] = values[name] ?? spec.default ?? '';
  return spawn(process.execPath, [BUNDLE], { env: vars, stdio: 'ignore' });
}
