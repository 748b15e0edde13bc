// Read-back checks and stale-pod detection, over their cases (pure).
import { ChangeList } from '../src/core/changes.js';
import { statementFor, podIdentityBinding, targetBinding } from '../src/resources/role-trust/trust.js';
import type { Observed, ObservedPod } from '../src/core/types.js';
import { failed, verify } from '../src/run/verify.js';
import { ownerOf, planRestarts, podHasIdentity } from '../src/resources/workloads/plan.js';
import { configOf } from './helpers/config.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/app-role';
const config = configOf;
const observed = (over: Partial<Observed> = {}): Observed => ({
  accountId: '123456789012',
  cluster: {
    arn: 'arn:aws:eks:us-east-1:123456789012:cluster/demo',
    issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC',
  },
  role: {
    arn: ROLE_ARN,
    name: 'app-role',
    trust: { Version: '2012-10-17', Statement: [statementFor(podIdentityBinding())] },
    tags: {},
    permissionsBoundaryArn: undefined,
    attachedPolicyArns: ['arn:aws:iam::aws:policy/A'],
    inlinePolicy: undefined,
  },
  addon: { status: 'ACTIVE', healthIssues: [] },
  associations: [
    {
      associationId: 'a-1',
      associationArn: 'x',
      roleArn: ROLE_ARN,
      targetRoleArn: undefined,
      disableSessionTags: false,
      policy: undefined,
      ownerArn: undefined,
      tags: {},
    },
  ],
  ...over,
});

describe('verify', () => {
  test('a matching pod identity binding passes every check', () => {
    const checks = verify(config({ 'policy-arns': 'arn:aws:iam::aws:policy/A' }), observed());
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['role trust', true],
      ['policy attached', true],
      ['association', true],
      ['agent add-on', true],
    ]);
  });

  test('each broken link fails its own check', () => {
    const o = observed({ addon: { status: 'DEGRADED', healthIssues: [] } });
    o.role!.trust = { Version: '2012-10-17', Statement: [] };
    o.associations![0]!.roleArn = 'arn:aws:iam::123456789012:role/other';
    const bad = failed(verify(config({ 'policy-arns': 'arn:aws:iam::aws:policy/B' }), o)).map((c) => c.name);
    expect(bad).toEqual(['role trust', 'policy attached', 'association', 'agent add-on']);
  });

  test('a target role not asked for means the pods do not get this role', () => {
    const o = observed();
    o.associations![0]!.targetRoleArn = 'arn:aws:iam::999999999999:role/t';
    expect(failed(verify(config(), o)).map((c) => c.detail)).toEqual([
      `a-1 → ${ROLE_ARN} → target arn:aws:iam::999999999999:role/t`,
    ]);
  });

  test('irsa: provider audience, annotation and webhook; unknowns are skipped, not failed', () => {
    const c = config({ mode: 'irsa' });
    const o = observed({
      addon: undefined,
      associations: undefined,
      oidcProvider: { arn: 'p', clientIds: ['sts.amazonaws.com'] },
      serviceAccount: null,
    });
    const byName = Object.fromEntries(verify(c, o).map((x) => [x.name, x.ok]));
    expect(byName).toEqual({
      'role trust': false,
      'OIDC provider': true,
      'service account annotation': undefined,
      'pod identity webhook': undefined,
    });
    const noWebhook = verify(c, {
      ...o,
      webhook: false,
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN }, labels: {} },
    });
    expect(noWebhook.find((x) => x.name === 'pod identity webhook')!.ok).toBe(false);
    // The webhook is the cluster's, not the binding's: reported, but it does not fail the run.
    expect(failed(noWebhook).map((x) => x.name)).toEqual(['role trust']);
    expect(noWebhook.find((x) => x.name === 'service account annotation')!.ok).toBe(true);
  });
});

describe('verify: target role', () => {
  const TARGET = 'arn:aws:iam::123456789012:role/target';
  const FOREIGN = 'arn:aws:iam::999999999999:role/target';
  const targeted = (target: string, targetRole: Observed['targetRole']) => {
    const o = observed({ targetRole });
    Object.assign(o.associations![0]!, { targetRoleArn: target, externalId: 'ext-1' });
    o.role!.targetPolicy = { Version: '2012-10-17', Statement: [statementFor(targetBinding(ROLE_ARN, 'x'))] };
    return o;
  };
  const readable = (...Statement: unknown[]): Observed['targetRole'] => ({
    readable: true,
    role: { ...observed().role!, arn: TARGET, name: 'target', trust: { Version: '2012-10-17', Statement } },
  });
  const byName = (checks: ReturnType<typeof verify>) => Object.fromEntries(checks.map((c) => [c.name, c.ok]));

  test('readable: passes when its trust lets the role in with the external ID', () => {
    const ok = statementFor(targetBinding(ROLE_ARN, 'ext-1'));
    const o = targeted(TARGET, readable(ok));
    o.role!.targetPolicy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: [TARGET] }],
    });
    expect(byName(verify(config({ 'target-role-arn': TARGET }), o))).toMatchObject({
      association: true,
      'target policy': true,
      'target role trust': true,
    });
    const stale = targeted(TARGET, readable(statementFor(targetBinding(ROLE_ARN, 'ext-0'))));
    expect(failed(verify(config({ 'target-role-arn': TARGET }), stale)).map((c) => c.name)).toEqual([
      'target policy',
      'target role trust',
    ]);
  });

  test('unreadable: not verifiable (not failed), with the exact statement to add', () => {
    const o = targeted(FOREIGN, { readable: false, why: 'another account' });
    const c = verify(config({ 'target-role-arn': FOREIGN }), o).find((x) => x.name === 'target role trust')!;
    expect(c.ok).toBeUndefined();
    expect(c.detail).toMatch(/^not verifiable: .*another account/);
    const statement = JSON.parse(c.todo!.slice(c.todo!.indexOf(': {') + 2));
    expect(statement).toEqual(statementFor(targetBinding(ROLE_ARN, 'ext-1')));
  });

  test('no external ID for this target yet: fails when readable; unreadable, the statement says what goes in', () => {
    const o = targeted(TARGET, readable());
    o.associations![0]!.targetRoleArn = undefined;
    expect(failed(verify(config({ 'target-role-arn': TARGET }), o)).map((c) => c.name)).toContain('target role trust');
    const u = targeted(FOREIGN, { readable: false, why: 'another account' });
    u.associations = [];
    const c = verify(config({ 'target-role-arn': FOREIGN }), u).find((x) => x.name === 'target role trust')!;
    expect([c.ok, c.todo]).toEqual([
      undefined,
      expect.stringContaining('"sts:ExternalId":"<the external ID EKS gives'),
    ]);
  });
});

describe('stale pods and restarts', () => {
  const pod = (name: string, env: Record<string, string>, owner?: { kind: string; name: string }): ObservedPod => ({
    name,
    env,
    owner,
  });

  test('what counts as carrying the identity, per mode', () => {
    expect(
      podHasIdentity(
        config(),
        ROLE_ARN,
        pod('p', { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials' }),
      ),
    ).toBe(true);
    expect(podHasIdentity(config(), ROLE_ARN, pod('p', {}))).toBe(false);
    expect(podHasIdentity(config({ mode: 'irsa' }), ROLE_ARN, pod('p', { AWS_ROLE_ARN: ROLE_ARN }))).toBe(true);
    expect(
      podHasIdentity(config({ mode: 'irsa' }), ROLE_ARN, pod('p', { AWS_ROLE_ARN: 'arn:aws:iam::1:role/old' })),
    ).toBe(false);
  });

  test('owners: a ReplicaSet stands for its Deployment', () => {
    expect(ownerOf(pod('api-7d9f-x', {}, { kind: 'ReplicaSet', name: 'api-7d9fbc5c6d' }))).toEqual({
      kind: 'Deployment',
      name: 'api',
    });
    expect(ownerOf(pod('db-0', {}, { kind: 'StatefulSet', name: 'db' }))).toEqual({ kind: 'StatefulSet', name: 'db' });
    expect(ownerOf(pod('job-x', {}, { kind: 'Job', name: 'job' }))).toBeUndefined();
  });

  test('no restart asked: a warning names the stale pods', () => {
    const out = new ChangeList();
    const stale = planRestarts(
      config(),
      ROLE_ARN,
      [pod('a', {}), pod('b', { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'u' })],
      undefined,
      [],
      out,
    );
    expect(stale).toEqual(['a']);
    expect(out.warnings.map((w) => w.message).join()).toMatch(
      /1 pod\(s\) run as ns\/app without this identity .*: a\./,
    );
    expect(out.changes).toEqual([]);
  });

  test('restart asked, nothing stale and no identity change: nothing to restart', () => {
    const out = new ChangeList();
    planRestarts(
      config({ 'restart-workloads': 'true' }),
      ROLE_ARN,
      [pod('a', { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'u' }, { kind: 'ReplicaSet', name: 'api-1' })],
      [{ kind: 'Deployment', name: 'api' }],
      [],
      out,
    );
    expect(out.changes).toEqual([]);
  });

  test('bare stale pods cannot be rolled out: they are named', () => {
    const out = new ChangeList();
    planRestarts(config({ 'restart-workloads': 'true' }), ROLE_ARN, [pod('lonely', {})], [], [], out);
    expect(out.warnings.map((w) => w.message).join()).toMatch(/lonely .*belong to no Deployment/);
  });
});

describe('pod identity where the webhook does not inject (e.g. Fargate)', () => {
  test('a pod younger than the association has the identity; an older one does not', () => {
    const p = (createdAt: string) => ({ name: 'p', env: {}, owner: undefined, createdAt });
    expect(podHasIdentity(config(), ROLE_ARN, p('2026-01-01T10:00:05Z'), '2026-01-01T10:00:05.400Z')).toBe(true);
    expect(podHasIdentity(config(), ROLE_ARN, p('2026-01-01T10:00:04Z'), '2026-01-01T10:00:05.400Z')).toBe(false);
    expect(podHasIdentity(config(), ROLE_ARN, p('2026-01-01T10:00:04Z'), undefined)).toBe(false);
  });
});
