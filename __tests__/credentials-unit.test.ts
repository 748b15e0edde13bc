// Pure parts of the proof of credentials: judging attempts, naming the broken link, the probe pod's spec and log,
// the Fargate warning, and the inputs. The exchange itself is proven end to end in e2e-credentials*.test.ts.
import { parseRun } from '../src/inputs/parse.js';
import { isRole, roleArnOfAssumed, type Attempt } from '../src/resources/credentials/kind.js';
import { irsaLink, podIdentityLink } from '../src/resources/credentials/links.js';
import { injectedVia, parseProbeLog, probePod, probeState } from '../src/resources/credentials/probe.js';
import { judge } from '../src/resources/credentials/prove.js';
import { fargateWarnings } from '../src/resources/fargate/warn.js';
import { proofOutput } from '../src/run/proofs.js';
import { configOf } from './helpers/config.js';

const ROLE = 'arn:aws:iam::123456789012:role/team/app-role';
const ASSUMED = 'arn:aws:sts::123456789012:assumed-role/app-role/eks-demo-ns-app-1';

test('an assumed-role ARN belongs to the role of that account and name, whatever the role path', () => {
  expect(isRole(ASSUMED, ROLE)).toBe(true);
  expect(isRole(ASSUMED, 'arn:aws:iam::210987654321:role/app-role')).toBe(false);
  expect(isRole(ASSUMED, 'arn:aws:iam::123456789012:role/app-role-2')).toBe(false);
  expect(isRole('arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123', ROLE)).toBe(false);
  expect(roleArnOfAssumed(ASSUMED)).toBe('arn:aws:iam::123456789012:role/app-role');
});

describe('judge', () => {
  const present = { config: configOf(), expectedRoleArn: ROLE, method: 'exchange' as const };
  const absent = { ...present, config: configOf({ state: 'absent' }) };
  const refused: Attempt = { kind: 'refused', code: 'AccessDeniedException', message: 'no', link: "the role's trust" };

  test('present: the expected role proves it; a refusal is tried again, its failure with AWS code and message', () => {
    expect(judge({ kind: 'credentials', arn: ASSUMED }, present)).toEqual({
      kind: 'proven',
      proof: { roleArn: ROLE },
    });
    const again = judge(refused, present);
    expect(again.kind).toBe('again');
    if (again.kind !== 'again') return;
    expect(again.failure(4.2)).toBe(
      "Credentials not proven after 4.2s (exchange): AccessDeniedException: no — most likely broken: the role's trust.",
    );
  });

  test("present: another role is not a proof, and the probe's note (nothing injected) is the link named", () => {
    const node = 'arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123456789abcdef0';
    const again = judge({ kind: 'credentials', arn: node, note: "nothing injected; the node's role" }, present);
    expect(again.kind).toBe('again');
    if (again.kind === 'again')
      expect(again.failure(1)).toContain('eks-node-role, not ' + ROLE + ' — most likely broken: nothing injected');
  });

  test('a fatal attempt ends the proof at once', () => {
    expect(judge({ kind: 'fatal', message: 'forbidden' }, present)).toEqual({ kind: 'fatal', message: 'forbidden' });
  });

  test('absent: a refusal, or another role, proves the removal; the role still issued is tried again', () => {
    expect(judge(refused, absent)).toEqual({ kind: 'proven', proof: { refused: true } });
    expect(judge({ kind: 'credentials', arn: ASSUMED.replace('app-role', 'other') }, absent).kind).toBe('proven');
    expect(judge({ kind: 'credentials', arn: ASSUMED }, absent).kind).toBe('again');
  });
});

test('the broken link is named from AWS error codes', () => {
  const c = configOf();
  expect(podIdentityLink('ResourceNotFoundException', 'x', c)).toMatch(/^the association/);
  expect(podIdentityLink('AccessDeniedException', 'x', c)).toMatch(/^the role's trust/);
  const target = 'arn:aws:iam::210987654321:role/target';
  const t = configOf({ 'target-role-arn': target });
  expect(podIdentityLink('AccessDeniedException', `not authorized to assume ${target}`, t)).toMatch(
    /^the target role's trust/,
  );
  const irsa = configOf({ mode: 'irsa' });
  const r = { roleArn: ROLE, audience: 'sts.amazonaws.com' };
  expect(irsaLink('InvalidIdentityToken', 'Incorrect token audience', irsa, r)).toMatch(/^the audience/);
  expect(irsaLink('InvalidIdentityToken', 'No OpenIDConnect provider found', irsa, r)).toMatch(/OIDC provider/);
  expect(irsaLink('AccessDenied', 'Not authorized', irsa, r)).toContain('sub system:serviceaccount:ns:app');
});

describe('probe pod', () => {
  const pod = probePod(configOf(), 'mirror.example.com/aws-cli:2', 'eks-pod-iam-probe-1');
  test('meets the restricted Pod Security Standard, is labelled, has a deadline, runs the CLI as the account', () => {
    expect(pod.spec?.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.spec!.containers[0]!;
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.image).toBe('mirror.example.com/aws-cli:2');
    expect(c.command).toEqual(['aws', 'sts', 'get-caller-identity', '--output', 'json']);
    expect(pod.metadata?.labels?.['app.kubernetes.io/created-by']).toBe('eks-pod-iam');
    expect(pod.spec?.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(pod.spec?.serviceAccountName).toBe('app');
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(injectedVia(pod)).toBeUndefined();
  });
  test('what was injected is read from the spec', () => {
    const withEnv = (name: string) => ({ spec: { containers: [{ name: 'p', env: [{ name, value: 'x' }] }] } });
    expect(injectedVia(withEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI'))).toBe('pod-identity');
    expect(injectedVia(withEnv('AWS_ROLE_ARN'))).toBe('irsa');
  });
  test('an image that cannot be pulled is stuck, a finished pod is done', () => {
    const waiting = { status: { containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }] } };
    expect(probeState(waiting as never).stuck).toBe('ImagePullBackOff');
    expect(probeState({ status: { phase: 'Failed' } }).done).toBe(true);
    expect(probeState({ status: { phase: 'Pending' } })).toEqual({ done: false });
  });
  test("the CLI's answer or error text is parsed", () => {
    expect(parseProbeLog(JSON.stringify({ UserId: 'A', Account: '1', Arn: ASSUMED }))).toEqual({ arn: ASSUMED });
    expect(
      parseProbeLog(
        '\nAn error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized\n',
      ),
    ).toEqual({ code: 'AccessDenied', message: 'Not authorized' });
    expect(parseProbeLog('exec: aws: not found')).toEqual({ code: 'ProbeFailed', message: 'exec: aws: not found' });
  });
});

test('the credentials output: the role for a binding, refused for a removal', () => {
  expect(proofOutput({ method: 'exchange', ok: true, roleArn: ROLE, seconds: 3.1 }, 'present')).toEqual({
    method: 'exchange',
    'role-arn': ROLE,
    seconds: 3.1,
  });
  expect(proofOutput({ method: 'pod', ok: true, refused: true, seconds: 0.4 }, 'absent')).toEqual({
    method: 'pod',
    refused: true,
    seconds: 0.4,
  });
});

describe('Fargate', () => {
  const b = { ...configOf(), index: undefined };
  test('a profile selecting the namespace is named, with its labels, and irsa suggested', () => {
    const [w] = fargateWarnings(b, [{ name: 'fp', selectors: [{ namespace: 'n*', labels: { tier: 'batch' } }] }]);
    expect(w).toContain('Fargate profile "fp" of cluster demo selects namespace ns');
    expect(w).toContain('only pods labelled tier=batch');
    expect(w).toContain('mode: irsa');
  });
  test('other namespaces, irsa and removals are not warned about', () => {
    const profile = [{ name: 'fp', selectors: [{ namespace: 'other', labels: {} }] }];
    expect(fargateWarnings(b, profile)).toEqual([]);
    const all = [{ name: 'fp', selectors: [{ namespace: 'ns', labels: {} }] }];
    expect(fargateWarnings({ ...b, mode: 'irsa' }, all)).toEqual([]);
    expect(fargateWarnings({ ...b, state: 'absent' }, all)).toEqual([]);
  });
});

describe('inputs', () => {
  const read = (over: Record<string, string>) => (n: string) =>
    ({ 'cluster-name': 'c', 'service-account': 's', 'role-name': 'r', 'aws-region': 'us-east-1', ...over })[n];
  test('verify-credentials and probe-image are read, with their defaults', () => {
    expect(parseRun(read({}), { env: {} }).config).toMatchObject({
      verifyCredentials: 'none',
      probeImage: 'public.ecr.aws/aws-cli/aws-cli:latest',
    });
    expect(parseRun(read({ 'verify-credentials': 'Exchange' }), { env: {} }).config.verifyCredentials).toBe('exchange');
  });
  test('bad values are refused naming the input', () => {
    expect(() => parseRun(read({ 'verify-credentials': 'yes' }), { env: {} })).toThrow(
      'Input "verify-credentials" must be "none", "exchange" or "pod", got "yes".',
    );
    expect(() => parseRun(read({ 'probe-image': 'has space' }), { env: {} })).toThrow(/Input "probe-image"/);
  });
  test('in a manifest they are run-level keys', () => {
    const bindings = JSON.stringify([{ 'cluster-name': 'c', 'service-account': 's', 'verify-credentials': 'pod' }]);
    expect(() => parseRun(read({ bindings, 'role-name': 'r' }), { env: {} })).toThrow(
      /bindings\[0\]\.verify-credentials.*run-level/,
    );
  });
});
