// The README's "Permissions" section must be exact: every AWS operation and Kubernetes request the program makes
// is documented for its mode, every documented action is made by some run, and an action documented as needed
// "only with" an input is never made without it. Data-driven: the runs below exercise every path, and the
// emulators' journals say what was called, so the test follows whatever the program does.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, kubectl } from './helpers/judge.js';
import { ROOT } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'perms';
const ROLE = 'perms-role';
const ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const POLICY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const BOUNDARY = 'arn:aws:iam::aws:policy/PowerUserAccess';
const TARGET = 'arn:aws:iam::123456789012:role/perms-target';
const INLINE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
});
const ALL = {
  'policy-arns': POLICY,
  'inline-policy': INLINE,
  'permissions-boundary': BOUNDARY,
  tags: 'team=payments',
  'restart-workloads': 'true',
};
// `managed-policy`: made, then changed while IAM's five versions exist (the oldest non-default one goes first).
const MANAGED_ARN = `arn:aws:iam::123456789012:policy/${ROLE}-eks-pod-iam`;
const managedDoc = (action: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const fiveVersions = async () => {
  for (const n of [2, 3, 4, 5])
    await aws(emu, [
      'iam',
      'create-policy-version',
      '--policy-arn',
      MANAGED_ARN,
      '--policy-document',
      managedDoc(`s3:Get${n}`),
    ]);
};
const managedSteps = (): Step[] => [
  { inputs: { 'managed-policy': managedDoc('s3:GetObject') } },
  { inputs: { 'managed-policy': managedDoc('s3:*'), 'dry-run': 'true' }, before: fiveVersions },
  { inputs: { 'managed-policy': managedDoc('s3:*') } },
];
// `presets`: one made (external-dns) and one AWS managed (vpc-cni); then the made one as an older upstream left it
// (another default version, the older version's tag): a new version, and its tag follows.
const PRESET_ARN = `arn:aws:iam::123456789012:policy/${ROLE}-external-dns`;
const olderPreset = async () => {
  await aws(emu, ['iam', 'create-policy-version', '--policy-arn', PRESET_ARN, '--policy-document', managedDoc('s3:*')]);
  await aws(emu, ['iam', 'set-default-policy-version', '--policy-arn', PRESET_ARN, '--version-id', 'v2']);
  await aws(emu, [
    'iam',
    'tag-policy',
    '--policy-arn',
    PRESET_ARN,
    '--tags',
    'Key=eks-pod-iam:preset,Value=external-dns@v0',
  ]);
};
const presetSteps = (): Step[] => [
  { inputs: { presets: 'external-dns\nvpc-cni' } },
  { inputs: { presets: 'external-dns\nvpc-cni' }, before: olderPreset },
];
const podTrust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const PODS = {
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};
const EFS_CONTROLLER = {
  namespace: 'kube-system',
  'service-account': 'efs-csi-controller-sa',
  addon: 'aws-efs-csi-driver',
  'install-agent': 'false',
};

type Mode = 'pod-identity' | 'irsa';
interface Step {
  inputs?: Record<string, string>;
  before?: () => Promise<unknown>;
}
/** One scenario: a fresh cluster, then runs in order (a later run sees what the earlier ones made). */
type Scenario = { mode: Mode; steps: Step[] };

let emu: Emulators;
const seedWorkloads = async () => {
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  const template = {
    metadata: { labels: { app: 'w' } },
    spec: { serviceAccountName: 'api', containers: [{ name: 'c', image: 'nginx' }] },
  };
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet'])
    await emu.kube.seed({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name: `w-${kind.toLowerCase()}`, namespace: 'apps' },
      spec: { selector: { matchLabels: { app: 'w' } }, template },
    });
};
const foreignRole = async () =>
  await aws(emu, ['iam', 'create-role', '--role-name', ROLE, '--assume-role-policy-document', podTrust]);
/** A customer-managed policy eks-pod-iam made (its tag), with an old version: what removal deletes with the role. */
const ownManagedPolicy = async () => {
  const doc = (action: string) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  const created = await aws(emu, [
    'iam',
    'create-policy',
    '--policy-name',
    'perms-own',
    '--policy-document',
    doc('s3:Get*'),
    '--tags',
    'Key=eks-pod-iam:managed,Value=true',
  ]);
  const ownPolicy = created.Policy.Arn;
  await aws(emu, ['iam', 'create-policy-version', '--policy-arn', ownPolicy, '--policy-document', doc('s3:List*')]);
  await aws(emu, ['iam', 'set-default-policy-version', '--policy-arn', ownPolicy, '--version-id', 'v2']);
};
const OWN_POLICY_ARN = 'arn:aws:iam::123456789012:policy/perms-own';
const REMOVE = { ...ALL, 'policy-arns': `${POLICY}\n${OWN_POLICY_ARN}`, state: 'absent' };

/** IRSA as set up by hand: the provider, a role trusting apps/api through it, the service account annotated. */
const seedIrsa = async () => {
  const issuer = (await aws(emu, ['eks', 'describe-cluster', '--name', CLUSTER])).cluster.identity.oidc
    .issuer as string;
  const provider = await aws(emu, [
    'iam',
    'create-open-id-connect-provider',
    '--url',
    issuer,
    '--client-id-list',
    'sts.amazonaws.com',
  ]);
  const host = issuer.replace('https://', '');
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: provider.OpenIDConnectProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${host}:sub`]: 'system:serviceaccount:apps:api', [`${host}:aud`]: 'sts.amazonaws.com' },
        },
      },
    ],
  };
  await aws(emu, ['iam', 'create-role', '--role-name', ROLE, '--assume-role-policy-document', JSON.stringify(trust)]);
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'api', namespace: 'apps', annotations: { 'eks.amazonaws.com/role-arn': ARN } },
  });
};

const SCENARIOS: Record<string, Scenario> = {
  'pod-identity: defaults on a fresh cluster': { mode: 'pod-identity', steps: [{}] },
  'irsa: defaults on a fresh cluster': { mode: 'irsa', steps: [{}] },
  'pod-identity: fresh with every option, rerun, then a new boundary on the owned role': {
    mode: 'pod-identity',
    steps: [
      { inputs: ALL, before: seedWorkloads },
      { inputs: ALL },
      { inputs: { ...ALL, 'permissions-boundary': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } },
    ],
  },
  'pod-identity: a foreign role and an association elsewhere are updated, tags added to both': {
    mode: 'pod-identity',
    steps: [
      {
        inputs: { 'install-agent': 'false', 'create-service-account': 'false' },
        before: async () => {
          await foreignRole();
          const pods = {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          };
          await aws(emu, [
            'iam',
            'create-role',
            '--role-name',
            'other',
            '--assume-role-policy-document',
            JSON.stringify({ Version: '2012-10-17', Statement: [pods] }),
          ]);
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
            'arn:aws:iam::123456789012:role/other',
          ]);
        },
      },
      { inputs: { 'install-agent': 'false', 'create-service-account': 'false', tags: 'team=payments' } },
    ],
  },
  'pod-identity: target roles: a readable one, rerun, then one in another account': {
    mode: 'pod-identity',
    steps: [
      {
        inputs: { 'target-role-arn': TARGET },
        before: async () =>
          await aws(emu, [
            'iam',
            'create-role',
            '--role-name',
            'perms-target',
            '--assume-role-policy-document',
            podTrust,
          ]),
      },
      { inputs: { 'target-role-arn': TARGET } },
      { inputs: { 'target-role-arn': 'arn:aws:iam::999999999999:role/perms-target' } },
    ],
  },
  'pod-identity: target roles removed: a readable one, then one in another account': {
    mode: 'pod-identity',
    steps: [
      {
        inputs: { 'target-role-arn': TARGET },
        before: async () =>
          await aws(emu, [
            'iam',
            'create-role',
            '--role-name',
            'perms-target',
            '--assume-role-policy-document',
            podTrust,
          ]),
      },
      { inputs: { 'target-role-arn': TARGET, state: 'absent' } },
      { inputs: { 'target-role-arn': 'arn:aws:iam::999999999999:role/perms-target' } },
      { inputs: { 'target-role-arn': 'arn:aws:iam::999999999999:role/perms-target', state: 'absent' } },
    ],
  },
  'pod-identity: proven by the exchange, with a Fargate profile of the cluster': {
    mode: 'pod-identity',
    steps: [
      {
        inputs: { 'verify-credentials': 'exchange' },
        before: async () => {
          await emu.aws.setServiceAccountKeys(await emu.kube.jwks());
          await aws(emu, [
            'eks',
            'create-fargate-profile',
            '--cluster-name',
            CLUSTER,
            '--fargate-profile-name',
            'batch',
            '--pod-execution-role-arn',
            'arn:aws:iam::123456789012:role/fargate',
            '--selectors',
            'namespace=batch',
          ]);
        },
      },
    ],
  },
  'irsa: proven by the exchange': {
    mode: 'irsa',
    steps: [
      {
        inputs: { 'verify-credentials': 'exchange' },
        before: async () => emu.aws.setServiceAccountKeys(await emu.kube.jwks()),
      },
    ],
  },
  'pod-identity: proven by a probe pod': {
    mode: 'pod-identity',
    steps: [{ inputs: { 'verify-credentials': 'pod' } }],
  },
  'irsa: proven by a probe pod': {
    mode: 'irsa',
    steps: [{ inputs: { 'verify-credentials': 'pod' } }],
  },
  'pod-identity: dry run': { mode: 'pod-identity', steps: [{ inputs: { ...ALL, 'dry-run': 'true' } }] },
  'pod-identity: failures before any write (unknown cluster, owned association)': {
    mode: 'pod-identity',
    steps: [
      { inputs: { 'cluster-name': 'nope' } },
      {
        before: () =>
          emu.aws.createOwnedAssociation({
            clusterName: CLUSTER,
            namespace: 'apps',
            serviceAccount: 'api',
            roleArn: ARN,
            ownerArn: `arn:aws:eks:us-east-1:123456789012:addon/${CLUSTER}/x/y`,
          }),
      },
    ],
  },
  'pod-identity: addon installed with another association (UpdateAddon, recommended policy), rerun, removal': {
    mode: 'pod-identity',
    steps: [
      {
        inputs: EFS_CONTROLLER,
        before: async () => {
          await aws(emu, [
            'iam',
            'create-role',
            '--role-name',
            'node',
            '--assume-role-policy-document',
            JSON.stringify({ Version: '2012-10-17', Statement: [PODS] }),
          ]);
          await aws(emu, [
            'eks',
            'create-addon',
            '--cluster-name',
            CLUSTER,
            '--addon-name',
            'aws-efs-csi-driver',
            '--pod-identity-associations',
            'serviceAccount=efs-csi-node-sa,roleArn=arn:aws:iam::123456789012:role/node',
          ]);
        },
      },
      { inputs: EFS_CONTROLLER },
      // removal through the add-on: UpdateAddon without it, then the created role and its policy go
      { inputs: { ...EFS_CONTROLLER, state: 'absent' } },
    ],
  },
  'pod-identity: addon not installed (CreateAddon with its association), no agent': {
    mode: 'pod-identity',
    steps: [
      {
        inputs: {
          namespace: 'kube-system',
          'service-account': 'ebs-csi-controller-sa',
          addon: 'aws-ebs-csi-driver',
          'install-agent': 'false',
        },
      },
    ],
  },
  'irsa: fresh with every option, rerun, then a new boundary and another tag': {
    mode: 'irsa',
    steps: [
      { inputs: ALL, before: seedWorkloads },
      { inputs: ALL },
      {
        inputs: {
          ...ALL,
          'permissions-boundary': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
          tags: 'team=payments\nenv=prod',
        },
      },
    ],
  },
  'irsa: a provider without our audience, a foreign role, an existing service account; webhook not readable': {
    mode: 'irsa',
    steps: [
      {
        before: async () => {
          const issuer = (await aws(emu, ['eks', 'describe-cluster', '--name', CLUSTER])).cluster.identity.oidc.issuer;
          await aws(emu, [
            'iam',
            'create-open-id-connect-provider',
            '--url',
            issuer,
            '--client-id-list',
            'other',
            '--thumbprint-list',
            '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
          ]);
          await foreignRole();
          await kubectl(emu, CLUSTER, ['create', 'namespace', 'apps']);
          await kubectl(emu, CLUSTER, ['create', 'serviceaccount', 'api', '-n', 'apps']);
          await emu.kube.setForbidden([{ resources: ['mutatingwebhookconfigurations'] }]);
        },
      },
    ],
  },
  'irsa: dry run': { mode: 'irsa', steps: [{ inputs: { ...ALL, 'dry-run': 'true' } }] },
  'pod-identity: migrate an IRSA service account (the role from its annotation), then rerun': {
    mode: 'pod-identity',
    steps: [
      { inputs: { 'migrate-from-irsa': 'true', 'role-name': '' }, before: seedIrsa },
      { inputs: { 'migrate-from-irsa': 'true', 'role-name': '' } },
    ],
  },
  'pod-identity: bound to another role first, then migrated off the annotated one (the association tagged)': {
    mode: 'pod-identity',
    steps: [
      { inputs: { 'role-name': 'perms-new' }, before: seedIrsa },
      { inputs: { 'migrate-from-irsa': 'true', 'role-name': 'perms-new' } },
    ],
  },
  'pod-identity: migrated off an annotated role that keeps another statement (the record untagged)': {
    mode: 'pod-identity',
    steps: [
      {
        inputs: { 'migrate-from-irsa': 'true', 'role-name': 'perms-new' },
        before: async () => {
          await seedIrsa();
          const trust = (await aws(emu, ['iam', 'get-role', '--role-name', ROLE])).Role.AssumeRolePolicyDocument;
          const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
          const doc = JSON.stringify({ ...trust, Statement: [...trust.Statement, ec2] });
          await aws(emu, ['iam', 'update-assume-role-policy', '--role-name', ROLE, '--policy-document', doc]);
        },
      },
    ],
  },
  'pod-identity: a managed policy made, then changed with five versions (dry run, then real)': {
    mode: 'pod-identity',
    steps: managedSteps(),
  },
  'irsa: a managed policy made, then changed with five versions (dry run, then real)': {
    mode: 'irsa',
    steps: managedSteps(),
  },
  'pod-identity: presets made and attached, then an older upstream version brought up to date': {
    mode: 'pod-identity',
    steps: presetSteps(),
  },
  'irsa: presets made and attached, then an older upstream version brought up to date': {
    mode: 'irsa',
    steps: presetSteps(),
  },
  'pod-identity: bind with every option, then remove (role, its policies, association, service account)': {
    mode: 'pod-identity',
    steps: [
      { inputs: { ...REMOVE, state: 'present' }, before: ownManagedPolicy },
      { inputs: REMOVE },
      { inputs: REMOVE },
    ],
  },
  'irsa: bind with every option, then remove (role, its policies, service account)': {
    mode: 'irsa',
    steps: [{ inputs: { ...REMOVE, state: 'present' }, before: ownManagedPolicy }, { inputs: REMOVE }],
  },
  'irsa: remove from a foreign role and a service account eks-pod-iam did not create': {
    mode: 'irsa',
    steps: [
      {
        before: async () => {
          await foreignRole();
          await kubectl(emu, CLUSTER, ['create', 'namespace', 'apps']);
          await kubectl(emu, CLUSTER, ['create', 'serviceaccount', 'api', '-n', 'apps']);
        },
      },
      { inputs: { state: 'absent' } },
    ],
  },
};

/** What one run called, with the inputs it ran with (action.yml defaults filled in). */
interface Call {
  mode: Mode;
  scenario: string;
  inputs: Record<string, string>;
  aws: Set<string>;
  kube: Set<string>;
}
const calls: Call[] = [];
const defaults = Object.fromEntries(
  Object.entries(
    (parse(readFileSync(`${ROOT}action.yml`, 'utf8')) as { inputs: Record<string, { default?: string }> }).inputs,
  ).map(([k, v]) => [k, v.default ?? '']),
);
/** `/api/v1/...` → core group "", `/apis/<group>/v1/...` → <group>. */
const groupOf = (path: string) => (path.startsWith('/apis/') ? path.split('/')[2]! : '');

beforeAll(async () => {
  emu = await connectEmulators();
  for (const [scenario, { mode, steps }] of Object.entries(SCENARIOS)) {
    await emu.reset();
    await emu.createCluster(CLUSTER);
    await emu.aws.setAddonBehaviour({ readsUntilActive: 1 });
    for (const step of steps) {
      await step.before?.();
      await clearJournals(emu);
      const inputs = {
        ...defaults,
        'cluster-name': CLUSTER,
        mode,
        namespace: 'apps',
        'service-account': 'api',
        'role-name': ROLE,
        ...step.inputs,
      };
      await runInProcess(inputs, { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } });
      const aws = new Set((await emu.aws.journal()).map((j) => `${j.service}:${j.operation}`));
      const kube = new Set(
        (await emu.kube.journal())
          .filter((j) => j.resource)
          .map((j) => `${groupOf(j.path)}/${j.resource}${j.subresource ? `/${j.subresource}` : ''}:${j.verb}`),
      );
      // The proof's web-identity exchange and caller check are made with the service account's token and the
      // credentials it gave, not with the runner's: no permission of the runner.
      if ((inputs as Record<string, string>)['verify-credentials'] !== 'none')
        for (const op of ['sts:AssumeRoleWithWebIdentity', 'sts:GetCallerIdentity']) aws.delete(op);
      // With a probe pod, the simulated cluster makes its own calls (its webhook's association lookup, the pod's
      // exchange): the cluster's, not the runner's.
      if ((inputs as Record<string, string>)['verify-credentials'] === 'pod')
        for (const op of ['eks:ListPodIdentityAssociations', 'eks-auth:AssumeRoleForPodIdentity']) aws.delete(op);
      calls.push({ mode, scenario, inputs, aws, kube });
    }
  }
}, 480_000);

interface Row {
  keys: string[];
  modes: Mode[];
  onlyWith: string[];
  implied: boolean;
  text: string;
}
/**
 * The README tables between the permissions markers: a row's first cell lists its actions
 * (or, for RBAC, group | resources | verbs).
 */
const section = () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  return readme.slice(readme.indexOf('<!-- permissions:begin -->'), readme.indexOf('<!-- permissions:end -->'));
};
function documented(kind: 'aws' | 'kube'): Row[] {
  const ticks = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
  const rows = section()
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  return rows
    .filter((c) => (kind === 'aws' ? c.length === 5 : c.length === 7))
    .map((c) => {
      const [modesAt, keys] =
        kind === 'aws'
          ? [1, ticks(c[0]!)]
          : [
              3,
              ticks(c[1]!).flatMap((r) => ticks(c[2]!).map((v) => `${ticks(c[0]!)[0]!.replace('""', '')}/${r}:${v}`)),
            ];
      return {
        keys,
        modes: (['pod-identity', 'irsa'] as const).filter((_, i) => c[modesAt + i] === '✓'),
        onlyWith: ticks(c[modesAt + 2]!),
        implied: /no API call of its own/.test(c.at(-1)!),
        text: c.at(-1)!,
      };
    });
}

/** `name` is an input (set and not false), or `input: value` (the input has that value). */
const on = (inputs: Record<string, string>, name: string) => {
  const [input, value] = name.split(': ');
  return value ? inputs[input!] === value : !!inputs[name] && inputs[name] !== 'false';
};
const made = (kind: 'aws' | 'kube', mode: Mode) =>
  new Set(calls.filter((c) => c.mode === mode).flatMap((c) => [...c[kind]]));

describe.each(['aws', 'kube'] as const)('%s permissions in the README', (kind) => {
  test.each(['pod-identity', 'irsa'] as const)('%s: exactly what the runs called', (mode) => {
    const rows = documented(kind).filter((r) => r.modes.includes(mode));
    expect(rows.length).toBeGreaterThan(3); // the tables were found and parsed
    const listed = new Set(rows.filter((r) => !r.implied).flatMap((r) => r.keys));
    const called = made(kind, mode);
    expect({
      undocumented: [...called].filter((k) => !listed.has(k)).sort(),
      neverCalled: [...listed].filter((k) => !called.has(k)).sort(),
    }).toEqual({ undocumented: [], neverCalled: [] });
  });

  test('an action needed "only with" an input is never called without it', () => {
    const violations = documented(kind)
      .filter((r) => r.onlyWith.length)
      .flatMap((r) =>
        calls
          .filter((c) => r.modes.includes(c.mode))
          .filter((c) => r.keys.some((k) => c[kind].has(k)) && !r.onlyWith.some((i) => on(c.inputs, i)))
          .map((c) => `${r.keys.join(',')} in "${c.scenario}" without ${r.onlyWith.join('/')}`),
      );
    expect(violations).toEqual([]);
  });
});

test('actions with no API call of their own are never called, and the call that needs them is', () => {
  const rows = documented('aws').filter((r) => r.implied);
  expect(rows.map((r) => r.keys[0])).toEqual(expect.arrayContaining(['iam:PassRole']));
  for (const r of rows) {
    const needer = [...r.text.matchAll(/`(\w+:\w+)`/g)].map((m) => m[1]!);
    expect({
      [r.keys[0]!]: r.modes.map((m) => [made('aws', m).has(r.keys[0]!), needer.some((n) => made('aws', m).has(n))]),
    }).toEqual({ [r.keys[0]!]: r.modes.map(() => [false, true]) });
  }
});

test('each example policy grants exactly the actions its mode lists, and the ClusterRole exactly the RBAC rows', () => {
  const examples = [...section().matchAll(/<summary>(pod-identity|irsa)[\s\S]*?<\/summary>\s*```json\n([\s\S]*?)```/g)];
  expect(examples.map((m) => m[1])).toEqual(['pod-identity', 'irsa']);
  for (const [, mode, json] of examples) {
    const granted = (JSON.parse(json!).Statement as { Action: string | string[] }[]).flatMap((s) => s.Action).sort();
    const rows = documented('aws').filter((r) => r.modes.includes(mode as Mode));
    expect({ mode, granted }).toEqual({ mode, granted: [...new Set(rows.flatMap((r) => r.keys))].sort() });
  }
  const role = parse(/```yaml\n(kind: ClusterRole[\s\S]*?|apiVersion: rbac[\s\S]*?)```/.exec(section())![1]!) as {
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  };
  const rules = role.rules.flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))),
  );
  expect(rules.sort()).toEqual([...new Set(documented('kube').flatMap((r) => r.keys))].sort());
});
