// IRSA mode end to end: the program in process against moto and the local Kubernetes API server, judged with the
// AWS SDK and the Kubernetes API (helpers/judge.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, kubectl, trustOf, writes } from './helpers/judge.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'irsa-demo';
const ROLE = 'irsa-role';
const POLICY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

let emu: Emulators;
let issuer = '';
let hostPath = '';
let providerArn = '';

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  issuer = (await aws(emu, ['eks', 'describe-cluster', '--name', CLUSTER])).cluster.identity.oidc.issuer;
  hostPath = issuer.replace('https://', '');
  providerArn = `arn:aws:iam::123456789012:oidc-provider/${hostPath}`;
  await clearJournals(emu);
});

const run = (over: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) =>
  runInProcess(
    {
      'cluster-name': CLUSTER,
      mode: 'irsa',
      namespace: 'apps',
      'service-account': 'api',
      'role-name': ROLE,
      'policy-arns': POLICY,
      ...over,
    },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01', ...env } },
  );
// A workflow run, as a GitHub runner describes it.
const githubRun = (runId: string) => ({
  GITHUB_REPOSITORY: 'acme/platform',
  GITHUB_RUN_ID: runId,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_WORKFLOW: 'irsa',
});
const provenance = (runId: string) => [
  { Key: 'eks-pod-iam:github-repository', Value: 'acme/platform' },
  { Key: 'eks-pod-iam:github-workflow', Value: 'irsa' },
  { Key: 'eks-pod-iam:github-run', Value: `https://github.com/acme/platform/actions/runs/${runId}` },
];
const subject = (ns: string, sa: string) => `system:serviceaccount:${ns}:${sa}`;

test('fresh: OIDC provider, web-identity trust, policy and annotated service account', async () => {
  const r = await run({}, githubRun('1001'));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.outputs['oidc-provider-arn']).toBe(providerArn);
  expect(r.outputs['role-arn']).toBe(`arn:aws:iam::123456789012:role/${ROLE}`);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-oidc-provider create',
    'iam-role create',
    'iam-role-policy attach',
    'namespace create',
    'service-account create',
  ]);

  const provider = await aws(emu, [
    'iam',
    'get-open-id-connect-provider',
    '--open-id-connect-provider-arn',
    providerArn,
  ]);
  expect(provider.Url).toBe(hostPath);
  expect(provider.ClientIDList).toEqual(['sts.amazonaws.com']);
  // Provenance: the repository, workflow and run that created the provider and the role.
  expect(provider.Tags).toEqual(
    expect.arrayContaining([{ Key: 'eks-pod-iam:managed', Value: 'true' }, ...provenance('1001')]),
  );
  expect(provider.Tags).toHaveLength(5);
  expect((await aws(emu, ['iam', 'list-role-tags', '--role-name', ROLE])).Tags).toEqual(
    expect.arrayContaining(provenance('1001')),
  );
  expect((await trustOf(emu, ROLE)).Statement).toEqual([
    {
      Sid: expect.stringMatching(/^EksPodIamIrsa/),
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${hostPath}:sub`]: subject('apps', 'api'), [`${hostPath}:aud`]: 'sts.amazonaws.com' },
      },
    },
  ]);
  const sa = await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json']);
  expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(r.outputs['role-arn']);
});

test('rerun from another workflow run: changed=false, no write, at most 7 AWS calls', async () => {
  await run({}, githubRun('1001'));
  await clearJournals(emu);
  const r = await run({}, githubRun('4242'));
  expect(r.outputs.changed).toBe('false');
  expect(r.outputs.changes).toBe('[]');
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
  expect(w.awsCalls.length).toBeLessThanOrEqual(7);
});

test('an existing service account is annotated; its other annotations and labels stay', async () => {
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: 'api',
      namespace: 'apps',
      labels: { team: 'payments' },
      annotations: { 'example.com/owner': 'payments', 'eks.amazonaws.com/token-expiration': '3600' },
    },
  });
  const r = await run();
  expect(r.code).toBe(0);
  const sa = await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json']);
  expect(sa.metadata.annotations).toEqual({
    'example.com/owner': 'payments',
    'eks.amazonaws.com/token-expiration': '3600',
    'eks.amazonaws.com/role-arn': r.outputs['role-arn'],
  });
  expect(sa.metadata.labels).toEqual({ team: 'payments' });
  const patches = (await emu.kube.journal()).filter((j) => j.isWrite);
  expect(patches.map((p) => `${p.method} ${p.contentType}`)).toEqual(['PATCH application/merge-patch+json']);
});

test('a second service account on the same role: both subjects allowed, the first unchanged', async () => {
  await run();
  const r = await run({ 'service-account': 'worker' });
  expect(r.code).toBe(0);
  const statements = (await trustOf(emu, ROLE)).Statement;
  expect(statements).toHaveLength(1);
  expect(statements[0].Condition.StringEquals[`${hostPath}:sub`]).toEqual([
    subject('apps', 'api'),
    subject('apps', 'worker'),
  ]);
  await clearJournals(emu);
  expect((await run()).outputs.changed).toBe('false');
  expect((await run({ 'service-account': 'worker' })).outputs.changed).toBe('false');
});

test('a provider created by hand is adopted; one without our audience gets it added', async () => {
  await aws(emu, [
    'iam',
    'create-open-id-connect-provider',
    '--url',
    issuer,
    '--client-id-list',
    'other-audience',
    '--thumbprint-list',
    '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
  ]);
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.changes[0]).toEqual({
    binding: 'irsa-demo',
    resource: 'iam-oidc-provider',
    action: 'add-client-id',
    detail: expect.stringContaining('sts.amazonaws.com'),
  });
  expect(
    (
      await aws(emu, ['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn])
    ).ClientIDList.sort(),
  ).toEqual(['other-audience', 'sts.amazonaws.com']);
  expect((await aws(emu, ['iam', 'list-open-id-connect-providers'])).OpenIDConnectProviderList).toHaveLength(1);
});

test('a custom audience: client ID, aud condition and audience annotation', async () => {
  const r = await run({ audience: 'my-audience' });
  expect(r.code).toBe(0);
  expect((await trustOf(emu, ROLE)).Statement[0].Condition.StringEquals[`${hostPath}:aud`]).toBe('my-audience');
  const sa = await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json']);
  expect(sa.metadata.annotations['eks.amazonaws.com/audience']).toBe('my-audience');
});

test('a trust policy over the account quota fails before any write, saying how big and what to do', async () => {
  await run();
  await emu.aws.setAssumeRolePolicySizeQuota(400);
  await clearJournals(emu);
  const r = await run({
    'service-account': 'worker',
    'policy-arns': `${POLICY}\narn:aws:iam::aws:policy/ReadOnlyAccess`,
  });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(
    new RegExp(
      "::error::The trust policy of role irsa-role would be \\d+ bytes, over this account's " +
        'AssumeRolePolicySizeQuota of 400: .*raise the quota',
    ),
  );
  expect((await writes(emu)).aws).toEqual([]);
  expect((await emu.kube.journal()).filter((j) => j.isWrite)).toEqual([]);
});

test('the seed article scenario: annotate the Helm-made octopus-agent-scripts in octopus-agent-mycluster', async () => {
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'octopus-agent-mycluster' } });
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: 'octopus-agent-scripts',
      namespace: 'octopus-agent-mycluster',
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        'meta.helm.sh/release-name': 'mycluster',
        'meta.helm.sh/release-namespace': 'octopus-agent-mycluster',
      },
    },
  });
  const r = await run({
    namespace: 'octopus-agent-mycluster',
    'service-account': 'octopus-agent-scripts',
    'create-service-account': 'false',
    'policy-arns': '',
  });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/::warning::.*managed by Helm/);
  const sa = await kubectl(emu, CLUSTER, [
    'get',
    'sa',
    'octopus-agent-scripts',
    '-n',
    'octopus-agent-mycluster',
    '-o',
    'json',
  ]);
  expect(sa.metadata.annotations).toEqual({
    'meta.helm.sh/release-name': 'mycluster',
    'meta.helm.sh/release-namespace': 'octopus-agent-mycluster',
    'eks.amazonaws.com/role-arn': r.outputs['role-arn'],
  });
  expect(sa.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'Helm' });
});

test('role-arn of an existing role: its foreign statements are kept and ours merged', async () => {
  const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
  const created = (
    await aws(emu, [
      'iam',
      'create-role',
      '--role-name',
      'existing',
      '--path',
      '/team/',
      '--assume-role-policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [ec2] }),
    ])
  ).Role;
  const r = await run({ 'role-name': '', 'role-arn': created.Arn, 'policy-arns': '' });
  expect(r.code).toBe(0);
  expect(r.outputs['role-arn']).toBe(created.Arn);
  const statements = (await trustOf(emu, 'existing')).Statement;
  expect(statements[0]).toEqual(ec2);
  expect(statements[1].Principal).toEqual({ Federated: providerArn });
});

test('a cluster without the pod-identity-webhook: the binding is made, the missing webhook is a warning', async () => {
  await kubectl(emu, CLUSTER, ['delete', 'mutatingwebhookconfiguration', 'pod-identity-webhook']);
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/::warning::pod identity webhook: no pod-identity-webhook MutatingWebhookConfiguration/);
  expect(r.summary).toMatch(/\| pod identity webhook \| ❌ fail \|/);
});

test('a cluster endpoint given as http:// is reached without TLS, with the same EKS token', async () => {
  await emu.aws.setClusterEndpoint({ endpoint: emu.kube.httpUrl }, CLUSTER);
  expect((await aws(emu, ['eks', 'describe-cluster', '--name', CLUSTER])).cluster.endpoint).toBe(emu.kube.httpUrl);
  const r = await run();
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // The server accepts only EKS tokens, over HTTP as over HTTPS: the program's carried one, signed for the cluster.
  expect((await emu.kube.lastEksToken())?.signedHeaders).toEqual(['host', 'x-k8s-aws-id']);
  expect((await emu.kube.journal()).filter((j) => j.isWrite).length).toBeGreaterThan(0);
  const sa = await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json']);
  expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(r.outputs['role-arn']);
});

test('a kubeconfig whose user is an exec plugin, as aws eks update-kubeconfig writes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exec-kubeconfig-'));
  try {
    const plain = JSON.parse(readFileSync(emu.kubeconfigFor(CLUSTER), 'utf8')) as {
      users: { user: { token?: string; exec?: unknown } }[];
    };
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: plain.users[0]!.user.token },
    };
    writeFileSync(join(dir, 'credential.json'), JSON.stringify(credential));
    // The plugin leaves a mark, so the test knows the credential came through it.
    plain.users[0]!.user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: 'sh',
        args: ['-c', `touch ${dir}/ran && cat ${dir}/credential.json`],
        interactiveMode: 'Never',
      },
    };
    writeFileSync(join(dir, 'kubeconfig'), JSON.stringify(plain));
    const r = await run({ kubeconfig: join(dir, 'kubeconfig') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'ran'))).toBe(true);
    const sa = await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json']);
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(r.outputs['role-arn']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
