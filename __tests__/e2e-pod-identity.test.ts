// Pod Identity mode end to end against moto (+ EKS extensions) and the local Kubernetes API server: the program
// run in this process through the entry the shells call (helpers/run-in-process.ts), and in two cases the committed
// bundle run as a GitHub runner runs it (on the system Node and on Node 24); end states judged with the AWS SDK and
// the Kubernetes API (helpers/judge.ts).
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, kubectl, trustOf, writes } from './helpers/judge.js';
import { NODE24, SYSTEM_NODE, runAction } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'demo';
const ROLE = 'app-role';
const POLICY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const FOREIGN_POLICY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const ec2Statement = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };

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

const inputs = (over: Record<string, string> = {}) => ({
  'cluster-name': CLUSTER,
  namespace: 'apps',
  'service-account': 'api',
  'role-name': ROLE,
  'policy-arns': POLICY,
  ...over,
});
/** In this process, or given a Node, the bundle in a process of its own. */
const run = (over: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}, node?: string) => {
  const opts = { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01', ...env } };
  return node ? runAction(inputs(over), { ...opts, node }) : runInProcess(inputs(over), opts);
};

// A workflow run, as a GitHub runner describes it; a later run of the same workflow has another run ID.
const githubRun = (runId: string) => ({
  GITHUB_REPOSITORY: 'acme/platform',
  GITHUB_RUN_ID: runId,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_WORKFLOW: 'bootstrap (prod)',
  GITHUB_SHA: 'abcdef1234567',
});
const provenance = (runId: string) => ({
  'eks-pod-iam:github-repository': 'acme/platform',
  'eks-pod-iam:github-workflow': 'bootstrap _prod_',
  'eks-pod-iam:github-run': `https://github.com/acme/platform/actions/runs/${runId}`,
});

const associations = async (ns = 'apps', sa = 'api') =>
  (
    await aws(emu, [
      'eks',
      'list-pod-identity-associations',
      '--cluster-name',
      CLUSTER,
      '--namespace',
      ns,
      '--service-account',
      sa,
    ])
  ).associations;
const describeAssociation = async (id: string) =>
  (await aws(emu, ['eks', 'describe-pod-identity-association', '--cluster-name', CLUSTER, '--association-id', id]))
    .association;
const attached = async (role = ROLE) =>
  (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', role])).AttachedPolicies.map(
    (p: any) => p.PolicyArn,
  ).sort();

test('fresh cluster: role, policy, add-on, association and service account are created', async () => {
  // The bundle: the GitHub shell's provenance and summary as a runner sees them.
  const r = await run({ tags: 'team=payments' }, githubRun('1001'), SYSTEM_NODE);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const roleArn = `arn:aws:iam::123456789012:role/${ROLE}`;
  expect(r.outputs['role-arn']).toBe(roleArn);
  expect(r.outputs['association-id']).toMatch(/^a-[a-z0-9]{17}$/);
  expect(r.outputs.changed).toBe('true');
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'iam-role create',
    'iam-role-policy attach',
    'eks-addon create',
    'pod-identity-association create',
    'namespace create',
    'service-account create',
  ]);

  const trust = await trustOf(emu, ROLE);
  expect(trust.Statement).toEqual([
    {
      Sid: 'EksPodIamPodIdentity',
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    },
  ]);
  expect(await attached()).toEqual([POLICY]);
  const tags = (await aws(emu, ['iam', 'list-role-tags', '--role-name', ROLE])).Tags;
  expect(tags).toEqual(
    expect.arrayContaining([
      { Key: 'eks-pod-iam:managed', Value: 'true' },
      { Key: 'eks-pod-iam:cluster', Value: CLUSTER },
    ]),
  );
  // Provenance: which repository, workflow and run created the role and the association.
  expect(Object.fromEntries(tags.map((t: any) => [t.Key, t.Value]))).toEqual({
    team: 'payments',
    'eks-pod-iam:managed': 'true',
    'eks-pod-iam:cluster': CLUSTER,
    'eks-pod-iam:namespace': 'apps',
    'eks-pod-iam:service-account': 'api',
    ...provenance('1001'),
  });
  expect(
    (await aws(emu, ['eks', 'describe-addon', '--cluster-name', CLUSTER, '--addon-name', 'eks-pod-identity-agent']))
      .addon.status,
  ).toBe('ACTIVE');
  const list = await associations();
  expect(list).toHaveLength(1);
  expect(list[0].associationId).toBe(r.outputs['association-id']);
  expect((await describeAssociation(list[0].associationId)).roleArn).toBe(roleArn);
  expect((await describeAssociation(list[0].associationId)).tags).toEqual({ team: 'payments', ...provenance('1001') });
  expect(r.outputs['association-arn']).toBe(list[0].associationArn);

  const sa = await kubectl(emu, CLUSTER, ['get', 'serviceaccount', 'api', '-n', 'apps', '-o', 'json']);
  expect(sa.metadata.name).toBe('api');
  // The program reached Kubernetes with a token it generated (no kubeconfig was given).
  expect((await emu.kube.lastEksToken())?.url).toMatch(/Action=GetCallerIdentity/);
  expect(r.summary).toMatch(/\| pod-identity-association \| create \|/);
});

test('rerun from another workflow run: changed=false, no writes, at most 7 AWS calls; provenance kept', async () => {
  await run({ tags: 'team=payments' }, githubRun('1001'));
  await clearJournals(emu);
  const r = await run({ tags: 'team=payments' }, githubRun('4242'));
  expect(r.code).toBe(0);
  expect(r.summary).toContain(
    'bootstrap (prod) · run [4242](https://github.com/acme/platform/actions/runs/4242) · abcdef1',
  );
  expect(r.outputs.changed).toBe('false');
  expect(r.outputs.changes).toBe('[]');
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
  // 7: ListFargateProfiles (alongside the cluster read: Pod Identity gives pods on Fargate no credentials).
  expect(w.awsCalls.length).toBeLessThanOrEqual(7);
  expect(r.outputs['association-id']).toMatch(/^a-/);
  // The tags still name the run that created them.
  const roleTags = (await aws(emu, ['iam', 'list-role-tags', '--role-name', ROLE])).Tags;
  expect(roleTags).toContainEqual({
    Key: 'eks-pod-iam:github-run',
    Value: 'https://github.com/acme/platform/actions/runs/1001',
  });
  expect((await describeAssociation(r.outputs['association-id']!)).tags).toEqual({
    team: 'payments',
    ...provenance('1001'),
  });
});

test('association pointing at another role is updated in place (same id)', async () => {
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    'old-role',
    '--assume-role-policy-document',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    }),
  ]);
  const created = (
    await aws(emu, [
      'eks',
      'create-pod-identity-association',
      '--cluster-name',
      CLUSTER,
      '--namespace',
      'apps',
      '--service-account',
      'api',
      '--role-arn',
      'arn:aws:iam::123456789012:role/old-role',
    ])
  ).association;
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.outputs['association-id']).toBe(created.associationId);
  expect(r.changes).toContainEqual(expect.objectContaining({ resource: 'pod-identity-association', action: 'update' }));
  expect(await associations()).toHaveLength(1);
  expect((await describeAssociation(created.associationId)).roleArn).toBe(`arn:aws:iam::123456789012:role/${ROLE}`);
});

test('a foreign trust statement and a foreign attached policy are kept', async () => {
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    ROLE,
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [ec2Statement] }),
  ]);
  await aws(emu, ['iam', 'attach-role-policy', '--role-name', ROLE, '--policy-arn', FOREIGN_POLICY]);
  await clearJournals(emu);
  // IAM answers after 50 ms (reset by the next test's reset), so that two requests sent together overlap.
  await emu.aws.setLatency({ iam: 50 });
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toContain('iam-role-trust update');
  // The update was foreseen while observing: the quota and the trust read again at the same time, both answered
  // before the write (at this time scale the write reads the trust once more: its freshness bound is 1 ms); a rerun
  // (nothing to update) reads neither.
  const journal = await emu.aws.journal();
  const write = journal.find((j) => j.operation === 'UpdateAssumeRolePolicy')!;
  const quota = journal.find((j) => j.operation === 'GetAccountSummary')!;
  const reread = journal.filter((j) => j.operation === 'GetRole')[1]!;
  expect([quota.start < reread.end, reread.start < quota.end]).toEqual([true, true]);
  expect([quota.end <= write.start, reread.end <= write.start]).toEqual([true, true]);
  await clearJournals(emu);
  expect((await run()).code).toBe(0);
  expect((await writes(emu)).awsCalls.filter((o) => o === 'GetAccountSummary' || o === 'GetRole')).toEqual(['GetRole']);
  const trust = await trustOf(emu, ROLE);
  expect(trust.Statement).toHaveLength(2);
  expect(trust.Statement[0]).toEqual(ec2Statement);
  expect(trust.Statement[1].Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
  expect(await attached()).toEqual([POLICY, FOREIGN_POLICY].sort());
});

test('drift: a detached policy or a removed trust statement is restored, and only that', async () => {
  await run();
  await aws(emu, ['iam', 'detach-role-policy', '--role-name', ROLE, '--policy-arn', POLICY]);
  await clearJournals(emu);
  let r = await run();
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual(['iam-role-policy attach']);
  expect((await writes(emu)).aws).toEqual(['AttachRolePolicy']);
  expect(await attached()).toEqual([POLICY]);

  await aws(emu, [
    'iam',
    'update-assume-role-policy',
    '--role-name',
    ROLE,
    '--policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [ec2Statement] }),
  ]);
  await clearJournals(emu);
  r = await run();
  expect(r.changes.map((c) => `${c.resource} ${c.action}`)).toEqual(['iam-role-trust update']);
  expect((await writes(emu)).aws).toEqual(['UpdateAssumeRolePolicy']);
  expect((await trustOf(emu, ROLE)).Statement[0]).toEqual(ec2Statement);
});

test('dry run on a fresh cluster writes nothing and lists every change; a real run then matches it', async () => {
  const dry = await run({ 'dry-run': 'true' });
  expect(dry.code).toBe(0);
  expect(dry.outputs.changed).toBe('true');
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
  expect(dry.summary).toMatch(/dry run/);
  const real = await run();
  expect(real.changes).toEqual(dry.changes);
  expect(dry.outputs['role-arn']).toBe(real.outputs['role-arn']);
});

test('add-on CREATING for several reads: the run waits and succeeds', async () => {
  await emu.aws.setAddonBehaviour({ readsUntilActive: 3 });
  const r = await run();
  expect(r.code).toBe(0);
  const describes = (await emu.aws.journal()).filter((j) => j.operation === 'DescribeAddon').length;
  expect(describes).toBeGreaterThanOrEqual(4);
  expect(r.stdout).toMatch(/eks-pod-identity-agent is ACTIVE/);
});

test('add-on CREATE_FAILED: a clear failure with its health issues', async () => {
  await emu.aws.setAddonBehaviour({
    readsUntilActive: 1,
    outcome: 'CREATE_FAILED',
    issues: [
      {
        code: 'InsufficientNumberOfReplicas',
        message: "The add-on is unhealthy because it doesn't have the desired number of replicas.",
        resourceIds: [],
      },
    ],
  });
  const r = await run();
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(
    new RegExp(
      '::error::Add-on eks-pod-identity-agent in cluster demo is CREATE_FAILED ' +
        '\\(InsufficientNumberOfReplicas: The add-on is unhealthy',
    ),
  );
});

test('a just-created role refused by EKS for a while: retried, then associated', async () => {
  await emu.aws.failNextAssociationWrites(2);
  const r = await run();
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/IAM is still propagating/);
  expect(await associations()).toHaveLength(1);
});

test('an association owned by an add-on is refused, and nothing is written to it', async () => {
  await run({ 'create-service-account': 'false' });
  const owned = await associations('kube-system', 'ebs-csi-controller-sa');
  expect(owned).toHaveLength(0);
  await emu.aws.createOwnedAssociation({
    clusterName: CLUSTER,
    namespace: 'kube-system',
    serviceAccount: 'ebs-csi-controller-sa',
    roleArn: `arn:aws:iam::123456789012:role/${ROLE}`,
    ownerArn: `arn:aws:eks:us-east-1:123456789012:addon/${CLUSTER}/aws-ebs-csi-driver/x`,
  });
  await clearJournals(emu);
  const r = await run({
    namespace: 'kube-system',
    'service-account': 'ebs-csi-controller-sa',
    'create-service-account': 'false',
  });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(
    new RegExp(
      '::error::The pod identity association a-\\w+ for kube-system/ebs-csi-controller-sa ' +
        'is owned by arn:aws:eks:.*aws-ebs-csi-driver',
    ),
  );
  expect((await writes(emu)).aws).toEqual([]);
});

test('create-service-account false: no Kubernetes request at all', async () => {
  const r = await run({ 'create-service-account': 'false' });
  expect(r.code).toBe(0);
  expect(await emu.kube.journal()).toEqual([]);
  expect(await associations()).toHaveLength(1);
});

test('with KUBECONFIG the given cluster access is used', async () => {
  const r = await run({}, { KUBECONFIG: emu.kubeconfigFor(CLUSTER) });
  expect(r.code).toBe(0);
  expect((await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json'])).metadata.name).toBe('api');
});

test('unknown cluster: a clear failure and no write', async () => {
  const r = await run({ 'cluster-name': 'nope' });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/::error::EKS cluster nope was not found in us-east-1/);
  expect(r.summary).toMatch(/^### ❌ eks-pod-iam failed\n\nEKS cluster nope was not found in us-east-1/);
  expect((await writes(emu)).aws).toEqual([]);
});

test('the seed article scenario on Node 24: octopus-worker-awsagentworker / octopus-agent-scripts', async () => {
  const r = await run(
    {
      namespace: 'octopus-worker-awsagentworker',
      'service-account': 'octopus-agent-scripts',
      'role-name': 'octopus-worker-role',
      'policy-arns': '',
    },
    {},
    NODE24,
  );
  expect(r.code).toBe(0);
  expect(await associations('octopus-worker-awsagentworker', 'octopus-agent-scripts')).toHaveLength(1);
  expect(
    (
      await kubectl(emu, CLUSTER, [
        'get',
        'sa',
        'octopus-agent-scripts',
        '-n',
        'octopus-worker-awsagentworker',
        '-o',
        'json',
      ])
    ).metadata.name,
  ).toBe('octopus-agent-scripts');
  await clearJournals(emu);
  const again = await run(
    {
      namespace: 'octopus-worker-awsagentworker',
      'service-account': 'octopus-agent-scripts',
      'role-name': 'octopus-worker-role',
      'policy-arns': '',
    },
    {},
    NODE24,
  );
  expect(again.outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);
});

test('EKS Auto Mode: the agent is built in: no add-on installed or waited for; verification says so', async () => {
  await emu.aws.createCluster('auto', 'us-east-1', {
    computeConfig: { enabled: true, nodePools: ['general-purpose'] },
  });
  expect((await aws(emu, ['eks', 'describe-cluster', '--name', 'auto'])).cluster.computeConfig.enabled).toBe(true);
  await clearJournals(emu);
  const r = await run({ 'cluster-name': 'auto' });
  expect(r.code).toBe(0);
  const operations = (await emu.aws.journal()).map((j) => j.operation);
  expect(operations).not.toContain('CreateAddon');
  expect(r.changes.map((c) => c.resource)).not.toContain('eks-addon');
  expect(r.stdout).toMatch(/✓ agent add-on: EKS Auto Mode: the Pod Identity agent is built in/);
  expect(r.summary).toMatch(/\| agent add-on \| ✅ pass \| EKS Auto Mode/);
  expect((await aws(emu, ['eks', 'list-addons', '--cluster-name', 'auto'])).addons).toEqual([]);
  expect(await associations()).toHaveLength(0); // the demo cluster is untouched
  await clearJournals(emu);
  const again = await run({ 'cluster-name': 'auto' });
  expect(again.outputs.changed).toBe('false');
  const after = await writes(emu);
  expect([...after.aws, ...after.kube]).toEqual([]);
});

test('no session tags and a session policy: on the association, compared by meaning, changed in place', async () => {
  const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
  const first = await run({ 'disable-session-tags': 'true', 'session-policy': JSON.stringify(doc) });
  expect(first.code).toBe(0);
  const [{ associationId }] = await associations();
  let a = await describeAssociation(associationId);
  expect(a.disableSessionTags).toBe(true);
  expect(JSON.parse(a.policy)).toEqual(doc);
  expect(first.stdout).toMatch(/✓ association: a-\S+ → \S+ \(no session tags, session policy as given\)/);

  // The same policy, other whitespace and key order: nothing to write.
  await clearJournals(emu);
  const reordered = `{ "Statement": [ { "Resource": "*", "Action": ["s3:GetObject"], "Effect": "Allow" } ],
    "Version": "2012-10-17" }`;
  const same = await run({ 'disable-session-tags': 'true', 'session-policy': reordered });
  expect(same.outputs.changed).toBe('false');
  expect((await writes(emu)).aws).toEqual([]);

  // Another policy, then none and session tags back on: updated in place, same association.
  const other = { ...doc, Statement: [{ ...doc.Statement[0], Action: 's3:PutObject' }] };
  const changed = await run({ 'disable-session-tags': 'true', 'session-policy': JSON.stringify(other) });
  expect(changed.changes).toEqual([
    expect.objectContaining({ resource: 'pod-identity-association', action: 'update' }),
  ]);
  expect(JSON.parse((await describeAssociation(associationId)).policy)).toEqual(other);
  const cleared = await run();
  expect(cleared.changes.map((c) => c.detail)).toEqual([
    expect.stringMatching(/enable session tags, remove the session policy/),
  ]);
  a = await describeAssociation(associationId);
  expect([a.associationId, a.disableSessionTags, a.policy ?? '']).toEqual([associationId, false, '']);
});
