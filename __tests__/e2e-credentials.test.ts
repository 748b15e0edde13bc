// verify-credentials: exchange, end to end against the emulators: the program asks the Kubernetes API for a
// service-account token and makes the pod's own exchange (EKS Auth for Pod Identity, STS web identity for IRSA),
// which the AWS emulator verifies (token signature, audience, issuer) and judges by the role's trust, as AWS does.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals } from './helpers/judge.js';
import * as h from './helpers/credentials.js';

let emu: Emulators;
const run = (over: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) => h.runProof(emu, over, env);

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => h.freshCluster(emu));

describe.each(['pod-identity', 'irsa'] as const)('%s', (mode) => {
  const exchange = mode === 'irsa' ? 'AssumeRoleWithWebIdentity' : 'AssumeRoleForPodIdentity';

  test('a fresh binding is proven by the exchange; the rerun proves it again with zero writes', async () => {
    const r = await run({ mode });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [b] = h.bindingsOf(r);
    expect(b.credentials).toEqual({ method: 'exchange', 'role-arn': h.ROLE_ARN, seconds: expect.any(Number) });
    expect(r.summary).toMatch(/credentials.*proven \(exchange\)/);
    const calls = await h.exchanges(emu);
    expect(calls.map((j) => `${j.operation} ${j.status}`)).toContain(`${exchange} 200`);
    expect((await emu.aws.journal()).some((j) => j.operation === 'GetCallerIdentity' && j.status === 200)).toBe(true);
    const tokenRequests = (await emu.kube.journal()).filter((j) => j.path.endsWith('/serviceaccounts/api/token'));
    expect(tokenRequests.length).toBeGreaterThan(0);

    await clearJournals(emu);
    const again = await run({ mode });
    expect(again.code).toBe(0);
    expect(again.changes).toEqual([]);
    expect(await h.realWrites(emu)).toEqual({ aws: [], kube: [] });
    expect(h.bindingsOf(again)[0].credentials['role-arn']).toBe(h.ROLE_ARN);
    expect((await h.exchanges(emu)).length).toBeGreaterThan(0);
  });

  test('dry run makes no proof and says so', async () => {
    const r = await run({ mode, 'dry-run': 'true' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: the credentials are not proven (verify-credentials: exchange).');
    expect(await h.exchanges(emu)).toEqual([]);
    expect(h.bindingsOf(r)[0].credentials).toBeUndefined();
  });

  test('a foreign Deny in the trust: refused with AWS code and message, trust named, no restart', async () => {
    await h.seedAccount(emu);
    await h.seedDeployment(emu);
    // A foreign statement (no Sid of ours) denying the exchange's action to everyone: it stays, and it wins.
    const action = mode === 'irsa' ? 'sts:AssumeRoleWithWebIdentity' : 'sts:AssumeRole';
    const deny = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Foreign', Effect: 'Deny', Principal: '*', Action: action }],
    };
    await aws(emu, [
      'iam',
      'create-role',
      '--role-name',
      h.ROLE,
      '--assume-role-policy-document',
      JSON.stringify(deny),
    ]);
    const r = await run({ mode, 'restart-workloads': 'true', 'wait-timeout': '100' });
    expect(r.code).not.toBe(0);
    const code = mode === 'irsa' ? 'AccessDenied' : 'AccessDeniedException';
    expect(h.bindingsOf(r)[0].error).toMatch(
      new RegExp(`Credentials not proven after .*s \\(exchange\\): ${code}: .* most likely broken: the role's trust`),
    );
    expect(await h.restartedAt(emu, 'api')).toBeUndefined();
    expect(r.changes.some((c) => c.resource === 'workload')).toBe(false);
  });

  test('removal is proven by the exchange being refused now', async () => {
    expect((await run({ mode })).code).toBe(0);
    const r = await run({ mode, state: 'absent' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(h.bindingsOf(r)[0].credentials).toEqual({ method: 'exchange', refused: true, seconds: expect.any(Number) });
  });
});

test('pod-identity with a target role: the credentials are proven to be the target role', async () => {
  const target = 'proof-target';
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  await aws(emu, ['iam', 'create-role', '--role-name', target, '--assume-role-policy-document', JSON.stringify(trust)]);
  const targetArn = `arn:aws:iam::${h.ACCOUNT}:role/${target}`;
  const r = await run({ 'target-role-arn': targetArn });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(h.bindingsOf(r)[0].credentials['role-arn']).toBe(targetArn);
});
