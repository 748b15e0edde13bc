// verify-credentials: what fails the proof is named — a wrong audience, a missing Kubernetes or IAM permission —
// bad values are refused before any call, and the token and the credentials never reach the logs or outputs.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws } from './helpers/judge.js';
import * as h from './helpers/credentials.js';

let emu: Emulators;
const DEBUG = { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true', EKS_POD_IAM_DEBUG: 'true' };

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => h.freshCluster(emu));
afterEach(async () => {
  await emu.kube.denyVerbs([]);
  await emu.aws.denyOperations([]);
  await emu.aws.requirePodBoundTokens(false);
});

test('EKS Auth refusing an unbound token, no pod running: a pod-bound token is needed, pod suggested', async () => {
  await emu.aws.requirePodBoundTokens(true);
  const r = await h.runProof(emu);
  expect(r.code).not.toBe(0);
  const error = h.bindingsOf(r)[0].error;
  expect(error).toMatch(/^EKS Auth refused the token: InvalidTokenException: /);
  expect(error).toContain('needs a token bound to a pod, and no pod of apps/api is running');
  expect(error).toContain('use verify-credentials: pod instead');
});

test('pod-identity: a Fargate profile selecting the namespace is warned about before binding', async () => {
  await aws(emu, [
    'eks',
    'create-fargate-profile',
    '--cluster-name',
    h.CLUSTER,
    '--fargate-profile-name',
    'serverless',
    '--pod-execution-role-arn',
    `arn:aws:iam::${h.ACCOUNT}:role/fargate`,
    '--selectors',
    'namespace=apps,labels={tier=batch}',
  ]);
  const r = await h.runProof(emu, { 'verify-credentials': 'none' });
  expect(r.code).toBe(0);
  const warning = r.stdout.split('\n').find((l) => l.startsWith('::warning::') && l.includes('Fargate'));
  expect(warning).toContain('Fargate profile "serverless" of cluster proof selects namespace apps');
  expect(warning).toContain('only pods labelled tier=batch');
  expect(warning).toContain('mode: irsa');
  expect(r.stdout.indexOf(warning!)).toBeLessThan(r.stdout.indexOf('::group::Plan'));
  const irsa = await h.runProof(emu, { mode: 'irsa', 'service-account': 'other', 'verify-credentials': 'none' });
  expect(irsa.stdout).not.toContain('Fargate profile');
});

test('irsa: an audience annotation the OIDC provider does not accept fails naming the audience', async () => {
  await h.seedAccount(emu, 'api', { 'eks.amazonaws.com/audience': 'other-audience' });
  const r = await h.runProof(emu, { mode: 'irsa', 'wait-timeout': '100' });
  expect(r.code).not.toBe(0);
  expect(h.bindingsOf(r)[0].error).toMatch(
    /InvalidIdentityToken\w*: Incorrect token audience — most likely broken: the audience \(.*other-audience/,
  );
});

test('a missing Kubernetes permission for the token is named', async () => {
  await emu.kube.denyVerbs([{ verb: 'create', resource: 'serviceaccounts', subresource: 'token' }]);
  const r = await h.runProof(emu, { mode: 'irsa' });
  expect(r.code).not.toBe(0);
  expect(h.bindingsOf(r)[0].error).toContain('verify-credentials needs create on serviceaccounts/token');
  expect(await h.exchanges(emu)).toEqual([]);
});

test("EKS Auth refusing the runner's credentials names eks-auth:AssumeRoleForPodIdentity at once", async () => {
  await emu.aws.denyOperations(['AssumeRoleForPodIdentity']);
  const r = await h.runProof(emu, { 'wait-timeout': '86400' });
  expect(r.code).not.toBe(0);
  const error = h.bindingsOf(r)[0].error;
  expect(error).toMatch(/^EKS Auth refused the runner's own credentials: AccessDeniedException: /);
  expect(error).toContain('needs the IAM action eks-auth:AssumeRoleForPodIdentity');
  expect((await h.exchanges(emu)).length).toBe(1);
});

test.each([
  ['verify-credentials', 'maybe', 'Input "verify-credentials" must be "none", "exchange" or "pod", got "maybe".'],
  ['probe-image', 'not an image', 'Input "probe-image" must be a container image'],
])('%s=%s is refused before any call', async (input, value, message) => {
  const r = await h.runProof(emu, { [input]: value });
  expect(r.code).not.toBe(0);
  expect(r.stdout).toContain(message);
  expect(await emu.aws.journal()).toEqual([]);
  expect(await emu.kube.journal()).toEqual([]);
});

test('in a manifest, verify-credentials is a run-level key', async () => {
  const bindings = JSON.stringify([{ 'service-account': 'a', 'verify-credentials': 'pod' }]);
  const r = await h.runProof(emu, { bindings, 'service-account': '' });
  expect(r.code).not.toBe(0);
  expect(r.stdout).toContain('bindings[0].verify-credentials');
  expect(await emu.aws.journal()).toEqual([]);
});

describe.each(['pod-identity', 'irsa'] as const)('%s, with debug logging', (mode) => {
  test('neither the token nor the credentials are printed or output, on success or on refusal', async () => {
    const ok = await h.runProof(emu, { mode }, DEBUG);
    expect(ok.code).toBe(0);
    // A Deny added to the trust: the rerun's exchange is refused (the failure path prints AWS's answer).
    const trust = (await aws(emu, ['iam', 'get-role', '--role-name', h.ROLE])).Role.AssumeRolePolicyDocument;
    trust.Statement.push({
      Effect: 'Deny',
      Principal: '*',
      Action: mode === 'irsa' ? 'sts:AssumeRoleWithWebIdentity' : 'sts:AssumeRole',
    });
    await aws(emu, [
      'iam',
      'update-assume-role-policy',
      '--role-name',
      h.ROLE,
      '--policy-document',
      JSON.stringify(trust),
    ]);
    const denied = await h.runProof(emu, { mode, 'wait-timeout': '100' }, DEBUG);
    expect(denied.code).not.toBe(0);
    expect(denied.stdout).toContain('Credentials not proven');
    for (const r of [ok, denied]) {
      const everything = [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)].join('\n');
      expect(everything).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}/); // a JWT (the service-account token)
      expect(everything).not.toMatch(/ASIA[A-Z0-9]{12,}/); // issued temporary access key IDs
      expect(everything).not.toMatch(/secretAccessKey|SecretAccessKey|sessionToken|SessionToken/);
    }
  });
});
