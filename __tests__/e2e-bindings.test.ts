// Many bindings in one run (issue 11, input `bindings`) end to end: the program in process (helpers/run-in-process.ts)
// against moto (+ EKS extensions) and the local Kubernetes API server, over two clusters in two regions. End states
// are judged with the AWS SDK and the Kubernetes API (helpers/judge.ts); the journals of both emulators count calls.
// The Kubernetes emulator is one API server behind both clusters: each cluster's items use their own namespaces.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { EMULATOR_ACCOUNT, type JournalEntry } from '../emulators/aws/index.js';
import { aws, clearJournals, kubectl, trustOf, writes } from './helpers/judge.js';
import { runInProcess } from './helpers/run-in-process.js';
import { type ActionRun } from './helpers/run-action.js';

const EAST = 'east'; // us-east-1
const WEST = 'west'; // eu-west-1
const REGION = { [EAST]: 'us-east-1', [WEST]: 'eu-west-1' } as const;
type Cluster = keyof typeof REGION;
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const DYNAMO_READ = 'arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess';
const SQS_FULL = 'arn:aws:iam::aws:policy/AmazonSQSFullAccess';
const arnOf = (role: string) => `arn:aws:iam::${EMULATOR_ACCOUNT}:role/${role}`;
/** A role made before the run (by someone else): bound by `role-arn`, its EC2 statement must stay. */
const EXISTING = 'platform-existing';
const EC2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
const POD_IDENTITY = {
  Sid: 'EksPodIamPodIdentity',
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};

/**
 * The fleet: 12 bindings over two clusters, pod-identity and irsa mixed. `controller` serves 3 bindings in both
 * clusters, `web` 2 irsa service accounts, and the existing role 3 bindings of both modes in both clusters.
 */
interface Item {
  'cluster-name': Cluster;
  'aws-region'?: string;
  namespace: string;
  'service-account': string;
  mode?: 'irsa';
  'role-name'?: string;
  'role-arn'?: string;
  'policy-arns'?: string | string[];
  tags?: Record<string, string>;
}
const FLEET: Item[] = [
  {
    'cluster-name': EAST,
    namespace: 'shop',
    'service-account': 'cart',
    'role-name': 'controller',
    'policy-arns': [S3_READ, DYNAMO_READ],
    tags: { team: 'shop', tier: 'one' },
  },
  { 'cluster-name': EAST, namespace: 'shop', 'service-account': 'checkout', 'role-name': 'controller' },
  { 'cluster-name': EAST, namespace: 'shop', 'service-account': 'web', mode: 'irsa', 'role-name': 'web' },
  { 'cluster-name': EAST, namespace: 'shop', 'service-account': 'admin', mode: 'irsa', 'role-name': 'web' },
  { 'cluster-name': EAST, namespace: 'ops', 'service-account': 'metrics', 'role-arn': arnOf(EXISTING) },
  { 'cluster-name': EAST, namespace: 'ops', 'service-account': 'logs', mode: 'irsa', 'role-arn': arnOf(EXISTING) },
  {
    'cluster-name': WEST,
    'aws-region': REGION[WEST],
    namespace: 'data',
    'service-account': 'etl',
    'role-name': 'controller',
  },
  {
    'cluster-name': WEST,
    'aws-region': REGION[WEST],
    namespace: 'data',
    'service-account': 'loader',
    mode: 'irsa',
    'role-name': 'loader',
    'policy-arns': SQS_FULL,
  },
  {
    'cluster-name': WEST,
    'aws-region': REGION[WEST],
    namespace: 'data',
    'service-account': 'api',
    'role-name': 'data-api',
  },
  {
    'cluster-name': WEST,
    'aws-region': REGION[WEST],
    namespace: 'data',
    'service-account': 'batch',
    mode: 'irsa',
    'role-arn': arnOf(EXISTING),
  },
  {
    'cluster-name': WEST,
    'aws-region': REGION[WEST],
    namespace: 'data',
    'service-account': 'cache',
    'role-name': 'cache',
    tags: { team: 'data' },
  },
  {
    'cluster-name': WEST,
    'aws-region': REGION[WEST],
    namespace: 'data-jobs',
    'service-account': 'nightly',
    'role-name': 'nightly',
  },
];
const keyOf = (i: Item) => `${i['cluster-name']}/${i.namespace}/${i['service-account']}`;
const roleOf = (i: Item) => i['role-name'] ?? i['role-arn']!.split('/').pop()!;
const CREATED_ROLES = ['cache', 'controller', 'data-api', 'loader', 'nightly', 'web'];

let emu: Emulators;
const issuer: Record<string, string> = {};
beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  for (const c of [EAST, WEST] as const) {
    await emu.createCluster(c, REGION[c]);
    issuer[c] = (await aws(emu, ['eks', 'describe-cluster', '--name', c], REGION[c])).cluster.identity.oidc.issuer;
  }
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    EXISTING,
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [EC2] }),
  ]);
  await clearJournals(emu);
});
afterEach(async () => {
  await Promise.all([emu.aws.setFaults({}), emu.kube.setFaults(null)]);
});

/** Runs the bundle with a manifest (inline JSON unless text is given) and top-level inputs. */
const run = (bindings: string | Item[], top: Record<string, string> = {}, cwd?: string) =>
  runInProcess(
    { 'policy-arns': S3_READ, bindings: typeof bindings === 'string' ? bindings : JSON.stringify(bindings), ...top },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' }, cwd },
  );
const ok = (r: ActionRun) => expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
/** The run's failure message, as the runner shows it (`::error::`, newlines escaped). */
const failureOf = (r: ActionRun) => {
  const line = r.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
  return line.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
};
const bindingsOut = (r: ActionRun): Record<string, string>[] => JSON.parse(r.outputs.bindings ?? '[]');
/** The `changes` output, with each change's binding. */
const changesOf = (r: ActionRun): { resource: string; action: string; detail: string; binding: string }[] =>
  JSON.parse(r.outputs.changes ?? '[]');
const changeSet = (r: ActionRun) =>
  changesOf(r)
    .map((c) => `${c.binding} ${c.resource} ${c.action}`)
    .sort();

const hostPath = (c: Cluster) => issuer[c]!.replace('https://', '');
const providerArn = (c: Cluster) => `arn:aws:iam::${EMULATOR_ACCOUNT}:oidc-provider/${hostPath(c)}`;
const subject = (ns: string, sa: string) => `system:serviceaccount:${ns}:${sa}`;
const roles = async () => (await aws(emu, ['iam', 'list-roles'])).Roles.map((r: any) => r.RoleName).sort();
const attached = async (role: string) =>
  (await aws(emu, ['iam', 'list-attached-role-policies', '--role-name', role])).AttachedPolicies.map(
    (p: any) => p.PolicyArn,
  ).sort();
const roleTags = async (role: string) =>
  Object.fromEntries(
    (await aws(emu, ['iam', 'list-role-tags', '--role-name', role])).Tags.map((t: any) => [t.Key, t.Value]),
  );
/** [namespace, service account, role ARN] of every association of a cluster, sorted (the SDK: the CLI is slow). */
async function associations(c: Cluster): Promise<string[][]> {
  // No keep-alive: a socket left idle in the pool is reset by the emulator later, failing whatever runs then.
  const eks = new EKSClient({
    ...emu.aws.clientConfig(REGION[c]),
    requestHandler: { httpAgent: { keepAlive: false } },
  });
  try {
    const list = await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: c }));
    const described = [];
    for (const a of list.associations!)
      described.push(
        await eks.send(new DescribePodIdentityAssociationCommand({ clusterName: c, associationId: a.associationId })),
      );
    return described.map(({ association: a }) => [a!.namespace!, a!.serviceAccount!, a!.roleArn!]).sort();
  } finally {
    eks.destroy();
  }
}
const annotation = async (c: Cluster, ns: string, sa: string) =>
  (await kubectl(emu, c, ['get', 'sa', sa, '-n', ns, '-o', 'json'])).metadata.annotations?.[
    'eks.amazonaws.com/role-arn'
  ];
/** Web-identity subjects the role's trust allows, per cluster provider. */
const irsaSubjects = (statements: any[]): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const s of statements) {
    const federated = s.Principal?.Federated;
    if (!federated) continue;
    const host = federated.split('oidc-provider/')[1];
    const sub = s.Condition.StringEquals[`${host}:sub`];
    out[federated] = [...(out[federated] ?? []), ...(Array.isArray(sub) ? sub : [sub])].sort();
  }
  return out;
};
const count = (journal: JournalEntry[], operation: string, pathPart = '') =>
  journal.filter((j) => j.operation === operation && j.path.includes(pathPart)).length;

/**
 * Every binding of `items` is in place, judged with the aws CLI, the EKS SDK and kubectl. `alsoAssociated`: other
 * associations ([namespace, service account, role ARN]) expected in a cluster.
 */
async function expectBound(items: Item[], alsoAssociated: Partial<Record<Cluster, string[][]>> = {}) {
  for (const c of [EAST, WEST] as const) {
    const pi = items.filter((i) => i['cluster-name'] === c && i.mode !== 'irsa');
    const want = pi.map((i) => [i.namespace, i['service-account'], arnOf(roleOf(i))]);
    expect(await associations(c)).toEqual([...want, ...(alsoAssociated[c] ?? [])].sort());
  }
  for (const i of items) {
    const c = i['cluster-name'];
    const want = i.mode === 'irsa' ? arnOf(roleOf(i)) : undefined;
    expect([keyOf(i), await annotation(c, i.namespace, i['service-account'])]).toEqual([keyOf(i), want]);
  }
  // Trust: pod-identity roles carry the one statement; irsa roles one subject per service account, per cluster.
  const byRole = new Map<string, Item[]>();
  for (const i of items) byRole.set(roleOf(i), [...(byRole.get(roleOf(i)) ?? []), i]);
  for (const [role, its] of byRole) {
    const statements = (await trustOf(emu, role)).Statement;
    const podIdentity = its.some((i) => i.mode !== 'irsa');
    expect([role, statements.filter((s) => s.Principal?.Service === 'pods.eks.amazonaws.com')]).toEqual([
      role,
      podIdentity ? [POD_IDENTITY] : [],
    ]);
    const want: Record<string, string[]> = {};
    for (const i of its.filter((x) => x.mode === 'irsa'))
      want[providerArn(i['cluster-name'])] = [
        ...(want[providerArn(i['cluster-name'])] ?? []),
        subject(i.namespace, i['service-account']),
      ].sort();
    expect([role, irsaSubjects(statements)]).toEqual([role, want]);
    if (role === EXISTING) expect(statements).toContainEqual(EC2);
  }
}

describe('a 12-binding manifest over two clusters', () => {
  test('first run binds all, shared roles written once, shared cluster reads once', async () => {
    const started = Date.now();
    const r = await run(FLEET);
    console.log(`12 bindings, 2 clusters, first run: ${Date.now() - started} ms`);
    const journal = await emu.aws.journal();
    ok(r);
    expect(r.stderr).toBe('');
    await expectBound(FLEET);
    expect(await roles()).toEqual([...CREATED_ROLES, EXISTING].sort());
    expect(await attached('controller')).toEqual([DYNAMO_READ, S3_READ]);
    expect(await attached('loader')).toEqual([SQS_FULL]);
    expect(await attached('web')).toEqual([S3_READ]);
    expect(await attached(EXISTING)).toEqual([S3_READ]);
    expect(await roleTags('controller')).toMatchObject({ team: 'shop', tier: 'one' });
    expect(await roleTags('cache')).toMatchObject({ team: 'data' });

    // Each role's trust is written once: the created roles by CreateRole alone (all bindings of the role in it),
    // the existing role (3 bindings, 2 modes, 2 clusters) by one update.
    expect(count(journal, 'CreateRole')).toBe(CREATED_ROLES.length);
    expect(count(journal, 'UpdateAssumeRolePolicy')).toBe(1);
    expect(count(journal, 'CreateOpenIDConnectProvider')).toBe(2);
    for (const c of [EAST, WEST]) {
      const ofCluster = journal.filter((j) => j.path.startsWith(`/clusters/${c}/`) || j.path === `/clusters/${c}`);
      expect([c, count(ofCluster, 'DescribeCluster')]).toEqual([c, 1]);
      // One add-on check when observing; the add-on is then created and read once more, waiting for ACTIVE.
      const created = ofCluster.findIndex((j) => j.operation === 'CreateAddon');
      expect([c, count(ofCluster.slice(0, created), 'DescribeAddon'), count(ofCluster, 'CreateAddon')]).toEqual([
        c,
        1,
        1,
      ]);
    }

    const out = bindingsOut(r);
    expect(out.map((b) => `${b['cluster-name']}/${b.namespace}/${b['service-account']}`)).toEqual(FLEET.map(keyOf));
    expect(out.map((b) => [b.changed, b['role-arn'], b.error])).toEqual(
      FLEET.map((i) => ['true', arnOf(roleOf(i)), undefined]),
    );
    // A change of a cluster itself (add-on, OIDC provider) names the cluster; every other names its binding.
    const keys = new Set([...FLEET.map(keyOf), EAST, WEST]);
    const changes = changesOf(r);
    expect(changes.filter((c) => !keys.has(c.binding))).toEqual([]);
    expect(new Set(changes.map((c) => c.binding))).toEqual(keys);
    expect(
      changes
        .filter((c) => c.binding === EAST || c.binding === WEST)
        .map((c) => `${c.binding} ${c.resource}`)
        .sort(),
    ).toEqual([`${EAST} eks-addon`, `${EAST} iam-oidc-provider`, `${WEST} eks-addon`, `${WEST} iam-oidc-provider`]);
    expect(r.outputs.changed).toBe('true');
    // The summary: one section per cluster.
    expect(r.summary).toContain('### eks-pod-iam: 12 bindings in 2 clusters');
    expect(r.summary).toContain(`#### Cluster \`${EAST}\` (${REGION[EAST]})`);
    expect(r.summary).toContain(`#### Cluster \`${WEST}\` (${REGION[WEST]})`);
  });
});

test('rerun of the same manifest: no write of either kind, changed=false, a few reads per binding', async () => {
  ok(await run(FLEET));
  await clearJournals(emu);
  const r = await run(FLEET);
  ok(r);
  expect([r.outputs.changed, r.outputs.changes]).toEqual(['false', '[]']);
  const w = await writes(emu);
  expect(w.aws).toEqual([]);
  expect(w.kube).toEqual([]);
  console.log(`rerun of 12 bindings on 2 clusters: ${w.awsCalls.length} AWS calls`);
  expect(w.awsCalls.length).toBeLessThanOrEqual(3 * FLEET.length + 4 * 2);
  const out = bindingsOut(r);
  expect(
    out.map((b) => [`${b['cluster-name']}/${b.namespace}/${b['service-account']}`, b.changed, b['role-arn']]),
  ).toEqual(FLEET.map((i) => [keyOf(i), 'false', arnOf(roleOf(i))]));
  for (const [i, b] of out.entries())
    if (FLEET[i]!.mode !== 'irsa')
      expect([keyOf(FLEET[i]!), b['association-id']]).toEqual([keyOf(FLEET[i]!), expect.stringMatching(/^a-/)]);
    else
      expect([keyOf(FLEET[i]!), b['oidc-provider-arn']]).toEqual([
        keyOf(FLEET[i]!),
        providerArn(FLEET[i]!['cluster-name']),
      ]);
});

test('a top-level cluster-name runs only that cluster’s items; the others are skipped and untouched', async () => {
  // An item without cluster-name belongs to the top-level cluster (and takes the top-level region).
  const solo = { namespace: 'data', 'service-account': 'solo', 'role-name': 'solo' };
  const r = await run(JSON.stringify([...FLEET, solo]), { 'cluster-name': WEST, 'aws-region': REGION[WEST] });
  ok(r);
  const west = [...FLEET.filter((i) => i['cluster-name'] === WEST), { ...solo, 'cluster-name': WEST } as Item];
  const east = FLEET.filter((i) => i['cluster-name'] === EAST);
  expect(r.stdout).toContain(`Skipped (other clusters than this run's): ${east.map(keyOf).join(', ')}`);
  expect(bindingsOut(r).map((b) => `${b['cluster-name']}/${b.namespace}/${b['service-account']}`)).toEqual(
    west.map(keyOf),
  );
  // Nothing of the other cluster was read or written: no EKS call names it, no Kubernetes call is in its namespaces.
  const aws = await emu.aws.journal();
  expect(aws.filter((j) => j.path.startsWith(`/clusters/${EAST}`))).toEqual([]);
  expect(aws.filter((j) => j.region === REGION[EAST] && j.service === 'eks')).toEqual([]);
  const eastNamespaces = new Set(east.map((i) => i.namespace));
  expect((await emu.kube.journal()).filter((j) => eastNamespaces.has(j.namespace ?? ''))).toEqual([]);
  await expectBound(west);
  // The shared roles carry only this cluster's bindings.
  expect(await roles()).toEqual(['cache', 'controller', 'data-api', 'loader', 'nightly', EXISTING, 'solo']);
});

test('one cluster’s job after the whole fleet: no write; shared roles keep the other cluster’s bindings', async () => {
  ok(await run(FLEET));
  await clearJournals(emu);
  const r = await run(FLEET, { 'cluster-name': EAST });
  ok(r);
  expect([r.outputs.changed, r.outputs.changes]).toEqual(['false', '[]']);
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  await expectBound(FLEET);
});

test('file:// manifest: relative file:// paths inside it resolve against its directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eks-pod-iam-manifest-'));
  try {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }],
    };
    mkdirSync(join(dir, 'fleet'));
    writeFileSync(join(dir, 'fleet', 'policy.json'), JSON.stringify(policy));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ ...policy, Statement: [] })); // not this one
    writeFileSync(
      join(dir, 'fleet', 'bindings.yml'),
      [
        '# the reports service, in YAML',
        `- cluster-name: ${EAST}`,
        '  namespace: reports',
        '  service-account: builder',
        '  role-name: reports',
        '  inline-policy: file://policy.json',
        '  tags:',
        '    team: reports',
        `- cluster-name: ${EAST}`,
        '  namespace: reports',
        '  service-account: mailer',
        '  mode: irsa',
        '  role-name: reports',
        '',
      ].join('\n'),
    );
    const r = await run('file://fleet/bindings.yml', {}, dir);
    ok(r);
    const names = (await aws(emu, ['iam', 'list-role-policies', '--role-name', 'reports'])).PolicyNames;
    expect(names).toHaveLength(1);
    const doc = (await aws(emu, ['iam', 'get-role-policy', '--role-name', 'reports', '--policy-name', names[0]]))
      .PolicyDocument;
    expect(doc).toEqual(policy);
    expect(await roleTags('reports')).toMatchObject({ team: 'reports' });
    await expectBound([
      { 'cluster-name': EAST, namespace: 'reports', 'service-account': 'builder', 'role-name': 'reports' },
      { 'cluster-name': EAST, namespace: 'reports', 'service-account': 'mailer', mode: 'irsa', 'role-name': 'reports' },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('a bad manifest is refused with one line naming the item and key, before any request', () => {
  const good = (over: Record<string, unknown> = {}) => ({
    'cluster-name': EAST,
    namespace: 'shop',
    'service-account': 'cart',
    'role-name': 'controller',
    ...over,
  });
  test.each([
    ['not a list', JSON.stringify(good()), 'Input "bindings" must be a YAML or JSON list'],
    [
      'an unknown key',
      JSON.stringify([good(), good({ 'service-account': 'web', 'polcy-arns': S3_READ })]),
      'Input "bindings[1].polcy-arns"',
    ],
    [
      'a run-level key',
      JSON.stringify([good({ 'dry-run': true })]),
      'Input "bindings[0].dry-run" is a run-level input',
    ],
    [
      'a service account twice',
      JSON.stringify([good(), good({ 'role-name': 'other' })]),
      'Input "bindings[1].service-account" binds east/shop/cart again',
    ],
    [
      'one role given two inline policies',
      JSON.stringify([
        good({
          'inline-policy': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
        }),
        good({ 'service-account': 'web', 'inline-policy': { Version: '2012-10-17', Statement: [] } }),
      ]),
      'Input "bindings[1].inline-policy"',
    ],
    [
      'a bad role-arn',
      `- {cluster-name: ${EAST}, service-account: cart, role-arn: "arn:aws:iam::12:role/x"}`,
      'Input "bindings[0].role-arn"',
    ],
    [
      'a bad value in a second cluster',
      JSON.stringify([good(), good({ 'cluster-name': WEST, namespace: 'Bad_NS' })]),
      'Input "bindings[1].namespace"',
    ],
  ])('%s', async (_what, manifest, named) => {
    const r = await run(manifest);
    expect(r.code).toBe(1);
    const failure = failureOf(r);
    expect(failure.split('\n')).toHaveLength(1);
    expect(failure).toContain(named);
    const [aws, kube] = await Promise.all([emu.aws.journal(), emu.kube.journal()]);
    expect([aws, kube]).toEqual([[], []]);
  });
});

test('one failed binding fails alone: the others are applied, the failure names each failed binding', async () => {
  // An add-on owns the association of data/agent: the EKS API refuses to change it.
  const other = arnOf('someone-elses');
  await emu.aws.createOwnedAssociation({
    clusterName: WEST,
    region: REGION[WEST],
    namespace: 'data',
    serviceAccount: 'agent',
    roleArn: other,
    ownerArn: `arn:aws:eks:${REGION[WEST]}:${EMULATOR_ACCOUNT}:addon/${WEST}/amazon-cloudwatch-observability/x`,
  });
  await clearJournals(emu);
  const good = FLEET.filter((_, i) => [0, 1, 2, 6, 7].includes(i));
  const missing: Item = {
    'cluster-name': EAST,
    namespace: 'shop',
    'service-account': 'ghost',
    'role-arn': arnOf('does-not-exist'),
  };
  const owned: Item = {
    'cluster-name': WEST,
    'aws-region': REGION[WEST],
    namespace: 'data',
    'service-account': 'agent',
    'role-name': 'agent',
  };
  const manifest = [good[0]!, missing, good[1]!, good[2]!, owned, good[3]!, good[4]!];
  const r = await run(manifest);
  expect(r.code).toBe(1);
  const lines = failureOf(r).split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^bindings\[1\] east\/shop\/ghost: .*does-not-exist/);
  expect(lines[1]).toMatch(/^bindings\[4\] west\/data\/agent: /);
  await expectBound(good, { [WEST]: [['data', 'agent', other]] });
  const out = bindingsOut(r);
  expect(
    out.map((b) => [`${b['cluster-name']}/${b.namespace}/${b['service-account']}`, b.error !== undefined]),
  ).toEqual(manifest.map((i) => [keyOf(i), i === missing || i === owned]));
  expect(out[1]!.error).toBe(lines[0]!.replace(/^bindings\[1\] east\/shop\/ghost: /, ''));
});

test('dry run over a manifest: no write; its changes are the ones a real run then makes', async () => {
  const dry = await run(FLEET, { 'dry-run': 'true' });
  ok(dry);
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  expect(dry.outputs.changed).toBe('true');
  const real = await run(FLEET);
  ok(real);
  expect(changeSet(dry)).toEqual(changeSet(real));
  expect(bindingsOut(dry).map((b) => b.changed)).toEqual(FLEET.map(() => 'true'));
});

test('IAM throttling and Kubernetes conflicts and errors: the same end state, then a rerun is a no-op', async () => {
  const six = FLEET.filter((_, i) => [0, 1, 2, 3, 6, 7].includes(i));
  // The irsa service accounts exist (with a label of their own): annotating them is a PATCH, which may conflict.
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  for (const sa of ['web', 'admin'])
    await emu.kube.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa, namespace: 'shop', labels: { team: 'shop' } },
    });
  await emu.aws.setFaults({ throttleRate: 0.3, services: ['iam'], seed: 11 });
  await emu.kube.setFaults({ conflictRate: 0.5, errorRate: 0.2, seed: 3 });
  const started = Date.now();
  const r = await run(six);
  const ms = Date.now() - started;
  const throttled = (await emu.aws.journal()).filter((j) => j.fault === 'throttle').length;
  const kubeFaults = (await emu.kube.journal()).filter((j) => j.fault).map((j) => `${j.method} ${j.fault}`);
  console.log(
    `6 bindings under faults, ${ms} ms: ${throttled} IAM calls throttled, ` +
      `Kubernetes faults ${JSON.stringify(kubeFaults)}`,
  );
  // Which requests fail depends on the order they arrive in (the bindings run at once): of ~40 Kubernetes requests
  // some fail (409 only a PATCH can get); which ones is logged, not asserted.
  expect([throttled > 0, kubeFaults.length > 0]).toEqual([true, true]);
  ok(r);
  await Promise.all([emu.aws.setFaults({}), emu.kube.setFaults(null)]);
  await expectBound(six);
  for (const sa of ['web', 'admin'])
    expect((await kubectl(emu, EAST, ['get', 'sa', sa, '-n', 'shop', '-o', 'json'])).metadata.labels).toEqual({
      team: 'shop',
    });
  expect(await attached('controller')).toEqual([DYNAMO_READ, S3_READ]);
  expect(await attached('loader')).toEqual([SQS_FULL]);
  await clearJournals(emu);
  const again = await run(six);
  ok(again);
  expect(again.outputs.changed).toBe('false');
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
}, 120_000); // the SDK's throttling back-off is real time

describe('roles shared in other ways', () => {
  const shop = { 'cluster-name': EAST, namespace: 'shop' } as const;

  test('one item names a new role by role-arn, another by role-name: it is created once, both are bound', async () => {
    const items: Item[] = [
      { ...shop, 'service-account': 'cart', 'role-arn': arnOf('orders') },
      { ...shop, 'service-account': 'checkout', mode: 'irsa', 'role-name': 'orders' },
    ];
    const r = await run(items);
    ok(r);
    const journal = await emu.aws.journal();
    expect([count(journal, 'CreateRole'), count(journal, 'UpdateAssumeRolePolicy')]).toEqual([1, 0]);
    await expectBound(items);
    await clearJournals(emu);
    expect((await run(items)).outputs.changed).toBe('false');
    expect((await writes(emu)).aws).toEqual([]);
  });

  test('scope-trust on a role of three bindings in two clusters: one statement each, in one write', async () => {
    const scoped = { 'role-name': 'scoped', 'scope-trust': 'true' };
    const items = [
      { ...shop, 'service-account': 'cart', ...scoped },
      { ...shop, 'service-account': 'checkout', ...scoped },
      { 'cluster-name': WEST, 'aws-region': REGION[WEST], namespace: 'data', 'service-account': 'etl', ...scoped },
    ];
    ok(await run(JSON.stringify(items)));
    const journal = await emu.aws.journal();
    expect([count(journal, 'CreateRole'), count(journal, 'UpdateAssumeRolePolicy')]).toEqual([1, 0]);
    const conditions = (await trustOf(emu, 'scoped')).Statement.map((s) => s.Condition.StringEquals);
    expect(conditions).toEqual(
      [
        [EAST, 'shop', 'cart'],
        [EAST, 'shop', 'checkout'],
        [WEST, 'data', 'etl'],
      ].map(([c, ns, sa]) => ({
        'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION[c as Cluster]}:${EMULATOR_ACCOUNT}:cluster/${c}`,
        'aws:RequestTag/kubernetes-namespace': ns,
        'aws:RequestTag/kubernetes-service-account': sa,
      })),
    );
    await clearJournals(emu);
    expect((await run(JSON.stringify(items))).outputs.changed).toBe('false');
    expect((await writes(emu)).aws).toEqual([]);
  });

  test('irsa items of one cluster with different audiences: one OIDC provider with both client IDs', async () => {
    const items = [
      { ...shop, 'service-account': 'web', mode: 'irsa', 'role-name': 'web' },
      { ...shop, 'service-account': 'vault', mode: 'irsa', 'role-name': 'vault', audience: 'vault' },
    ];
    ok(await run(JSON.stringify(items)));
    expect(count(await emu.aws.journal(), 'CreateOpenIDConnectProvider')).toBe(1);
    const provider = ['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(EAST)];
    expect((await aws(emu, provider)).ClientIDList.sort()).toEqual(['sts.amazonaws.com', 'vault']);
    const vault = (await trustOf(emu, 'vault')).Statement[0].Condition.StringEquals;
    expect(vault[`${hostPath(EAST)}:aud`]).toBe('vault');
    await clearJournals(emu);
    expect((await run(JSON.stringify(items))).outputs.changed).toBe('false');
  });
});

test('a job for a cluster no item names: a warning, no request, exit 0, an empty bindings output', async () => {
  const r = await run(
    FLEET.filter((i) => i['cluster-name'] === EAST),
    { 'cluster-name': WEST },
  );
  ok(r);
  expect(r.stdout).toContain('::warning::No item of "bindings" is for cluster "west"');
  expect(r.outputs).toEqual({ changed: 'false', changes: '[]', bindings: '[]' });
  const [aws, kube] = await Promise.all([emu.aws.journal(), emu.kube.journal()]);
  expect([aws, kube]).toEqual([[], []]);
});

describe('a failed shared change fails exactly the bindings that need it', () => {
  test('the existing role’s trust write fails: its 3 bindings (2 clusters, 2 modes) fail, 9 are bound', async () => {
    await emu.aws.setFaults({ errorRate: 1, operations: ['UpdateAssumeRolePolicy'] });
    const r = await run(FLEET);
    await emu.aws.setFaults({});
    expect(r.code).toBe(1);
    const ofExisting = FLEET.filter((i) => roleOf(i) === EXISTING);
    expect(failureOf(r).split('\n')).toEqual(
      ofExisting.map((i) => expect.stringMatching(`^bindings\\[${FLEET.indexOf(i)}\\] ${keyOf(i)}: `)),
    );
    expect(bindingsOut(r).map((b) => b.error !== undefined)).toEqual(FLEET.map((i) => roleOf(i) === EXISTING));
    await expectBound(FLEET.filter((i) => roleOf(i) !== EXISTING));
    // The next run completes them.
    ok(await run(FLEET));
    await expectBound(FLEET);
  }, 120_000); // the SDK's retries of the 500s are real time

  test('the agent add-on fails: every pod-identity binding fails, the irsa ones are bound', async () => {
    await emu.aws.setAddonBehaviour({ readsUntilActive: 0, outcome: 'CREATE_FAILED' });
    const r = await run(FLEET);
    expect(r.code).toBe(1);
    const podIdentity = FLEET.filter((i) => i.mode !== 'irsa');
    const lines = failureOf(r).split('\n');
    expect(lines).toEqual(
      podIdentity.map((i) =>
        expect.stringMatching(
          `^bindings\\[${FLEET.indexOf(i)}\\] ${keyOf(i)}: ` +
            `Add-on eks-pod-identity-agent in cluster ${i['cluster-name']} is CREATE_FAILED`,
        ),
      ),
    );
    const irsa = FLEET.filter((i) => i.mode === 'irsa');
    for (const i of irsa)
      expect([keyOf(i), await annotation(i['cluster-name'], i.namespace, i['service-account'])]).toEqual([
        keyOf(i),
        arnOf(roleOf(i)),
      ]);
    expect(bindingsOut(r).map((b) => b.error === undefined)).toEqual(FLEET.map((i) => i.mode === 'irsa'));
  });
});

test('dry run over a half-applied fleet: its changes are the ones a real run then makes', async () => {
  ok(await run(FLEET.filter((_, i) => i % 2 === 0)));
  await clearJournals(emu);
  const dry = await run(FLEET, { 'dry-run': 'true' });
  ok(dry);
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  const real = await run(FLEET);
  ok(real);
  expect(changeSet(real).length).toBeGreaterThan(0);
  expect(changeSet(dry)).toEqual(changeSet(real));
  expect(bindingsOut(dry).map((b) => b.changed)).toEqual(bindingsOut(real).map((b) => b.changed));
});
