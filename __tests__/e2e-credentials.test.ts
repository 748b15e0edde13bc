// verify-credentials: exchange, end to end against the emulators: the program asks the Kubernetes API for a
// service-account token and makes the pod's own exchange (EKS Auth for Pod Identity, STS web identity for IRSA),
// which the AWS emulator verifies (token signature, audience, issuer) and judges by the role's trust, as AWS does.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { awsCli, clearJournals, kubectl, writes } from './helpers/clients.js';
import { runAction } from './helpers/run-action.js';

const CLUSTER = 'proof';
const ACCOUNT = '123456789012';
const ROLE = 'proof-role';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
let emu: Emulators;

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setServiceAccountKeys(await emu.kube.jwks());
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await clearJournals(emu);
});

export const run = (over: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) =>
  runAction(
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'service-account': 'api',
      'role-name': ROLE,
      'verify-credentials': 'exchange',
      ...over,
    },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01', ...env } },
  );
const bindingsOf = (r: { outputs: Record<string, string> }) => JSON.parse(r.outputs.bindings ?? '[]');
/** Exchanges are not writes (they change nothing); everything else mutating is. */
const realWrites = async () => {
  const w = await writes(emu);
  return { aws: w.aws.filter((op) => !/^AssumeRole|^GetCallerIdentity$/.test(op)), kube: w.kube };
};
const exchanges = async () => (await emu.aws.journal()).filter((j) => /^AssumeRole/.test(j.operation));

describe.each(['pod-identity', 'irsa'] as const)('%s', (mode) => {
  const exchange = mode === 'irsa' ? 'AssumeRoleWithWebIdentity' : 'AssumeRoleForPodIdentity';

  test('a fresh binding is proven by the exchange; the rerun proves it again with zero writes', async () => {
    const r = await run({ mode });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [b] = bindingsOf(r);
    expect(b.credentials).toEqual({ method: 'exchange', 'role-arn': ROLE_ARN, seconds: expect.any(Number) });
    expect(r.summary).toMatch(/credentials.*proven \(exchange\)/);
    const calls = await exchanges();
    expect(calls.map((j) => `${j.operation} ${j.status}`)).toContain(`${exchange} 200`);
    expect((await emu.aws.journal()).some((j) => j.operation === 'GetCallerIdentity' && j.status === 200)).toBe(true);
    const tokenRequests = (await emu.kube.journal()).filter((j) => j.path.endsWith('/serviceaccounts/api/token'));
    expect(tokenRequests.length).toBeGreaterThan(0);

    await clearJournals(emu);
    const again = await run({ mode });
    expect(again.code).toBe(0);
    expect(again.changes).toEqual([]);
    expect(await realWrites()).toEqual({ aws: [], kube: [] });
    expect(bindingsOf(again)[0].credentials['role-arn']).toBe(ROLE_ARN);
    expect((await exchanges()).length).toBeGreaterThan(0);
  });

  test('dry run makes no proof and says so', async () => {
    const r = await run({ mode, 'dry-run': 'true' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: the credentials are not proven (verify-credentials: exchange).');
    expect(await exchanges()).toEqual([]);
    expect(bindingsOf(r)[0].credentials).toBeUndefined();
  });

  test('a foreign Deny in the trust: refused with AWS code and message, the trust named, nothing restarted', async () => {
    await emu.kube.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'apps' } });
    await seedDeployment();
    // A foreign statement (no Sid of ours) denying the exchange's action to everyone: it stays, and it wins.
    const action = mode === 'irsa' ? 'sts:AssumeRoleWithWebIdentity' : 'sts:AssumeRole';
    const deny = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Foreign', Effect: 'Deny', Principal: '*', Action: action }],
    };
    awsCli(emu, ['iam', 'create-role', '--role-name', ROLE, '--assume-role-policy-document', JSON.stringify(deny)]);
    const r = await run({ mode, 'restart-workloads': 'true', 'wait-timeout': '100' });
    expect(r.code).not.toBe(0);
    const [b] = bindingsOf(r);
    expect(b.error).toMatch(
      mode === 'irsa'
        ? /Credentials not proven after .*s \(exchange\): AccessDenied: .* most likely broken: the role's trust/
        : /Credentials not proven after .*s \(exchange\): AccessDeniedException: .* most likely broken: the role's trust/,
    );
    expect(await restartedAt('api')).toBeUndefined();
    expect(r.changes.some((c) => c.resource === 'workload')).toBe(false);
  });

  test('removal is proven by the exchange being refused now', async () => {
    expect((await run({ mode })).code).toBe(0);
    const r = await run({ mode, state: 'absent' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(bindingsOf(r)[0].credentials).toEqual({ method: 'exchange', refused: true, seconds: expect.any(Number) });
  });
});

async function seedDeployment(): Promise<void> {
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'apps' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: { serviceAccountName: 'api', containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
}
const restartedAt = async (name: string) =>
  (await kubectl(emu, CLUSTER, ['get', 'deployment', name, '-n', 'apps', '-o', 'json'])).spec.template.metadata
    ?.annotations?.['kubectl.kubernetes.io/restartedAt'];
