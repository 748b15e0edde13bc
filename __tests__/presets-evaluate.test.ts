// The made policies evaluated by an IAM policy evaluator (@cloud-copilot/iam-simulate), not compared as text: each
// controller's documented calls are allowed on the resources its parameters (or its cluster) scope it to, and refused
// outside them. The last tests widen a scoped Resource to "*" and show the evaluator then allows the outside call,
// so these tests would fail if the scoping were removed.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { expandPreset } from '../src/presets/index.js';
import type { PresetDocument, PresetRequest } from '../src/presets/types.js';

const ACCOUNT = '111122223333';
const ctx = { partition: 'aws', region: 'eu-west-1', accountId: ACCOUNT, clusterName: 'prod' };
type Context = Record<string, string | string[]>;

function made(name: string, params: PresetRequest['params'] = {}): PresetDocument {
  const doc = expandPreset({ name, params }, ctx).document;
  if (!doc) throw new Error(`${name} made no document`);
  return doc;
}

/** KMS reads the key policy first: the default one lets the account's IAM policies decide. */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

/** The evaluator's decision for one request by a role whose only policy is `doc`. */
async function decide(doc: PresetDocument, action: string, resource: string, context: Context = {}) {
  const resourcePolicy = action.startsWith('kms:') ? { resourcePolicy: DEFAULT_KEY_POLICY } : {};
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/controller`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: 'preset', policy: doc }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...resourcePolicy,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation refused: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const zone = (id: string) => `arn:aws:route53:::hostedzone/${id}`;
const asg =
  `arn:aws:autoscaling:eu-west-1:${ACCOUNT}:autoScalingGroup:` +
  '6d3b4a1c-1111-2222-3333-444455556666:autoScalingGroupName/ng-1';

describe('external-dns', () => {
  const doc = made('external-dns', { 'hosted-zone-arns': [zone('Z123')] });

  test('changes and lists records of the given zone only; lists zones everywhere', async () => {
    expect(await decide(doc, 'route53:ChangeResourceRecordSets', zone('Z123'))).toBe('Allowed');
    expect(await decide(doc, 'route53:ListResourceRecordSets', zone('Z123'))).toBe('Allowed');
    expect(await decide(doc, 'route53:ListHostedZones', '*')).toBe('Allowed');
    expect(await decide(doc, 'route53:ChangeResourceRecordSets', zone('Z999'))).toBe('ImplicitlyDenied');
    expect(await decide(doc, 'route53:ListResourceRecordSets', zone('Z999'))).toBe('ImplicitlyDenied');
    expect(await decide(doc, 'route53:DeleteHostedZone', zone('Z123'))).toBe('ImplicitlyDenied');
  });

  test('without the parameter, every zone (upstream default)', async () => {
    expect(await decide(made('external-dns'), 'route53:ChangeResourceRecordSets', zone('Z999'))).toBe('Allowed');
  });
});

describe('cert-manager', () => {
  const doc = made('cert-manager', { 'hosted-zone-arns': [zone('Z123')] });

  test('writes challenge records in the given zone only, and polls changes', async () => {
    expect(await decide(doc, 'route53:ChangeResourceRecordSets', zone('Z123'))).toBe('Allowed');
    expect(await decide(doc, 'route53:GetChange', 'arn:aws:route53:::change/C2682N5HXP0BZ4')).toBe('Allowed');
    expect(await decide(doc, 'route53:ListHostedZonesByName', '*')).toBe('Allowed');
    expect(await decide(doc, 'route53:ChangeResourceRecordSets', zone('Z999'))).toBe('ImplicitlyDenied');
  });
});

describe('aws-load-balancer-controller', () => {
  const doc = made('aws-load-balancer-controller');
  const lb = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/k8s-web/50dc6c495c0c9188`;
  const tg = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/k8s-web/73e2d6bc24d8a067`;
  const sg = `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-0123456789abcdef0`;
  const owned = { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'prod' };
  const tagging = { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'prod', 'aws:TagKeys': ['elbv2.k8s.aws/cluster'] };

  test('creates load balancers only when it tags them as its own', async () => {
    expect(await decide(doc, 'elasticloadbalancing:CreateLoadBalancer', lb, tagging)).toBe('Allowed');
    expect(await decide(doc, 'elasticloadbalancing:CreateLoadBalancer', lb)).toBe('ImplicitlyDenied');
  });

  test('modifies and deletes only what carries its cluster tag', async () => {
    expect(await decide(doc, 'elasticloadbalancing:DeleteLoadBalancer', lb, owned)).toBe('Allowed');
    expect(await decide(doc, 'elasticloadbalancing:DeleteLoadBalancer', lb)).toBe('ImplicitlyDenied');
    expect(await decide(doc, 'ec2:DeleteSecurityGroup', sg, owned)).toBe('Allowed');
    expect(await decide(doc, 'ec2:DeleteSecurityGroup', sg)).toBe('ImplicitlyDenied');
  });

  test('registers targets in target groups; does not touch what the policy does not name', async () => {
    expect(await decide(doc, 'elasticloadbalancing:RegisterTargets', tg)).toBe('Allowed');
    expect(await decide(doc, 'ec2:TerminateInstances', `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0abc`)).toBe(
      'ImplicitlyDenied',
    );
  });
});

describe('cluster-autoscaler', () => {
  const doc = made('cluster-autoscaler');
  const tags = (cluster: string, enabled = 'true') => ({
    'aws:ResourceTag/k8s.io/cluster-autoscaler/enabled': enabled,
    [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: 'owned',
  });

  test("scales and terminates in this cluster's groups only", async () => {
    for (const action of ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']) {
      expect(await decide(doc, action, asg, tags('prod'))).toBe('Allowed');
      expect(await decide(doc, action, asg, tags('other'))).toBe('ImplicitlyDenied');
      expect(await decide(doc, action, asg, tags('prod', 'false'))).toBe('ImplicitlyDenied');
      expect(await decide(doc, action, asg)).toBe('ImplicitlyDenied');
    }
  });

  test('discovers groups anywhere', async () => {
    expect(await decide(doc, 'autoscaling:DescribeAutoScalingGroups', '*')).toBe('Allowed');
    expect(await decide(doc, 'autoscaling:DescribeTags', '*')).toBe('Allowed');
  });
});

describe('karpenter', () => {
  const doc = made('karpenter');
  const instance = (region = 'eu-west-1') => `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0abc`;
  const ours = (cluster: string) => ({
    [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: 'owned',
    'aws:ResourceTag/karpenter.sh/nodepool': 'default',
  });
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  const toEc2 = { 'iam:PassedToService': 'ec2.amazonaws.com' };

  test("terminates this cluster's nodes in its region only", async () => {
    expect(await decide(doc, 'ec2:TerminateInstances', instance(), ours('prod'))).toBe('Allowed');
    expect(await decide(doc, 'ec2:TerminateInstances', instance(), ours('other'))).toBe('ImplicitlyDenied');
    expect(await decide(doc, 'ec2:TerminateInstances', instance('us-east-1'), ours('prod'))).toBe('ImplicitlyDenied');
  });

  test('passes the node role to EC2 only: the default one, or the given ones', async () => {
    expect(await decide(doc, 'iam:PassRole', role('KarpenterNodeRole-prod'), toEc2)).toBe('Allowed');
    expect(
      await decide(doc, 'iam:PassRole', role('KarpenterNodeRole-prod'), {
        'iam:PassedToService': 'lambda.amazonaws.com',
      }),
    ).toBe('ImplicitlyDenied');
    expect(await decide(doc, 'iam:PassRole', role('admin'), toEc2)).toBe('ImplicitlyDenied');
    const given = made('karpenter', { 'node-role-arns': [role('nodes')] });
    expect(await decide(given, 'iam:PassRole', role('nodes'), toEc2)).toBe('Allowed');
    expect(await decide(given, 'iam:PassRole', role('KarpenterNodeRole-prod'), toEc2)).toBe('ImplicitlyDenied');
  });

  test('reads its interruption queue and describes its own cluster only', async () => {
    const queue = (name: string) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;
    expect(await decide(doc, 'sqs:ReceiveMessage', queue('prod'))).toBe('Allowed');
    expect(await decide(doc, 'sqs:ReceiveMessage', queue('payments'))).toBe('ImplicitlyDenied');
    const cluster = (name: string) => `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/${name}`;
    expect(await decide(doc, 'eks:DescribeCluster', cluster('prod'))).toBe('Allowed');
    expect(await decide(doc, 'eks:DescribeCluster', cluster('other'))).toBe('ImplicitlyDenied');
  });
});

describe('external-secrets', () => {
  const secret = (name: string) => `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}`;
  const parameter = (name: string) => `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/${name}`;
  const key = (id: string) => `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${id}`;
  const doc = made('external-secrets', {
    'secret-arns': [secret('prod/*')],
    'parameter-arns': [parameter('prod/*')],
    'kms-key-arns': [key('1234abcd-12ab-34cd-56ef-1234567890ab')],
  });

  test('reads the given secrets and parameters only', async () => {
    expect(await decide(doc, 'secretsmanager:GetSecretValue', secret('prod/db-AbCdEf'))).toBe('Allowed');
    expect(await decide(doc, 'secretsmanager:GetSecretValue', secret('dev/db-AbCdEf'))).toBe('ImplicitlyDenied');
    expect(await decide(doc, 'ssm:GetParameter', parameter('prod/token'))).toBe('Allowed');
    expect(await decide(doc, 'ssm:GetParameter', parameter('dev/token'))).toBe('ImplicitlyDenied');
    expect(await decide(doc, 'secretsmanager:PutSecretValue', secret('prod/db-AbCdEf'))).toBe('ImplicitlyDenied');
  });

  test('decrypts with the given keys only, and with none unless asked', async () => {
    expect(await decide(doc, 'kms:Decrypt', key('1234abcd-12ab-34cd-56ef-1234567890ab'))).toBe('Allowed');
    expect(await decide(doc, 'kms:Decrypt', key('ffffffff-12ab-34cd-56ef-1234567890ab'))).toBe('ImplicitlyDenied');
    const noKeys = made('external-secrets', { 'secret-arns': [secret('prod/*')] });
    expect(await decide(noKeys, 'kms:Decrypt', key('1234abcd-12ab-34cd-56ef-1234567890ab'))).toBe('ImplicitlyDenied');
  });
});

describe('bucket, queue, CA, workspace and repository scoping', () => {
  test('velero and mountpoint: objects and listing of the given buckets only', async () => {
    for (const name of ['velero', 'mountpoint-s3-csi-driver']) {
      const doc = made(name, { 'bucket-arns': ['arn:aws:s3:::backups'] });
      expect(await decide(doc, 's3:PutObject', 'arn:aws:s3:::backups/prod/x.tar.gz')).toBe('Allowed');
      expect(await decide(doc, 's3:ListBucket', 'arn:aws:s3:::backups')).toBe('Allowed');
      expect(await decide(doc, 's3:PutObject', 'arn:aws:s3:::other/x')).toBe('ImplicitlyDenied');
      expect(await decide(doc, 's3:ListBucket', 'arn:aws:s3:::other')).toBe('ImplicitlyDenied');
    }
  });

  test('node-termination-handler, privateca-issuer, amazon-managed-prometheus, image-builder', async () => {
    const q = (n: string) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${n}`;
    const nth = made('node-termination-handler', { 'queue-arns': [q('nth')] });
    expect(await decide(nth, 'sqs:ReceiveMessage', q('nth'))).toBe('Allowed');
    expect(await decide(nth, 'sqs:ReceiveMessage', q('other'))).toBe('ImplicitlyDenied');
    const ca = (id: string) => `arn:aws:acm-pca:eu-west-1:${ACCOUNT}:certificate-authority/${id}`;
    const pca = made('privateca-issuer', { 'ca-arns': [ca('11111111-2222-3333-4444-555555555555')] });
    expect(await decide(pca, 'acm-pca:IssueCertificate', ca('11111111-2222-3333-4444-555555555555'))).toBe('Allowed');
    expect(await decide(pca, 'acm-pca:IssueCertificate', ca('99999999-2222-3333-4444-555555555555'))).toBe(
      'ImplicitlyDenied',
    );
    const ws = (id: string) => `arn:aws:aps:eu-west-1:${ACCOUNT}:workspace/${id}`;
    const amp = made('amazon-managed-prometheus', { 'workspace-arns': [ws('ws-1')] });
    expect(await decide(amp, 'aps:RemoteWrite', ws('ws-1'))).toBe('Allowed');
    expect(await decide(amp, 'aps:RemoteWrite', ws('ws-2'))).toBe('ImplicitlyDenied');
    const repo = (n: string) => `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/${n}`;
    const ib = made('image-builder', { 'repository-arns': [repo('apps/web')] });
    expect(await decide(ib, 'ecr:PutImage', repo('apps/web'))).toBe('Allowed');
    expect(await decide(ib, 'ecr:GetAuthorizationToken', '*')).toBe('Allowed');
    expect(await decide(ib, 'ecr:PutImage', repo('base/os'))).toBe('ImplicitlyDenied');
  });
});

describe('the evaluator sees scoping: the same documents with Resource widened to "*" allow the outside calls', () => {
  /** The document with every Resource that mentions `needle` replaced by "*", as if scoping were removed. */
  function widened(doc: PresetDocument, needle: string): PresetDocument {
    const Statement = doc.Statement.map((s) =>
      JSON.stringify(s.Resource).includes(needle) ? { ...s, Resource: '*' } : s,
    );
    return { ...doc, Statement };
  }
  /** The document with every Condition dropped, as if the tag scoping were removed. */
  const unconditioned = (doc: PresetDocument): PresetDocument => ({
    ...doc,
    Statement: doc.Statement.map(({ Condition: _c, ...s }) => s),
  });

  test('zones, secrets, queues', async () => {
    const dns = widened(made('external-dns', { 'hosted-zone-arns': [zone('Z123')] }), 'Z123');
    expect(await decide(dns, 'route53:ChangeResourceRecordSets', zone('Z999'))).toBe('Allowed');
    const secret = (n: string) => `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${n}`;
    const eso = widened(made('external-secrets', { 'secret-arns': [secret('prod/*')] }), 'prod/');
    expect(await decide(eso, 'secretsmanager:GetSecretValue', secret('dev/db-AbCdEf'))).toBe('Allowed');
    const kq = widened(made('karpenter'), ':sqs:');
    expect(await decide(kq, 'sqs:ReceiveMessage', `arn:aws:sqs:eu-west-1:${ACCOUNT}:payments`)).toBe('Allowed');
  });

  test('cluster tags', async () => {
    const ca = unconditioned(made('cluster-autoscaler'));
    expect(await decide(ca, 'autoscaling:SetDesiredCapacity', asg)).toBe('Allowed');
    const lb = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/k8s-web/50dc6c495c0c9188`;
    const alb = unconditioned(made('aws-load-balancer-controller'));
    expect(await decide(alb, 'elasticloadbalancing:DeleteLoadBalancer', lb)).toBe('Allowed');
  });
});
