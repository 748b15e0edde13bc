// The `bindings` input: a manifest of many bindings parsed and validated once into a RunConfig (unit level: the
// parser with an in-memory file system, and the repository's example manifest from disk).
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { MAX_BINDINGS, nearest } from '../src/inputs/bindings.js';
import { InvalidInputs, parseInputs, parseRun } from '../src/inputs/parse.js';
import { BINDING_INPUTS, INPUT_NAMES, RUN_INPUTS, type InputName } from '../src/inputs/spec.js';

type Inputs = Partial<Record<InputName, string>>;

function run(inputs: Inputs, files: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  return parseRun((n) => inputs[n], {
    env,
    readFile: (p) => {
      if (p in files) return files[p]!;
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
    fileExists: (p) => p in files,
  });
}

function problemsOf(inputs: Inputs, files: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  try {
    run(inputs, files, env);
  } catch (e) {
    if (e instanceof InvalidInputs) return e.problems;
    throw e;
  }
  throw new Error('expected the inputs to be rejected');
}

const REGION = { 'aws-region': 'us-east-1' };
const DNS = 'arn:aws:iam::123456789012:policy/external-dns';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const stmt = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const otherStmt = { ...stmt, Action: 's3:*' };
const [one, other] = [stmt, otherStmt].map((s) => JSON.stringify({ Statement: [s] }));

// Twelve bindings in three clusters, both modes, roles shared across clusters (one given by ARN), over top-level
// defaults some items take and others replace.
const TOP: Inputs = {
  ...REGION,
  namespace: 'apps',
  'policy-arns': READ_ONLY,
  tags: 'owner=platform',
  'restart-workloads': 'true',
};
const MANIFEST = `
# controllers: one role each, bound in two clusters
- cluster-name: alpha
  namespace: kube-system
  service-account: external-dns
  role-name: external-dns
  policy-arns: [${DNS}]
- cluster-name: beta
  namespace: kube-system
  service-account: external-dns
  role-name: external-dns
  policy-arns:
    - ${DNS}
- cluster-name: alpha
  namespace: kube-system
  service-account: aws-load-balancer-controller
  role-arn: arn:aws:iam::123456789012:role/platform/lbc
  create-service-account: false
- cluster-name: beta
  namespace: kube-system
  service-account: aws-load-balancer-controller
  role-arn: arn:aws:iam::123456789012:role/platform/lbc
  create-service-account: "False"
# one inline policy, written two ways that mean the same
- cluster-name: alpha
  namespace: cert-manager
  service-account: cert-manager
  role-name: cert-manager
  inline-policy:
    Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Action: [route53:GetChange, route53:ListHostedZones]
        Resource: "*"
- cluster-name: beta
  namespace: cert-manager
  service-account: cert-manager
  role-name: cert-manager
  inline-policy: '{"Version":"2012-10-17","Statement":{"Resource":"*",
    "Action":["route53:ListHostedZones","route53:GetChange"],"Effect":"Allow"}}'
# applications
- cluster-name: alpha
  mode: irsa
  service-account: api
  role-name: api
- cluster-name: beta
  mode: IRSA
  service-account: api
  role-name: api
  audience: custom-audience
- cluster-name: alpha
  service-account: worker
  role-name: worker
  scope-trust: True
  tags: {tier: backend, replicas: 3, cost-center: 0042}
- cluster-name: beta
  service-account: worker
  role-name: worker
  policy-arns: "${DNS}, ${READ_ONLY}"
- cluster-name: alpha
  namespace: batch
  service-account: report
  role-name: report
  restart-workloads: false
  policy-arns: []
- cluster-name: gamma
  aws-region: eu-west-1
  namespace: ~
  service-account: app
  role-name: gamma-app
  tags:
    - team=gamma
    - env=prod
`;

describe('a manifest of twelve bindings', () => {
  const { config, warnings } = run({ ...TOP, bindings: MANIFEST });

  test('every item is a binding, in manifest order, with its index', () => {
    expect(
      config.bindings.map((b) => [
        b.index,
        `${b.clusterName}/${b.namespace}/${b.serviceAccount}`,
        b.mode,
        b.role.name,
        b.region,
      ]),
    ).toEqual([
      [0, 'alpha/kube-system/external-dns', 'pod-identity', 'external-dns', 'us-east-1'],
      [1, 'beta/kube-system/external-dns', 'pod-identity', 'external-dns', 'us-east-1'],
      [2, 'alpha/kube-system/aws-load-balancer-controller', 'pod-identity', 'lbc', 'us-east-1'],
      [3, 'beta/kube-system/aws-load-balancer-controller', 'pod-identity', 'lbc', 'us-east-1'],
      [4, 'alpha/cert-manager/cert-manager', 'pod-identity', 'cert-manager', 'us-east-1'],
      [5, 'beta/cert-manager/cert-manager', 'pod-identity', 'cert-manager', 'us-east-1'],
      [6, 'alpha/apps/api', 'irsa', 'api', 'us-east-1'],
      [7, 'beta/apps/api', 'irsa', 'api', 'us-east-1'],
      [8, 'alpha/apps/worker', 'pod-identity', 'worker', 'us-east-1'],
      [9, 'beta/apps/worker', 'pod-identity', 'worker', 'us-east-1'],
      [10, 'alpha/batch/report', 'pod-identity', 'report', 'us-east-1'],
      [11, 'gamma/default/app', 'pod-identity', 'gamma-app', 'eu-west-1'],
    ]);
    expect(config.skipped).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('a key an item leaves out takes the top-level value; a key it gives replaces it', () => {
    expect(config.bindings[0]).toEqual({
      index: 0,
      clusterName: 'alpha',
      region: 'us-east-1',
      partition: 'aws',
      mode: 'pod-identity',
      namespace: 'kube-system',
      serviceAccount: 'external-dns',
      role: { kind: 'name', name: 'external-dns' },
      policyArns: [DNS], // the item's list, not the top-level ReadOnlyAccess
      inlinePolicy: undefined,
      permissionsBoundary: undefined,
      tags: { owner: 'platform' }, // top-level
      createServiceAccount: true, // default
      audience: 'sts.amazonaws.com',
      scopeTrust: false,
      restartWorkloads: true, // top-level
      disableSessionTags: false,
      sessionPolicy: undefined,
      state: 'present',
      migrateFromIrsa: false,
      targetRoleArn: undefined,
      managedPolicy: undefined,
      addon: undefined,
      presets: [],
    });
    expect(config.bindings[6]).toMatchObject({ namespace: 'apps', policyArns: [READ_ONLY], restartWorkloads: true });
    expect(config.bindings[10]).toMatchObject({ policyArns: [], restartWorkloads: false });
    // Given empty (~): the input's default, not the top-level value.
    expect(config.bindings[11]).toMatchObject({ namespace: 'default', partition: 'aws', region: 'eu-west-1' });
  });

  test('values: YAML booleans or strings in any case, lists or strings, maps or lines', () => {
    expect(config.bindings.map((b) => b.createServiceAccount)).toEqual([
      ...Array(2).fill(true),
      false,
      false,
      ...Array(8).fill(true),
    ]);
    expect(config.bindings[8]).toMatchObject({
      scopeTrust: true,
      tags: { tier: 'backend', replicas: '3', 'cost-center': '0042' },
    });
    expect(config.bindings[9]!.policyArns).toEqual([DNS, READ_ONLY]);
    expect(config.bindings[11]!.tags).toEqual({ team: 'gamma', env: 'prod' });
    expect(config.bindings[7]).toMatchObject({ mode: 'irsa', audience: 'custom-audience' });
  });

  test('a role by ARN, and one inline policy given as YAML and as JSON text', () => {
    expect(config.bindings[2]!.role).toEqual({
      kind: 'arn',
      arn: 'arn:aws:iam::123456789012:role/platform/lbc',
      name: 'lbc',
      path: '/platform/',
      accountId: '123456789012',
    });
    expect(config.bindings[4]!.inlinePolicy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['route53:GetChange', 'route53:ListHostedZones'], Resource: '*' }],
    });
    expect(config.bindings[5]!.inlinePolicy).toMatchObject({ Statement: { Effect: 'Allow' } });
  });

  test('the run settings come from the top level; everything is deeply frozen', () => {
    expect(config).toMatchObject({ installAgent: true, dryRun: false, waitTimeoutSeconds: 600, kube: { kind: 'eks' } });
    expect(Object.isFrozen(config.bindings)).toBe(true);
    expect(Object.isFrozen(config.bindings[9]!.policyArns)).toBe(true);
    expect(Object.isFrozen(config.bindings[4]!.inlinePolicy)).toBe(true);
    expect(() => (config.bindings as unknown[]).push(1)).toThrow();
  });

  test('the same manifest as JSON gives the same run', () => {
    // In JSON a tag value written 0042 would be a number; a JSON author quotes it.
    const json = JSON.stringify(parseYaml(MANIFEST)).replace('"cost-center":42', '"cost-center":"0042"');
    expect(json).toContain('"cost-center":"0042"');
    expect(run({ ...TOP, bindings: json }).config).toEqual(config);
  });
});

describe('YAML scalars', () => {
  test('a policy document keeps its numbers and booleans; tag keys and values are kept as written, silently', () => {
    const emitWarning = jest.spyOn(process, 'emitWarning');
    try {
      const { config } = run({
        ...REGION,
        'cluster-name': 'c',
        'role-name': 'r',
        bindings: [
          '- service-account: a',
          '  tags: {2024: x, true: yes, 1.50: 0x1F}',
          '  inline-policy:',
          '    Statement:',
          '      Effect: Allow',
          '      Action: s3:*',
          '      Resource: "*"',
          '      Condition:',
          '        NumericLessThan: {aws:MultiFactorAuthAge: 3600}',
          '        Bool: {aws:SecureTransport: True}',
        ].join('\n'),
      });
      expect(config.bindings[0]!.tags).toEqual({ '2024': 'x', true: 'yes', '1.50': '0x1F' });
      expect(config.bindings[0]!.inlinePolicy).toMatchObject({
        Statement: {
          Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 }, Bool: { 'aws:SecureTransport': true } },
        },
      });
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('file:// manifests', () => {
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [stmt] });

  test('a manifest file; its relative file:// paths resolve against its directory, absolute ones stay', () => {
    const files = {
      'deploy/fleet/bindings.yml': [
        '- {cluster-name: c, service-account: a, role-name: a, inline-policy: file://policies/a.json}',
        '- {cluster-name: c, service-account: b, role-name: b, inline-policy: "file:///etc/eks/b.json"}',
      ].join('\n'),
      'deploy/fleet/policies/a.json': policy,
      '/etc/eks/b.json': policy,
    };
    const { config } = run({ ...REGION, bindings: 'file://deploy/fleet/bindings.yml' }, files);
    expect(config.bindings.map((b) => b.inlinePolicy)).toEqual([JSON.parse(policy), JSON.parse(policy)]);
    // A path that does not exist is named as resolved, so the user sees where it was looked for.
    const missing = { ...files, 'deploy/fleet/policies/a.json': undefined! };
    delete missing['deploy/fleet/policies/a.json'];
    const [problem] = problemsOf({ ...REGION, bindings: 'file://deploy/fleet/bindings.yml' }, missing);
    expect(problem!.message).toBe(
      'Input "bindings[0].inline-policy" points at "deploy/fleet/policies/a.json", which cannot be read (ENOENT).',
    );
  });

  test('an inline manifest resolves relative paths against the working directory, like the single input', () => {
    const { config } = run(
      {
        ...REGION,
        bindings: '[{"cluster-name": "c", "service-account": "a", "role-name": "a", "inline-policy": "file://p.json"}]',
      },
      { 'p.json': policy },
    );
    expect(config.bindings[0]!.inlinePolicy).toEqual(JSON.parse(policy));
  });

  test('a top-level inline-policy file an item inherits stays relative to the working directory', () => {
    const files = { 'fleet/bindings.yml': '- service-account: a', 'top.json': policy };
    const { config } = run(
      {
        ...REGION,
        'cluster-name': 'c',
        'role-name': 'r',
        'inline-policy': 'file://top.json',
        bindings: 'file://fleet/bindings.yml',
      },
      files,
    );
    expect(config.bindings[0]!.inlinePolicy).toEqual(JSON.parse(policy));
  });

  test('the example manifest (examples/clusters/bindings.yml) runs per cluster, from disk', () => {
    const root = new URL('../', import.meta.url).pathname;
    const counts: Record<string, number> = {};
    for (const cluster of ['prod-eu', 'prod-us', 'staging']) {
      const { config, warnings } = parseRun(
        (n) =>
          ({
            'cluster-name': cluster,
            'aws-region': 'eu-west-1',
            bindings: `file://${root}examples/clusters/bindings.yml`,
          })[n as string],
        { env: {} },
      );
      expect(warnings).toEqual([]);
      expect(config.bindings.every((b) => b.clusterName === cluster)).toBe(true);
      expect(config.bindings.length + config.skipped.length).toBe(10);
      counts[cluster] = config.bindings.length;
      for (const b of config.bindings.filter((b) => b.serviceAccount === 'cert-manager'))
        expect(b.inlinePolicy).toEqual(
          JSON.parse(readFileSync(`${root}examples/clusters/policies/cert-manager-route53.json`, 'utf8')),
        );
    }
    expect(counts).toEqual({ 'prod-eu': 4, 'prod-us': 3, staging: 3 });
  });
});

describe('cluster selection', () => {
  const FLEET = `
- {cluster-name: a, service-account: one, role-name: one}
- {service-account: two, role-name: two}
- {cluster-name: b, service-account: three, role-name: three}
- {cluster-name: a, namespace: ns, service-account: four, role-name: four}
- {cluster-name: c, service-account: five, role-name: five}
`;

  test('with a top-level cluster-name, only its items run (an item without one is its); the others are skipped', () => {
    const { config, warnings } = run({ ...REGION, 'cluster-name': 'a', bindings: FLEET });
    expect(config.bindings.map((b) => [b.index, b.clusterName, b.serviceAccount])).toEqual([
      [0, 'a', 'one'],
      [1, 'a', 'two'],
      [3, 'a', 'four'],
    ]);
    expect(config.skipped).toEqual(['b/default/three', 'c/default/five']);
    expect(warnings).toEqual([]);
  });

  test('a cluster with no item: nothing runs, everything is skipped, and a warning says so', () => {
    const { config, warnings } = run({ ...REGION, 'cluster-name': 'z', bindings: FLEET });
    // The item without a cluster is z's: it runs.
    expect(config.bindings.map((b) => [b.index, b.clusterName, b.serviceAccount])).toEqual([[1, 'z', 'two']]);
    expect(config.skipped).toEqual(['a/default/one', 'b/default/three', 'a/ns/four', 'c/default/five']);
    expect(warnings).toEqual([]);
    const none = run({
      ...REGION,
      'cluster-name': 'z',
      bindings: '- {cluster-name: a, service-account: x, role-name: x}',
    });
    expect(none.config.bindings).toEqual([]);
    expect(none.config.skipped).toEqual(['a/default/x']);
    expect(none.warnings).toEqual([
      'No item of "bindings" is for cluster "z" (the top-level "cluster-name"): nothing to do here; ' +
        'the item of other clusters is skipped.',
    ]);
  });

  test('without a top-level cluster-name every item must name its cluster', () => {
    expect(problemsOf({ ...REGION, bindings: FLEET }).map((p) => p.message)).toEqual([
      'Input "bindings[1].cluster-name" is required: with no top-level "cluster-name", every item names its cluster.',
    ]);
  });

  test("a role's items must agree only among the items that run (another cluster may be another account)", () => {
    const a = JSON.stringify({ Statement: [stmt] });
    const b = JSON.stringify({ Statement: [{ ...stmt, Action: 's3:PutObject' }] });
    const manifest =
      `- {cluster-name: a, service-account: x, role-name: r, inline-policy: '${a}'}\n` +
      `- {cluster-name: b, service-account: x, role-name: r, inline-policy: '${b}'}`;
    expect(run({ ...REGION, 'cluster-name': 'a', bindings: manifest }).config.skipped).toEqual(['b/default/x']);
    expect(problemsOf({ ...REGION, bindings: manifest }).map((p) => p.label)).toEqual(['bindings[1].inline-policy']);
  });

  test('skipped items are validated too: one manifest is checked whole in every job', () => {
    const problems = problemsOf({
      ...REGION,
      'cluster-name': 'a',
      bindings: `${FLEET}- {cluster-name: b, service-account: Bad, role-name: r}`,
    });
    expect(problems.map((p) => p.label)).toEqual(['bindings[5].service-account']);
  });
});

// [what is wrong, the manifest, the one problem: its label and a part of its sentence]
const BAD: [string, Inputs, string, RegExp][] = [
  [
    'not a list',
    { bindings: 'service-account: app' },
    'bindings',
    /must be a YAML or JSON list of bindings.*got a map/,
  ],
  ['an empty list', { bindings: '[]' }, 'bindings', /is an empty list/],
  ['a scalar', { bindings: '"just text"' }, 'bindings', /list of bindings .* got a string/],
  [
    'invalid YAML',
    { bindings: '- a: [1,\nb: secret-value' },
    'bindings',
    /^Input "bindings" is not valid YAML or JSON: .*\(line 2, column 1\)\.$/,
  ],
  [
    'invalid JSON',
    { bindings: '[{"service-account": "a",}' },
    'bindings',
    /not valid YAML or JSON: .*\(line 1, column \d+\)/,
  ],
  [
    'a key twice in one item',
    { bindings: '- {service-account: a, service-account: b}' },
    'bindings',
    /not valid YAML or JSON: Map keys must be unique/,
  ],
  [
    'an unreadable manifest file',
    { bindings: 'file://nowhere.yml' },
    'bindings',
    /points at "nowhere.yml", which cannot be read \(ENOENT\)/,
  ],
  [
    'an item that is not an object',
    { bindings: '- {service-account: a}\n- service-account=b' },
    'bindings[1]',
    /must be an object whose keys are binding inputs .* got a string/,
  ],
  ['an item that is a list', { bindings: '- [service-account, a]' }, 'bindings[0]', /got a list/],
  [
    'an unknown key, a typo',
    { bindings: '- {service-account: a, namspace: x}' },
    'bindings[0].namspace',
    /is not a binding input; did you mean "namespace"\?$/,
  ],
  [
    'an unknown key in another spelling',
    { bindings: '- {serviceAccount: a}' },
    'bindings[0].serviceAccount',
    /did you mean "service-account"\?/,
  ],
  [
    'an unknown key, no likely one',
    { bindings: '- {service-account: a, replicas: 2}' },
    'bindings[0].replicas',
    /is not a binding input \(the keys are the action inputs except dry-run/,
  ],
  [
    'a run-level key',
    { bindings: '- {service-account: a, dry-run: true}' },
    'bindings[0].dry-run',
    /is a run-level input: give it once, at the top level/,
  ],
  [
    'a run-level key, nested bindings',
    { bindings: '- {service-account: a, bindings: []}' },
    'bindings[0].bindings',
    /run-level/,
  ],
  [
    'a bad role ARN',
    {
      bindings:
        '- {service-account: a}\n- {service-account: b}\n- {service-account: c, role-arn: "arn:aws:iam::1:role/x"}',
    },
    'bindings[2].role-arn',
    /must be an IAM role ARN/,
  ],
  [
    'a bad namespace',
    { bindings: '- {service-account: a, namespace: Apps}' },
    'bindings[0].namespace',
    /must be a Kubernetes namespace name \(DNS-1123 label/,
  ],
  [
    'a bad boolean',
    { bindings: '- {service-account: a, scope-trust: yes}' },
    'bindings[0].scope-trust',
    /must be "true" or "false", got "yes"/,
  ],
  [
    'a number as a boolean',
    { bindings: '- {service-account: a, restart-workloads: 1}' },
    'bindings[0].restart-workloads',
    /must be "true" or "false", got "1"/,
  ],
  [
    'a number where text is expected',
    { bindings: '- {service-account: a, namespace: 2024}' },
    'bindings[0].namespace',
    /must be text, got the number 2024; quote it \("2024"\)/,
  ],
  [
    'a boolean where text is expected',
    { bindings: '- {service-account: true}' },
    'bindings[0].service-account',
    /must be text, got the boolean true/,
  ],
  [
    'a list where text is expected',
    { bindings: '- {service-account: [a, b]}' },
    'bindings[0].service-account',
    /must be text, got a list/,
  ],
  [
    'a map where text is expected',
    { bindings: '- {service-account: a, role-arn: {name: x}}' },
    'bindings[0].role-arn',
    /must be text, got a map/,
  ],
  [
    'a list item that is not text',
    { bindings: `- {service-account: a, policy-arns: [${DNS}, 7]}` },
    'bindings[0].policy-arns',
    /item 2 is a number/,
  ],
  [
    'a bad policy ARN in a list',
    { bindings: '- {service-account: a, policy-arns: [ReadOnlyAccess]}' },
    'bindings[0].policy-arns',
    /must hold IAM policy ARNs/,
  ],
  [
    'a tag value that is a map',
    { bindings: '- {service-account: a, tags: {team: {name: x}}}' },
    'bindings[0].tags',
    /has a map as the value of "team"; a tag value is text/,
  ],
  [
    'a reserved tag key',
    { bindings: '- {service-account: a, tags: {"aws:x": y}}' },
    'bindings[0].tags',
    /reserved by AWS/,
  ],
  [
    'a bad inline policy',
    {
      bindings:
        '- {service-account: a, inline-policy: ' +
        '{Statement: {Effect: Allow, Principal: "*", Action: "s3:*", Resource: "*"}}}',
    },
    'bindings[0].inline-policy',
    /has a Principal/,
  ],
  [
    'role-name and role-arn in one item',
    { bindings: '- {service-account: a, role-name: x, role-arn: "arn:aws:iam::123456789012:role/x"}' },
    'bindings[0].role-name',
    /and "role-arn" were both given/,
  ],
  [
    'no role anywhere',
    { 'role-name': '', bindings: '- {service-account: a}' },
    'bindings[0].role-name',
    /is required unless "role-arn" is given/,
  ],
  [
    'a missing service account',
    { bindings: '- {service-account: a}\n- {namespace: x}' },
    'bindings[1].service-account',
    /is required: give the Kubernetes service account name here or as the top-level input\.$/,
  ],
  [
    'a missing cluster, no top-level one',
    { 'cluster-name': '', bindings: '- {service-account: a}' },
    'bindings[0].cluster-name',
    /every item names its cluster/,
  ],
  [
    'a bad region in one item',
    { bindings: '- {service-account: a, aws-region: mars-1}' },
    'bindings[0].aws-region',
    /must be an AWS region/,
  ],
  [
    'one service account twice',
    {
      bindings:
        '- {service-account: a}\n- {service-account: b}\n- {namespace: default, service-account: a, role-name: other}',
    },
    'bindings[2].service-account',
    /binds c\/default\/a again \(bindings\[0\] binds it too\): give each service account once\.$/,
  ],
  [
    'one role, two boundaries',
    {
      bindings:
        '- {service-account: a, role-name: r, permissions-boundary: "arn:aws:iam::aws:policy/A"}\n' +
        '- {service-account: b, role-name: R, permissions-boundary: "arn:aws:iam::aws:policy/B"}',
    },
    'bindings[1].permissions-boundary',
    new RegExp(
      'gives role "R" the boundary arn:aws:iam::aws:policy/B, but bindings\\[0\\] gives it ' +
        'arn:aws:iam::aws:policy/A: a role has one permissions boundary\\.$',
    ),
  ],
  [
    'one role, two inline policies',
    {
      bindings:
        `- {service-account: a, role-name: r, inline-policy: '${JSON.stringify({ Statement: [stmt] })}'}\n` +
        '- {service-account: b, role-arn: "arn:aws:iam::123456789012:role/r", ' +
        `inline-policy: '${JSON.stringify({ Statement: [{ ...stmt, Action: 's3:*' }] })}'}`,
    },
    'bindings[1].inline-policy',
    /differs from the one bindings\[0\] gives role "r": a role has one inline policy/,
  ],
  [
    'one role, two documents for its managed policy',
    {
      bindings:
        `- {service-account: a, role-name: r, managed-policy: '${JSON.stringify({ Statement: [stmt] })}'}\n` +
        `- {service-account: b, role-name: r, managed-policy: '${JSON.stringify({ Statement: [otherStmt] })}'}`,
    },
    'bindings[1].managed-policy',
    /differs from the one bindings\[0\] gives policy "r-eks-pod-iam" of role "r": one policy has one document/,
  ],
  [
    'two roles, one managed policy name (any case), two documents',
    {
      bindings:
        `- {service-account: a, role-name: r, managed-policy-name: Shared, managed-policy: '${one}'}\n` +
        `- {service-account: b, role-name: q, managed-policy-name: shared, managed-policy: '${other}'}`,
    },
    'bindings[1].managed-policy',
    /differs from the one bindings\[0\] gives policy "shared" of role "q": one policy has one document/,
  ],
  [
    'too many items',
    {
      bindings: JSON.stringify(Array.from({ length: MAX_BINDINGS + 1 }, (_, i) => ({ 'service-account': `sa-${i}` }))),
    },
    'bindings',
    /lists 501 bindings; at most 500 are allowed, as IAM throttles/,
  ],
];

describe('bad manifests are rejected with one sentence naming bindings[i].key', () => {
  test('the table is large enough', () => expect(BAD.length).toBeGreaterThanOrEqual(30));

  test.each(BAD)('%s', (_what, inputs, label, detail) => {
    const problems = problemsOf({ ...REGION, 'cluster-name': 'c', 'role-name': 'r', ...inputs });
    expect(problems.map((p) => p.label)).toEqual([label]);
    expect(problems[0]!.message).toMatch(new RegExp(`^Input "${label.replace(/[[\]]/g, '\\$&')}" `));
    expect(problems[0]!.message).toMatch(detail);
    expect(problems[0]!.message).not.toContain('\n');
  });

  test('a manifest that is not valid YAML is located, never quoted', () => {
    const [problem] = problemsOf({ ...REGION, bindings: '- service-account: a\n  tags: {token: s3cr3t-v4lue\n' });
    expect(problem!.message).toMatch(/line \d+, column \d+/);
    expect(problem!.message).not.toContain('s3cr3t');
  });

  test('one managed policy for one role or two, its documents equal in meaning; other names are other policies', () => {
    const doc = { Version: '2012-10-17', Statement: [{ ...stmt, Action: ['s3:GetObject', 's3:ListBucket'] }] };
    const reordered = { Statement: { Resource: '*', Action: ['s3:ListBucket', 's3:GetObject'], Effect: 'Allow' } };
    const other = { Statement: [{ ...stmt, Action: 's3:*' }] };
    const { config } = run({
      ...REGION,
      'cluster-name': 'c',
      bindings: JSON.stringify([
        { 'service-account': 'a', 'role-name': 'r', 'managed-policy': doc },
        {
          'service-account': 'b',
          'role-name': 'r',
          'managed-policy': JSON.stringify({ ...reordered, Version: '2012-10-17' }),
        },
        { 'service-account': 'c', 'role-name': 'q', 'managed-policy-name': 'r-eks-pod-iam', 'managed-policy': doc },
        { 'service-account': 'd', 'role-name': 'r', 'managed-policy-name': 'extra', 'managed-policy': other },
        { 'service-account': 'e', 'role-name': 'r' },
      ]),
    });
    expect(config.bindings.map((b) => b.managedPolicy?.name)).toEqual([
      'r-eks-pod-iam',
      'r-eks-pod-iam',
      'r-eks-pod-iam',
      'extra',
      undefined,
    ]);
  });

  test('a shared role whose items agree (or leave the policy out) is fine', () => {
    const doc = { Version: '2012-10-17', Statement: [{ ...stmt, Action: ['s3:GetObject', 's3:ListBucket'] }] };
    const reordered = {
      Statement: { Resource: '*', Action: ['s3:ListBucket', 's3:GetObject'], Effect: 'Allow' },
      Version: '2012-10-17',
    };
    const { config } = run({
      ...REGION,
      'cluster-name': 'c',
      bindings: JSON.stringify([
        { 'service-account': 'a', 'role-name': 'r', 'inline-policy': doc, 'permissions-boundary': READ_ONLY },
        {
          'service-account': 'b',
          'role-name': 'r',
          'inline-policy': JSON.stringify(reordered),
          'permissions-boundary': READ_ONLY,
        },
        { 'service-account': 'c', 'role-name': 'r' },
      ]),
    });
    expect(config.bindings).toHaveLength(3);
  });

  test('a top-level value that is wrong is named as the top-level input, once, for every item inheriting it', () => {
    const problems = problemsOf({
      ...REGION,
      'cluster-name': 'c',
      'role-name': 'r',
      namespace: 'Bad',
      bindings: '- {service-account: a}\n- {service-account: b}\n- {service-account: c, namespace: ok}',
    });
    expect(problems.map((p) => p.message)).toEqual([
      'Input "namespace" must be a Kubernetes namespace name (DNS-1123 label: at most 63 lowercase letters, digits ' +
        'or "-", starting and ending with a letter or digit), got "Bad".',
    ]);
  });

  test('migrating items may leave the role out; their roles are not compared before they are known', () => {
    const { config } = run({
      ...REGION,
      'cluster-name': 'c',
      'migrate-from-irsa': 'true',
      bindings: JSON.stringify([
        { 'service-account': 'a', 'inline-policy': { Version: '2012-10-17', Statement: [stmt] } },
        {
          'service-account': 'b',
          'inline-policy': { Version: '2012-10-17', Statement: [{ ...stmt, Action: 's3:*' }] },
        },
        { 'service-account': 'c', 'role-name': 'r', 'migrate-from-irsa': false },
      ]),
    });
    expect(config.bindings.map((b) => b.role)).toEqual([
      { kind: 'annotation', name: '' },
      { kind: 'annotation', name: '' },
      { kind: 'name', name: 'r' },
    ]);
    const problems = problemsOf({ ...REGION, 'cluster-name': 'c', bindings: '- {service-account: a}' });
    expect(problems.map((p) => p.label)).toEqual(['bindings[0].role-name']);
  });

  test('an item giving role-arn replaces a top-level role-name (and the other way round)', () => {
    const { config } = run({
      ...REGION,
      'cluster-name': 'c',
      'role-name': 'default-role',
      bindings: '- {service-account: a, role-arn: "arn:aws:iam::123456789012:role/x"}\n- {service-account: b}',
    });
    expect(config.bindings.map((b) => b.role.kind)).toEqual(['arn', 'name']);
  });
});

describe('all problems are reported together', () => {
  test('problems of shape, of value and across items: one error, in manifest order', () => {
    const manifest = [
      '- {service-account: a, rolename: x, wait-timeout: 5}',
      '- 42',
      '- {service-account: b, mode: oidc, tags: [novalue]}',
      '- {service-account: a, role-name: y}',
    ].join('\n');
    try {
      run({ ...REGION, 'cluster-name': 'c', 'role-name': 'r', 'dry-run': 'maybe', bindings: manifest });
      throw new Error('not rejected');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputs);
      const err = e as InvalidInputs;
      expect(err.problems.map((p) => p.label)).toEqual([
        'dry-run',
        'bindings[0].rolename',
        'bindings[0].wait-timeout',
        'bindings[1]',
        'bindings[2].mode',
        'bindings[2].tags',
        'bindings[3].service-account',
      ]);
      expect(err.problems[1]!.message).toBe(
        'Input "bindings[0].rolename" is not a binding input; did you mean "role-name"?',
      );
      expect(err.message).toMatch(/^7 inputs are invalid: Input "dry-run" /);
      expect(err.message).not.toContain('\n');
    }
  });
});

describe('the single inputs', () => {
  const SINGLE: Inputs = { ...REGION, 'cluster-name': 'demo', 'service-account': 'app', 'role-name': 'app-role' };

  test('are one binding (index undefined), nothing skipped; parseInputs gives the same fields as one Config', () => {
    const { config } = run(SINGLE);
    expect(config.bindings).toHaveLength(1);
    expect(config.bindings[0]).toMatchObject({ index: undefined, clusterName: 'demo', serviceAccount: 'app' });
    expect(config.skipped).toEqual([]);
    const { index: _index, ...fields } = config.bindings[0]!;
    const { bindings: _b, skipped: _s, ...settings } = config;
    expect(parseInputs((n) => SINGLE[n], { env: {} }).config).toEqual({ ...fields, ...settings });
  });

  test('keep their messages: cluster-name and service-account are required without bindings', () => {
    const problems = problemsOf({ ...REGION, 'role-name': 'r' });
    expect(problems.map((p) => p.message)).toEqual([
      'Input "cluster-name" is required: give the EKS cluster\'s name.',
      'Input "service-account" is required: give the Kubernetes service account name.',
    ]);
  });

  test('parseInputs refuses a manifest (one Config cannot hold it)', () => {
    expect(() => parseInputs((n) => ({ ...SINGLE, bindings: '- {service-account: b}' })[n], { env: {} })).toThrow(
      'Input "bindings" is not supported by this entry point; use parseRun.',
    );
  });

  test('warnings name where the value was given, and only a value the binding gives itself', () => {
    const { warnings } = run({
      ...REGION,
      'cluster-name': 'c',
      'role-name': 'r',
      'scope-trust': 'true', // a default for the pod-identity items: not warned about for the irsa one
      bindings:
        '- {service-account: a}\n- {service-account: b, mode: irsa}\n' +
        '- {service-account: d, mode: irsa, scope-trust: true}',
    });
    expect(warnings).toEqual([
      'Input "bindings[2].scope-trust" applies to pod-identity mode only; it is ignored in irsa mode.',
    ]);
  });
});

describe('the binding keys', () => {
  test('are every input but the run-level ones, so a new input becomes a key by itself', () => {
    expect(RUN_INPUTS).toEqual([
      'dry-run',
      'kubeconfig',
      'wait-timeout',
      'install-agent',
      'bindings',
      'verify-credentials',
      'probe-image',
    ]);
    expect([...BINDING_INPUTS, ...RUN_INPUTS].sort()).toEqual([...INPUT_NAMES].sort());
    expect(BINDING_INPUTS).toEqual(expect.arrayContaining(['cluster-name', 'service-account', 'role-arn', 'tags']));
  });

  test('an unknown key is matched to the input most likely meant', () => {
    expect(nearest('role_name')).toBe('role-name');
    expect(nearest('roleArn')).toBe('role-arn');
    expect(nearest('Namespace')).toBe('namespace');
    expect(nearest('clustername')).toBe('cluster-name');
    expect(nearest('serivce-account')).toBe('service-account');
    expect(nearest('policy-arn')).toBe('policy-arns');
    expect(nearest('replicas')).toBeUndefined();
    expect(nearest('x')).toBeUndefined();
  });
});

describe('a kubeconfig reaches one cluster', () => {
  const twoClusters = `
- { cluster-name: alpha, service-account: a, role-name: r }
- { cluster-name: beta, service-account: b, role-name: r }
`;
  const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters: []\n';

  test('the kubeconfig input with bindings in two clusters is refused, naming the input', () => {
    const problems = problemsOf({ ...REGION, bindings: twoClusters, kubeconfig });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^Input "kubeconfig" reaches one cluster, but this run binds service accounts in 2 clusters/,
      ),
    ]);
  });

  test('KUBECONFIG from the environment is set aside, with a warning: each cluster is reached through EKS', () => {
    const { config, warnings } = run({ ...REGION, bindings: twoClusters }, { '/k': kubeconfig }, { KUBECONFIG: '/k' });
    expect(config.kube).toEqual({ kind: 'eks' });
    expect(warnings).toContainEqual(expect.stringMatching(/^KUBECONFIG is ignored: this run binds .* 2 clusters/));
  });

  test('one cluster keeps the kubeconfig', () => {
    const { config } = run(
      { ...REGION, 'cluster-name': 'alpha', bindings: twoClusters, kubeconfig: '/k' },
      {
        '/k': kubeconfig,
      },
    );
    expect(config.kube).toEqual({ kind: 'kubeconfig-file', path: '/k' });
  });
});
