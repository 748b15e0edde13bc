// The whole plan, per resource, over its cases: missing, equal, drifted, foreign things present, owned by an add-on.
import { PlanError } from '../src/core/changes.js';
import { plan } from './helpers/plan-one.js';
import { statementFor, irsaBinding, targetBinding } from '../src/resources/role-trust/trust.js';
import type { Observed } from '../src/core/types.js';
import { configOf, type Inputs } from './helpers/config.js';
import { observedAssociation, observedRole, trustDoc } from './helpers/observed.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-role`;
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC`;
const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };

const config = (over: Inputs = {}) => configOf(over);

const role = observedRole;

function observed(over: Partial<Observed> = {}): Observed {
  return {
    accountId: ACCOUNT,
    cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: ISSUER },
    role: role(),
    addon: { status: 'ACTIVE', healthIssues: [] },
    associations: [observedAssociation()],
    serviceAccount: { annotations: {}, labels: {} },
    namespaceExists: true,
    ...over,
  };
}

const kinds = (p: ReturnType<typeof plan>) => p.changes.map((c) => c.op.kind);

describe('pod identity', () => {
  test('fresh cluster: role, policy, add-on, association, namespace and service account, in order', () => {
    const p = plan(
      config({ 'policy-arns': 'arn:aws:iam::aws:policy/ReadOnlyAccess', tags: 'team=x' }),
      observed({ role: null, addon: null, associations: [], serviceAccount: null, namespaceExists: false }),
    );
    expect(kinds(p)).toEqual([
      'create-role',
      'attach-policy',
      'create-addon',
      'create-association',
      'create-namespace',
      'create-service-account',
    ]);
    expect(p.roleArn).toBe(ROLE_ARN);
    expect(p.waitForAddon).toBe(true);
    const role = p.changes.find((c) => c.op.kind === 'create-role')!;
    const namespace = p.changes.find((c) => c.op.kind === 'create-namespace')!;
    expect(role.op).toMatchObject({
      kind: 'create-role',
      name: 'app-role',
      tags: {
        team: 'x',
        'eks-pod-iam:managed': 'true',
        'eks-pod-iam:cluster': 'demo',
        'eks-pod-iam:namespace': 'ns',
        'eks-pod-iam:service-account': 'app',
      },
    });
    expect(p.changes.find((c) => c.op.kind === 'create-association')!.after).toEqual([role.id]);
    expect(p.changes.find((c) => c.op.kind === 'attach-policy')!.after).toEqual([role.id]);
    expect(p.changes.find((c) => c.op.kind === 'create-service-account')!.after).toEqual([role.id, namespace.id]);
  });

  test('everything matching: empty plan', () => {
    const p = plan(
      config({ 'policy-arns': 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
      observed({ role: role({ attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }) }),
    );
    expect(p.changes).toEqual([]);
    expect(p.waitForAddon).toBe(false);
  });

  test('association pointing at another role → updated in place', () => {
    const other = observed();
    other.associations![0]!.roleArn = `arn:aws:iam::${ACCOUNT}:role/old`;
    const p = plan(config(), other);
    expect(p.changes.map((c) => c.op)).toEqual([
      {
        kind: 'update-association',
        associationId: 'a-aaaaaaaaaaaaaaaaa',
        roleArn: ROLE_ARN,
        clearTargetRole: false,
      },
    ]);
  });

  test('target role or disabled session tags → updated', () => {
    const o = observed();
    o.associations![0]!.targetRoleArn = 'arn:aws:iam::999999999999:role/t';
    o.associations![0]!.disableSessionTags = true;
    expect(plan(config(), o).changes[0]!.op).toMatchObject({
      kind: 'update-association',
      clearTargetRole: true,
      disableSessionTags: false,
    });
  });

  test('association owned by an add-on → refused', () => {
    const o = observed();
    o.associations![0]!.ownerArn = 'arn:aws:eks:us-east-1:1:addon/demo/aws-ebs-csi-driver/x';
    expect(() => plan(config(), o)).toThrow(PlanError);
    expect(() => plan(config(), o)).toThrow(/owned by arn:aws:eks:.*addon/);
  });

  test('foreign trust statement and foreign policy kept; only our statement added', () => {
    const p = plan(
      config({ 'policy-arns': 'arn:aws:iam::aws:policy/A' }),
      observed({ role: role({ trust: trustDoc(ec2), attachedPolicyArns: ['arn:aws:iam::aws:policy/Foreign'] }) }),
    );
    expect(kinds(p)).toEqual(['update-trust', 'attach-policy']);
    const op = p.changes[0]!.op as { trust: { Statement: unknown[] } };
    expect(op.trust.Statement[0]).toEqual(ec2);
    expect(op.trust.Statement).toHaveLength(2);
  });

  test('add-on states: CREATING waits, ACTIVE nothing, failed ones fail with health issues', () => {
    expect(plan(config(), observed({ addon: { status: 'CREATING', healthIssues: [] } })).waitForAddon).toBe(true);
    const failed = observed({
      addon: {
        status: 'CREATE_FAILED',
        healthIssues: [{ code: 'InsufficientNumberOfReplicas', message: 'no nodes' }],
      },
    });
    expect(() => plan(config(), failed)).toThrow(/CREATE_FAILED \(InsufficientNumberOfReplicas: no nodes\)/);
    expect(() => plan(config(), observed({ addon: { status: 'DELETING', healthIssues: [] } }))).toThrow(/DELETING/);
  });

  test('install-agent false: the add-on is not planned', () => {
    expect(kinds(plan(config({ 'install-agent': 'false' }), observed({ addon: undefined })))).toEqual([]);
  });

  test('scope-trust: a scoped statement is added when only a scoped one would do', () => {
    const p = plan(config({ 'scope-trust': 'true' }), observed({ role: role({ trust: trustDoc(ec2) }) }));
    const stmt = (p.changes[0]!.op as { trust: { Statement: { Condition?: unknown }[] } }).trust.Statement[1]!;
    expect(stmt.Condition).toEqual({
      StringEquals: {
        'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`,
        'aws:RequestTag/kubernetes-namespace': 'ns',
        'aws:RequestTag/kubernetes-service-account': 'app',
      },
    });
  });

  test('role-arn that does not exist → refused (we only create by name)', () => {
    expect(() => plan(config({ 'role-name': '', 'role-arn': ROLE_ARN }), observed({ role: null }))).toThrow(
      /does not exist/,
    );
  });

  test('tags: only differing ones, on role and association', () => {
    const o = observed({ role: role({ tags: { team: 'x', other: 'y' } }) });
    const p = plan(config({ tags: 'team=x\nenv=prod' }), o);
    expect(p.changes.map((c) => c.op)).toEqual([
      { kind: 'tag-role', roleName: 'app-role', tags: { env: 'prod' } },
      { kind: 'tag-association', associationArn: o.associations![0]!.associationArn, tags: { team: 'x', env: 'prod' } },
    ]);
  });

  test('provenance tags: on the role and association a run creates, never on existing ones', () => {
    const provenance = { 'eks-pod-iam:github-run': 'https://github.com/acme/platform/actions/runs/7' };
    const created = plan(config({ tags: 'team=x' }), observed({ role: null, associations: [] }), provenance);
    const ops = created.changes.map((c) => c.op);
    expect(ops.find((op) => op.kind === 'create-role')).toMatchObject({
      tags: { team: 'x', 'eks-pod-iam:managed': 'true', ...provenance },
    });
    expect(ops.find((op) => op.kind === 'create-association')).toMatchObject({ tags: { team: 'x', ...provenance } });
    // Existing ones made by another run (or by hand): no change at all, whatever run this is.
    const existing = plan(
      config({ tags: 'team=x' }),
      observed({
        role: role({ tags: { team: 'x' } }),
        associations: [{ ...observed().associations![0]!, tags: { team: 'x' } }],
      }),
      provenance,
    );
    expect(existing.changes).toEqual([]);
  });

  test('boundary: set on owned roles, only warned about on adopted ones', () => {
    const b = 'arn:aws:iam::aws:policy/PowerUserAccess';
    expect(
      kinds(
        plan(
          config({ 'permissions-boundary': b }),
          observed({ role: role({ tags: { 'eks-pod-iam:managed': 'true' } }) }),
        ),
      ),
    ).toEqual(['put-boundary']);
    const adopted = plan(config({ 'permissions-boundary': b }), observed());
    expect(adopted.changes).toEqual([]);
    expect(adopted.warnings.join()).toMatch(/not created by eks-pod-iam/);
  });

  test('inline policy: put when missing or different, not when equal in meaning', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }] };
    const c = config({ 'inline-policy': JSON.stringify(doc) });
    expect(kinds(plan(c, observed()))).toEqual(['put-inline-policy']);
    expect(
      kinds(
        plan(
          c,
          observed({
            role: role({
              inlinePolicy: encodeURIComponent(
                JSON.stringify({ ...doc, Statement: [{ ...doc.Statement[0], Action: 's3:PutObject' }] }),
              ),
            }),
          }),
        ),
      ),
    ).toEqual(['put-inline-policy']);
    const same = encodeURIComponent(
      JSON.stringify({ Statement: { Resource: '*', Action: 's3:GetObject', Effect: 'Allow' }, Version: '2012-10-17' }),
    );
    expect(kinds(plan(c, observed({ role: role({ inlinePolicy: same }) })))).toEqual([]);
  });

  test('create-service-account false: no Kubernetes change (nothing observed there)', () => {
    expect(
      kinds(
        plan(
          config({ 'create-service-account': 'false' }),
          observed({ serviceAccount: undefined, namespaceExists: undefined }),
        ),
      ),
    ).toEqual([]);
  });
});

describe('irsa', () => {
  const irsaStatement = (sa = 'app') =>
    statementFor(irsaBinding(PROVIDER, 'oidc.eks.us-east-1.amazonaws.com/id/ABC', 'ns', sa, 'sts.amazonaws.com'));
  const irsaObserved = (over: Partial<Observed> = {}) =>
    observed({
      addon: undefined,
      associations: undefined,
      oidcProvider: { arn: PROVIDER, clientIds: ['sts.amazonaws.com'] },
      role: role({ trust: trustDoc(irsaStatement()) }),
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN }, labels: {} },
      ...over,
    });

  test('fresh: provider, then role (after the provider), then the annotated service account', () => {
    const p = plan(
      config({ mode: 'irsa' }),
      irsaObserved({ oidcProvider: null, role: null, serviceAccount: null, namespaceExists: true }),
    );
    expect(kinds(p)).toEqual(['create-oidc-provider', 'create-role', 'create-service-account']);
    expect(p.oidcProviderArn).toBe(PROVIDER);
    expect(p.changes[0]!.op).toMatchObject({ url: ISSUER, clientIds: ['sts.amazonaws.com'] });
    expect(p.changes[1]!.after).toEqual([p.changes[0]!.id]);
    const trust = (p.changes[1]!.op as { trust: { Statement: unknown[] } }).trust;
    expect(trust.Statement).toEqual([
      {
        Sid: expect.stringMatching(/^EksPodIamIrsa[0-9a-f]{8}$/),
        Effect: 'Allow',
        Principal: { Federated: PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'oidc.eks.us-east-1.amazonaws.com/id/ABC:sub': 'system:serviceaccount:ns:app',
            'oidc.eks.us-east-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com',
          },
        },
      },
    ]);
    expect(p.changes[2]!.op).toEqual({
      kind: 'create-service-account',
      annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN },
    });
  });

  test('everything matching: empty plan', () => {
    expect(plan(config({ mode: 'irsa' }), irsaObserved()).changes).toEqual([]);
  });

  test('provenance tags: on an OIDC provider the run creates, not on an existing one', () => {
    const provenance = { 'eks-pod-iam:github-run': 'https://github.com/acme/platform/actions/runs/7' };
    const created = plan(config({ mode: 'irsa' }), irsaObserved({ oidcProvider: null, role: null }), provenance);
    expect(created.changes.map((c) => c.op).find((op) => op.kind === 'create-oidc-provider')).toMatchObject({
      tags: { 'eks-pod-iam:managed': 'true', ...provenance },
    });
    expect(plan(config({ mode: 'irsa' }), irsaObserved(), provenance).changes).toEqual([]);
  });

  test('provider without our audience → client ID added; custom audience annotated', () => {
    const p = plan(config({ mode: 'irsa', audience: 'custom' }), irsaObserved());
    expect(kinds(p)).toEqual(['add-client-id', 'update-trust', 'annotate-service-account']);
    expect(p.changes[2]!.op).toEqual({
      kind: 'annotate-service-account',
      annotations: { 'eks.amazonaws.com/audience': 'custom' },
    });
  });

  test('second service account on the same role: both subjects allowed', () => {
    const p = plan(config({ mode: 'irsa', 'service-account': 'second' }), irsaObserved({ serviceAccount: null }));
    const trust = (
      p.changes[0]!.op as { trust: { Statement: { Condition: { StringEquals: Record<string, unknown> } }[] } }
    ).trust;
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]!.Condition.StringEquals['oidc.eks.us-east-1.amazonaws.com/id/ABC:sub']).toEqual([
      'system:serviceaccount:ns:app',
      'system:serviceaccount:ns:second',
    ]);
  });

  test('existing service account: annotation merged only when different; Helm warned', () => {
    const helm = irsaObserved({
      serviceAccount: {
        annotations: { 'meta.helm.sh/release-name': 'agent', 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/old' },
        labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      },
    });
    const p = plan(config({ mode: 'irsa', 'create-service-account': 'false' }), helm);
    expect(p.changes.map((c) => c.op)).toEqual([
      { kind: 'annotate-service-account', annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } },
    ]);
    expect(p.warnings.join()).toMatch(/Helm/);
  });

  test('missing service account and create-service-account false → a warning, no change', () => {
    const p = plan(
      config({ mode: 'irsa', 'create-service-account': 'false' }),
      irsaObserved({ serviceAccount: null, namespaceExists: false }),
    );
    expect(p.changes).toEqual([]);
    expect(p.warnings.join()).toMatch(/does not exist/);
  });

  test('cluster without an OIDC issuer → clear failure', () => {
    expect(() =>
      plan(
        config({ mode: 'irsa' }),
        irsaObserved({ cluster: { arn: 'arn:aws:eks:us-east-1:1:cluster/demo', issuer: undefined } }),
      ),
    ).toThrow(/no OIDC issuer/);
  });

  test('partitions: China and GovCloud ARNs', () => {
    const cn = config({ mode: 'irsa', 'aws-region': 'cn-north-1' });
    const p = plan(
      cn,
      irsaObserved({
        role: null,
        oidcProvider: null,
        cluster: { arn: 'x', issuer: 'https://oidc.eks.cn-north-1.amazonaws.com.cn/id/X' },
      }),
    );
    expect(p.roleArn).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/app-role`);
    expect(p.oidcProviderArn).toBe(
      `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/X`,
    );
    const gov = plan(
      config({ mode: 'irsa', 'aws-region': 'us-gov-west-1' }),
      irsaObserved({ role: null, oidcProvider: null }),
    );
    expect(gov.roleArn).toBe(`arn:aws-us-gov:iam::${ACCOUNT}:role/app-role`);
    expect(gov.oidcProviderArn).toMatch(/^arn:aws-us-gov:iam::/);
  });
});

test('scope-trust on a role that already trusts pods.eks.amazonaws.com without conditions: kept, and said', () => {
  const p = plan(config({ 'scope-trust': 'true' }), observed());
  expect(p.changes).toEqual([]);
  expect(p.warnings.join()).toMatch(
    new RegExp(
      'scope-trust: role app-role already trusts pods.eks.amazonaws.com without conditions ' +
        '\\(statement EksPodIamPodIdentity\\)',
    ),
  );
});

describe('target role (target-role-arn)', () => {
  const TARGET = `arn:aws:iam::${ACCOUNT}:role/target`;
  const EXTERNAL_ID = 'ext-1';
  const targetRole = (...Statement: unknown[]): NonNullable<Observed['targetRole']> => ({
    readable: true,
    role: role({ arn: TARGET, name: 'target', trust: trustDoc(...Statement) }),
  });
  const targeted = (over: Partial<Observed> = {}) => {
    const o = observed({ targetRole: targetRole(ec2), ...over });
    if (o.associations?.[0]) Object.assign(o.associations[0], { targetRoleArn: TARGET, externalId: EXTERNAL_ID });
    o.role!.targetPolicy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Action: ['sts:TagSession', 'sts:AssumeRole'], Resource: TARGET }],
    });
    return o;
  };
  const withTarget = () => config({ 'target-role-arn': TARGET });
  const grantOf = (p: ReturnType<typeof plan>) =>
    p.changes.flatMap((c) => (c.op.kind === 'trust-target' ? c.op.grants : []));

  test('fresh: the association is created with it, the policy put, the trust merged with the answered ID', () => {
    const o = observed({ role: null, associations: [], targetRole: targetRole(ec2) });
    const p = plan(withTarget(), o);
    expect(kinds(p)).toEqual(['create-role', 'put-inline-policy', 'create-association', 'trust-target']);
    expect(p.changes[2]!.op).toMatchObject({ kind: 'create-association', targetRoleArn: TARGET });
    expect(p.changes[1]!.op).toMatchObject({ policyName: 'eks-pod-iam-target' });
    // After the association: its external ID is what EKS answers when it is created.
    expect(p.changes[3]!.after).toEqual(expect.arrayContaining([p.changes[2]!.id, p.changes[0]!.id]));
    expect(grantOf(p)).toEqual([{ binding: 'demo/ns/app', roleArn: ROLE_ARN, externalId: undefined }]);
  });

  test('everything in place (trust allows this role with this external ID): nothing to do', () => {
    const ours = statementFor(targetBinding(ROLE_ARN, EXTERNAL_ID));
    expect(plan(withTarget(), targeted({ targetRole: targetRole(ec2, ours) })).changes).toEqual([]);
  });

  test('the trust lacks the statement (or names another external ID): merged with the known ID', () => {
    const stale = statementFor(targetBinding(ROLE_ARN, 'old-id'));
    const p = plan(withTarget(), targeted({ targetRole: targetRole(ec2, stale) }));
    expect(kinds(p)).toEqual(['trust-target']);
    expect(grantOf(p)).toEqual([{ binding: 'demo/ns/app', roleArn: ROLE_ARN, externalId: EXTERNAL_ID }]);
  });

  test('another target: updated in place to it; its external ID comes from the update', () => {
    const o = targeted();
    o.associations![0]!.targetRoleArn = `arn:aws:iam::${ACCOUNT}:role/old`;
    const p = plan(withTarget(), o);
    expect(p.changes.find((c) => c.op.kind === 'update-association')!.op).toEqual({
      kind: 'update-association',
      associationId: 'a-aaaaaaaaaaaaaaaaa',
      roleArn: ROLE_ARN,
      clearTargetRole: false,
      targetRoleArn: TARGET,
    });
    expect(grantOf(p)[0]!.externalId).toBeUndefined();
  });

  test('no target input on an association that has one: cleared in place', () => {
    const p = plan(config(), targeted());
    expect(p.changes.map((c) => c.op)).toEqual([
      { kind: 'update-association', associationId: 'a-aaaaaaaaaaaaaaaaa', roleArn: ROLE_ARN, clearTargetRole: true },
    ]);
  });

  test('a target these credentials cannot read: nothing planned for its trust', () => {
    const p = plan(withTarget(), targeted({ targetRole: { readable: false, why: 'another account' } }));
    expect(p.changes).toEqual([]);
  });

  test('a readable target that does not exist: refused, naming the input', () => {
    expect(() => plan(withTarget(), targeted({ targetRole: { readable: true, role: null } }))).toThrow(
      /target role .*target given as "target-role-arn" does not exist/,
    );
  });

  test('the policy gains a missing target and keeps what it had (statements of its own included)', () => {
    const o = targeted();
    const foreign = { Sid: 'Mine', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
    const old = `arn:aws:iam::${ACCOUNT}:role/old`;
    o.role!.targetPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        foreign,
        { Sid: 'EksPodIamTarget', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: old },
      ],
    });
    o.targetRole = targetRole(statementFor(targetBinding(ROLE_ARN, EXTERNAL_ID)));
    const p = plan(withTarget(), o);
    expect(p.changes.map((c) => [c.action, c.op])).toEqual([
      [
        'update',
        {
          kind: 'put-inline-policy',
          roleName: 'app-role',
          policyName: 'eks-pod-iam-target',
          document: {
            Version: '2012-10-17',
            Statement: [
              foreign,
              {
                Sid: 'EksPodIamTarget',
                Effect: 'Allow',
                Action: ['sts:AssumeRole', 'sts:TagSession'],
                Resource: [old, TARGET].sort(),
              },
            ],
          },
        },
      ],
    ]);
  });
});
