import { InvalidInputs, parseInputs } from '../src/inputs/parse.js';
import type { InputName } from '../src/inputs/spec.js';

const VALID: Partial<Record<InputName, string>> = {
  'cluster-name': 'demo',
  'aws-region': 'us-east-1',
  'service-account': 'app',
  'role-name': 'app-role',
};

function parse(
  over: Partial<Record<InputName, string>>,
  env: NodeJS.ProcessEnv = {},
  files: Record<string, string> = {},
) {
  const values = { ...VALID, ...over };
  return parseInputs((n) => values[n], {
    env,
    readFile: (p) => {
      if (p in files) return files[p]!;
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
    fileExists: (p) => p in files,
  });
}

function problemsOf(
  over: Partial<Record<InputName, string>>,
  env: NodeJS.ProcessEnv = {},
  files: Record<string, string> = {},
) {
  try {
    parse(over, env, files);
  } catch (e) {
    if (e instanceof InvalidInputs) return e.problems;
    throw e;
  }
  throw new Error('expected the inputs to be rejected');
}

const policy = (o: unknown) => JSON.stringify(o);
const stmt = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

// [input named in the error, the inputs that are wrong, what the message must also say]
const BAD: [InputName, Partial<Record<InputName, string>>, RegExp][] = [
  ['cluster-name', { 'cluster-name': '' }, /required/],
  ['cluster-name', { 'cluster-name': 'bad name' }, /EKS cluster name/],
  ['cluster-name', { 'cluster-name': '-leading-dash' }, /starting with a letter or digit/],
  ['cluster-name', { 'cluster-name': 'a'.repeat(101) }, /1-100/],
  ['cluster-name', { 'cluster-name': 'dots.not.allowed' }, /EKS cluster name/],
  ['aws-region', { 'aws-region': 'useast1' }, /AWS region/],
  ['aws-region', { 'aws-region': 'US-EAST-1' }, /AWS region/],
  ['aws-region', { 'aws-region': '' }, /AWS_REGION/],
  ['aws-region', { 'aws-region': 'us-iso-east-1' }, /partition/],
  ['mode', { mode: 'pod_identity' }, /"pod-identity" or "irsa"/],
  ['mode', { mode: 'oidc' }, /"pod-identity" or "irsa"/],
  ['namespace', { namespace: 'Has-Upper' }, /DNS-1123/],
  ['namespace', { namespace: 'a'.repeat(64) }, /63/],
  ['namespace', { namespace: 'ends-with-dash-' }, /DNS-1123/],
  ['namespace', { namespace: 'dots.are.not.labels' }, /DNS-1123/],
  ['service-account', { 'service-account': '' }, /required/],
  ['service-account', { 'service-account': 'Upper' }, /DNS-1123/],
  ['service-account', { 'service-account': 'a'.repeat(254) }, /253/],
  ['service-account', { 'service-account': 'under_score' }, /DNS-1123/],
  ['role-name', { 'role-name': '' }, /required unless "role-arn"/],
  ['role-name', { 'role-name': 'r'.repeat(65) }, /1-64/],
  ['role-name', { 'role-name': 'has space' }, /IAM role name/],
  ['role-name', { 'role-name': 'slash/name' }, /IAM role name/],
  ['role-name', { 'role-arn': 'arn:aws:iam::123456789012:role/x' }, /both given/],
  ['role-arn', { 'role-name': '', 'role-arn': 'arn:aws:iam::123456789012:user/x' }, /IAM role ARN/],
  ['role-arn', { 'role-name': '', 'role-arn': 'arn:aws:iam::12345:role/x' }, /IAM role ARN/],
  ['role-arn', { 'role-name': '', 'role-arn': 'arn:aws-cn:iam::123456789012:role/x' }, /partition "aws-cn"/],
  ['role-arn', { 'role-name': '', 'role-arn': 'arn:azure:iam::123456789012:role/x' }, /IAM role ARN/],
  ['policy-arns', { 'policy-arns': 'AmazonS3ReadOnlyAccess' }, /IAM policy ARNs/],
  ['policy-arns', { 'policy-arns': 'arn:aws:iam::aws:policy/A,arn:aws:iam::aws:role/B' }, /IAM policy ARNs/],
  ['policy-arns', { 'policy-arns': 'arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess' }, /partition "aws-us-gov"/],
  [
    'policy-arns',
    { 'policy-arns': Array.from({ length: 21 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`).join('\n') },
    /at most 20/,
  ],
  ['inline-policy', { 'inline-policy': '{not json' }, /not valid JSON/],
  ['session-policy', { 'disable-session-tags': 'true', 'session-policy': '{not json' }, /not valid JSON/],
  ['session-policy', { 'session-policy': policy({ Statement: [stmt] }) }, /needs "disable-session-tags: true"/],
  [
    'session-policy',
    {
      'disable-session-tags': 'true',
      'session-policy': policy({ Statement: Array.from({ length: 40 }, (_, i) => ({ ...stmt, Sid: `S${i}` })) }),
    },
    /characters without whitespace; EKS allows 2048/,
  ],
  ['disable-session-tags', { 'disable-session-tags': 'sometimes' }, /"true" or "false"/],
  ['scope-trust', { 'scope-trust': 'true', 'disable-session-tags': 'true' }, /turns off: the role could not be/],
  ['inline-policy', { 'inline-policy': '[]' }, /JSON object/],
  ['inline-policy', { 'inline-policy': policy({ Version: '2012-10-17' }) }, /Statement/],
  ['inline-policy', { 'inline-policy': policy({ Statement: [{ ...stmt, Principal: '*' }] }) }, /trust/],
  ['inline-policy', { 'inline-policy': policy({ Statement: [{ ...stmt, Effect: 'Maybe' }] }) }, /Effect/],
  ['inline-policy', { 'inline-policy': policy({ Statement: [{ Effect: 'Allow', Resource: '*' }] }) }, /Action/],
  ['inline-policy', { 'inline-policy': policy({ Statement: [{ Effect: 'Allow', Action: 's3:*' }] }) }, /Resource/],
  ['inline-policy', { 'inline-policy': policy({ Version: '2010-01-01', Statement: [stmt] }) }, /Version/],
  ['inline-policy', { 'inline-policy': policy({ Statement: [{ ...stmt, Action: [1, 2] }] }) }, /list of strings/],
  ['inline-policy', { 'inline-policy': 'file://missing.json' }, /cannot be read/],
  [
    'inline-policy',
    {
      'inline-policy': policy({
        Statement: Array.from({ length: 200 }, (_, i) => ({
          ...stmt,
          Sid: `S${i}`,
          Resource: `arn:aws:s3:::bucket-${i}/*`,
        })),
      }),
    },
    /10240/,
  ],
  ['permissions-boundary', { 'permissions-boundary': 'boundary' }, /IAM policy ARNs/],
  ['permissions-boundary', { 'permissions-boundary': 'arn:aws-cn:iam::aws:policy/X' }, /partition/],
  ['tags', { tags: 'novalue' }, /key=value/],
  ['tags', { tags: '=value' }, /key=value/],
  ['tags', { tags: 'aws:reserved=1' }, /reserved by AWS/],
  ['tags', { tags: 'eks-pod-iam:managed=false' }, /set by eks-pod-iam/],
  ['tags', { tags: 'team=a\nTEAM=b' }, /more than once/],
  ['tags', { tags: `${'k'.repeat(129)}=v` }, /invalid key/],
  ['tags', { tags: `k=${'v'.repeat(257)}` }, /invalid value/],
  ['tags', { tags: 'k=semi;colon' }, /invalid value/],
  ['tags', { tags: Array.from({ length: 44 }, (_, i) => `k${i}=v`).join('\n') }, /at most 43/],
  ['create-service-account', { 'create-service-account': 'yes' }, /"true" or "false"/],
  ['install-agent', { 'install-agent': '1' }, /"true" or "false"/],
  ['scope-trust', { 'scope-trust': 'on' }, /"true" or "false"/],
  ['restart-workloads', { 'restart-workloads': 'maybe' }, /"true" or "false"/],
  ['dry-run', { 'dry-run': 'TRUE!' }, /"true" or "false"/],
  ['audience', { audience: 'has space' }, /OIDC client ID/],
  ['audience', { audience: 'a,b' }, /OIDC client ID/],
  ['wait-timeout', { 'wait-timeout': '0' }, /whole number/],
  ['wait-timeout', { 'wait-timeout': '-5' }, /whole number/],
  ['wait-timeout', { 'wait-timeout': '1.5' }, /whole number/],
  ['wait-timeout', { 'wait-timeout': 'ten' }, /whole number/],
  ['wait-timeout', { 'wait-timeout': '86401' }, /86400/],
  [
    'kubeconfig',
    { kubeconfig: '/nonexistent/kubeconfig' },
    /points at "\/nonexistent\/kubeconfig", which is neither an existing file nor kubeconfig content/,
  ],
  ['kubeconfig', { kubeconfig: 'token-abc def' }, /a value of 13 characters/],
  ['state', { state: 'gone' }, /"present" or "absent", got "gone"/],
  ['migrate-from-irsa', { 'migrate-from-irsa': 'yes' }, /"true" or "false"/],
  ['migrate-from-irsa', { 'migrate-from-irsa': 'true', mode: 'irsa' }, /pod-identity mode only/],
  ['migrate-from-irsa', { 'migrate-from-irsa': 'true', state: 'absent' }, /state: absent/],
  ['target-role-arn', { 'target-role-arn': 'not-an-arn' }, /IAM role ARN/],
  ['target-role-arn', { 'target-role-arn': 'arn:aws-cn:iam::123456789012:role/x' }, /partition/],
  [
    'target-role-arn',
    { 'target-role-arn': 'arn:aws:iam::123456789012:role/x', mode: 'irsa' },
    /pod-identity mode only/,
  ],
  ['managed-policy', { 'managed-policy': '{not json' }, /not valid JSON/],
  ['managed-policy', { 'managed-policy': 'file://missing.json' }, /cannot be read/],
  [
    'managed-policy',
    {
      'managed-policy': policy({
        Statement: Array.from({ length: 120 }, (_, i) => ({
          ...stmt,
          Sid: `S${i}`,
          Resource: `arn:aws:s3:::b-${i}/*`,
        })),
      }),
    },
    /6144/,
  ],
  ['managed-policy-name', { 'managed-policy-name': 'my-policy' }, /"managed-policy", which is not given/],
  [
    'managed-policy-name',
    { 'managed-policy-name': 'has space', 'managed-policy': policy({ Statement: [stmt] }) },
    /IAM policy name/,
  ],
  ['addon', { addon: 'EBS CSI!' }, /EKS add-on name/],
  ['addon', { addon: 'eks-pod-identity-agent' }, /no service account to bind/],
  ['addon', { addon: 'aws-ebs-csi-driver', mode: 'irsa' }, /pod-identity mode only/],
];

describe('bad inputs are rejected with a sentence naming the input', () => {
  test('the table is large enough', () => expect(BAD.length).toBeGreaterThanOrEqual(40));

  test.each(BAD)('%s: %j', (input, over, detail) => {
    const problems = problemsOf(over);
    const mine = problems.find((p) => p.input === input);
    expect(mine).toBeDefined();
    expect(mine!.message).toContain(`Input "${input}"`);
    expect(mine!.message).toMatch(detail);
    expect(mine!.message).not.toContain('\n');
  });
});

describe('all problems are reported together', () => {
  test('several bad inputs → one error listing each', () => {
    try {
      parse({ 'cluster-name': '', mode: 'x', namespace: 'NS', 'wait-timeout': 'soon' });
      throw new Error('not rejected');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputs);
      const err = e as InvalidInputs;
      expect(err.problems.map((p) => p.input).sort()).toEqual(['cluster-name', 'mode', 'namespace', 'wait-timeout']);
      expect(err.message).toMatch(/^4 inputs are invalid: /);
      expect(err.message).not.toContain('\n');
    }
  });
});

describe('good inputs', () => {
  test('defaults fill what is not given', () => {
    const { config, warnings } = parse({});
    expect(config).toMatchObject({
      clusterName: 'demo',
      region: 'us-east-1',
      partition: 'aws',
      mode: 'pod-identity',
      namespace: 'default',
      serviceAccount: 'app',
      role: { kind: 'name', name: 'app-role' },
      policyArns: [],
      createServiceAccount: true,
      installAgent: true,
      audience: 'sts.amazonaws.com',
      scopeTrust: false,
      restartWorkloads: false,
      dryRun: false,
      kube: { kind: 'eks' },
      waitTimeoutSeconds: 600,
    });
    expect(warnings).toEqual([]);
  });

  test('migrate-from-irsa makes role-name and role-arn optional: the service account names the role', () => {
    expect(parse({ 'role-name': '', 'migrate-from-irsa': 'true' }).config.role).toEqual({
      kind: 'annotation',
      name: '',
    });
    expect(parse({ 'migrate-from-irsa': 'True' }).config.role).toEqual({ kind: 'name', name: 'app-role' });
    const arn = 'arn:aws:iam::123456789012:role/ops/app';
    expect(parse({ 'role-name': '', 'role-arn': arn, 'migrate-from-irsa': 'true' }).config.role).toMatchObject({
      kind: 'arn',
      arn,
      name: 'app',
    });
    // Without the flag a role is still required.
    expect(problemsOf({ 'role-name': '' }).map((p) => p.message)).toEqual([
      'Input "role-name" is required unless "role-arn" is given: name the IAM role to create or update.',
    ]);
  });

  test('the config is deeply frozen', () => {
    const { config } = parse({ 'policy-arns': 'arn:aws:iam::aws:policy/A' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.policyArns)).toBe(true);
    expect(() => (config.policyArns as string[]).push('x')).toThrow();
  });

  test('region from AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(
      parse({ 'aws-region': '' }, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' }).config.region,
    ).toBe('eu-west-1');
    expect(parse({ 'aws-region': '' }, { AWS_DEFAULT_REGION: 'us-west-2' }).config.region).toBe('us-west-2');
  });

  test('partitions follow the region', () => {
    expect(parse({ 'aws-region': 'cn-north-1' }).config.partition).toBe('aws-cn');
    expect(parse({ 'aws-region': 'us-gov-west-1' }).config.partition).toBe('aws-us-gov');
  });

  test('booleans in any case (Octopus sends True/False)', () => {
    const { config } = parse({
      'dry-run': 'True',
      'install-agent': 'FALSE',
      'create-service-account': 'False',
      'scope-trust': 'tRuE',
    });
    expect([config.dryRun, config.installAgent, config.createServiceAccount, config.scopeTrust]).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });

  test('policy ARNs: newlines or commas, blanks dropped, duplicates once', () => {
    const { config } = parse({
      'policy-arns':
        ' arn:aws:iam::aws:policy/A ,\n\narn:aws:iam::123456789012:policy/team/B\narn:aws:iam::aws:policy/A',
    });
    expect(config.policyArns).toEqual(['arn:aws:iam::aws:policy/A', 'arn:aws:iam::123456789012:policy/team/B']);
  });

  test('tags as lines or commas', () => {
    expect(parse({ tags: 'team=platform\ncost-center = 42, env=' }).config.tags).toEqual({
      team: 'platform',
      'cost-center': '42',
      env: '',
    });
  });

  test('role-arn with a path', () => {
    const { config } = parse({ 'role-name': '', 'role-arn': 'arn:aws:iam::210987654321:role/service/app-role' });
    expect(config.role).toEqual({
      kind: 'arn',
      arn: 'arn:aws:iam::210987654321:role/service/app-role',
      name: 'app-role',
      path: '/service/',
      accountId: '210987654321',
    });
  });

  test('inline policy from JSON or file://', () => {
    const doc = { Version: '2012-10-17', Statement: [stmt] };
    expect(parse({ 'inline-policy': JSON.stringify(doc) }).config.inlinePolicy).toEqual(doc);
    expect(
      parse({ 'inline-policy': 'file://p.json' }, {}, { 'p.json': JSON.stringify(doc) }).config.inlinePolicy,
    ).toEqual(doc);
  });

  test('kubeconfig: path, content, or KUBECONFIG', () => {
    expect(parse({ kubeconfig: '/k' }, {}, { '/k': '' }).config.kube).toEqual({ kind: 'kubeconfig-file', path: '/k' });
    expect(parse({ kubeconfig: 'apiVersion: v1\nkind: Config\n' }).config.kube.kind).toBe('kubeconfig-text');
    expect(parse({}, { KUBECONFIG: '/missing:/k2' }, { '/k2': '' }).config.kube).toEqual({
      kind: 'kubeconfig-file',
      path: '/k2',
    });
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [] });
    expect(parse({ kubeconfig: json }).config.kube).toEqual({ kind: 'kubeconfig-text', text: json });
    expect(parse({ kubeconfig: Buffer.from(json).toString('base64') }).config.kube).toEqual({
      kind: 'kubeconfig-text',
      text: json,
    });
  });

  test('inputs that do nothing in this mode are warned about', () => {
    expect(parse({ mode: 'irsa', 'scope-trust': 'true' }).warnings.join()).toMatch(/scope-trust/);
    expect(parse({ audience: 'other' }).warnings.join()).toMatch(/audience/);
  });
});
