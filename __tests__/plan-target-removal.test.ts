// Removal of a binding with `target-role-arn`, pure: what leaves the target role's trust (this binding's grant, and
// stale grants eks-pod-iam wrote for its role), what stays (everything else, and every other part of a statement).
import { plan } from './helpers/plan-one.js';
import { statementsOf } from '../src/core/policy-doc.js';
import { podIdentityBinding, statementFor, targetBinding } from '../src/resources/role-trust/trust.js';
import { unmergeTrust } from '../src/resources/role-trust/unmerge.js';
import { staleGrants } from '../src/resources/target-role/remove.js';
import { checkTargetTrustRemoved } from '../src/resources/target-role/verify.js';
import type { Observed, ObservedAssociation, ObservedTarget } from '../src/core/types.js';
import { configOf, type Inputs } from './helpers/config.js';
import { observedAssociation, observedRole } from './helpers/observed.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-role`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/other-role`;
const TARGET = `arn:aws:iam::${ACCOUNT}:role/data-reader`;
const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const ours = (externalId: string, roleArn = ROLE_ARN) => statementFor(targetBinding(roleArn, externalId));
const grantOf = (principals: string | string[], ids: string | string[], Sid = 'Hand') => ({
  Sid,
  Effect: 'Allow',
  Principal: { AWS: principals },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': ids } },
});

describe('unmergeTrust of a target grant takes out only this role with this external ID', () => {
  test('our statement goes; foreign statements and other grants of the same role stay', () => {
    const before = doc(ec2, ours('id-1'), ours('id-2'), grantOf(ROLE_ARN, 'partner'));
    const { document, changed } = unmergeTrust(before, targetBinding(ROLE_ARN, 'id-1'));
    expect(changed).toBe(true);
    expect(statementsOf(document)).toEqual([ec2, ours('id-2'), grantOf(ROLE_ARN, 'partner')]);
    expect(unmergeTrust(document, targetBinding(ROLE_ARN, 'id-1')).changed).toBe(false);
  });

  test('several external IDs for the role: only this one leaves the list', () => {
    const { document } = unmergeTrust(
      doc(grantOf(ROLE_ARN, ['id-1', 'id-2', 'id-3'])),
      targetBinding(ROLE_ARN, 'id-2'),
    );
    expect(statementsOf(document)).toEqual([grantOf(ROLE_ARN, ['id-1', 'id-3'])]);
  });

  test('several principals with this one external ID: only this role leaves the principals', () => {
    const { document } = unmergeTrust(doc(grantOf([ROLE_ARN, OTHER_ROLE], 'id-1')), targetBinding(ROLE_ARN, 'id-1'));
    expect(statementsOf(document)).toEqual([grantOf([OTHER_ROLE], 'id-1')]);
  });

  test('several of both: the others keep everything, this role keeps its other external IDs', () => {
    const { document } = unmergeTrust(
      doc(grantOf([ROLE_ARN, OTHER_ROLE], ['id-1', 'id-2'])),
      targetBinding(ROLE_ARN, 'id-1'),
    );
    const { Sid: _sid, ...copy } = grantOf(ROLE_ARN, ['id-2']);
    expect(statementsOf(document)).toEqual([
      grantOf([OTHER_ROLE], ['id-1', 'id-2']),
      { ...copy, Principal: { AWS: ROLE_ARN } },
    ]);
  });

  test('not this role, not this external ID, a Deny, or another principal type: untouched', () => {
    const statements = [
      grantOf(OTHER_ROLE, 'id-1'),
      grantOf(ROLE_ARN, 'id-9'),
      { ...grantOf(ROLE_ARN, 'id-1'), Effect: 'Deny' },
      { ...ec2, Condition: { StringEquals: { 'sts:ExternalId': 'id-1' } } },
    ];
    expect(unmergeTrust(doc(...statements), targetBinding(ROLE_ARN, 'id-1')).changed).toBe(false);
  });
});

describe('staleGrants', () => {
  test("only eks-pod-iam's own single grants of the given roles whose external ID no association uses", () => {
    const trust = doc(
      ec2,
      ours('gone'),
      ours('used'),
      ours('other-gone', OTHER_ROLE),
      grantOf(ROLE_ARN, 'hand-gone', 'TeamTargetCopy'),
    );
    expect(staleGrants(trust, [ROLE_ARN], new Set(['used']))).toEqual([targetBinding(ROLE_ARN, 'gone')]);
  });
});

const config = (over: Inputs = {}) =>
  configOf({
    'target-role-arn': TARGET,
    state: 'absent',
    ...over,
  });
const trustText = (...s: unknown[]) => encodeURIComponent(JSON.stringify(doc(...s)));
const role = (name: string, arn: string, trust: string, tags: Record<string, string> = {}) =>
  observedRole({ name, arn, trust, tags, inlinePolicyNames: [], associatedElsewhere: [] });
const association = (over: Partial<ObservedAssociation> = {}) =>
  observedAssociation({ targetRoleArn: TARGET, externalId: 'id-1', ...over });
const readable = (...statements: unknown[]): ObservedTarget => ({
  readable: true,
  role: role('data-reader', TARGET, trustText(...statements)),
});
// The binding's role is someone else's with another statement too: it stays, only the target's trust matters here.
const observed = (targetRole: ObservedTarget, over: Partial<Observed> = {}): Observed => ({
  accountId: ACCOUNT,
  cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: undefined },
  role: role('app-role', ROLE_ARN, trustText(ec2, statementFor(podIdentityBinding()))),
  associations: [association()],
  serviceAccount: null,
  namespaceExists: true,
  targetRole,
  ...over,
});
const actions = (p: ReturnType<typeof plan>) => p.changes.map((c) => `${c.resource} ${c.action}`);

describe('plan', () => {
  test('readable: one trust write without the grant, after the association is deleted', () => {
    const p = plan(config(), observed(readable(ec2, ours('id-1'), grantOf(ROLE_ARN, 'partner'))));
    expect(actions(p)).toEqual([
      'pod-identity-association delete',
      'iam-role-trust remove',
      'iam-target-role-trust remove',
    ]);
    const write = p.changes[2]!;
    expect(write.op).toEqual({
      kind: 'trust-target',
      roleName: 'data-reader',
      grants: [],
      removed: [targetBinding(ROLE_ARN, 'id-1')],
    });
    expect(write.after).toEqual([p.changes[0]!.id]);
    expect(write.detail).toContain('(2 statements kept)');
  });

  test('unreadable: nothing written for it; the check names the exact statement to take out', () => {
    const target: ObservedTarget = { readable: false, why: 'it is in account 999999999999' };
    const p = plan(config(), observed(target));
    expect(actions(p)).not.toContain('iam-target-role-trust remove');
    const c = checkTargetTrustRemoved(
      ROLE_ARN,
      { arn: TARGET, removed: [targetBinding(ROLE_ARN, 'id-1')], kept: false },
      target,
    );
    expect(c.ok).toBeUndefined();
    expect(c.todo).toBe(`Remove this statement from the trust policy of ${TARGET}: ${JSON.stringify(ours('id-1'))}`);
  });

  test('its last statement: a warning, nothing written (IAM accepts no empty trust; the role is not ours)', () => {
    const p = plan(config(), observed(readable(ours('id-1'))));
    expect(actions(p)).not.toContain('iam-target-role-trust remove');
    expect(p.warnings.join('\n')).toContain('would leave the trust policy of target role data-reader without any');
  });

  test('a target role that does not exist any more: nothing to take out', () => {
    const p = plan(config(), observed({ readable: true, role: null }));
    expect(actions(p)).not.toContain('iam-target-role-trust remove');
  });

  test('rerun, association gone: a stale grant goes only once the associations naming the target were read', () => {
    const target = readable(ec2, ours('id-1'), ours('id-2'));
    const gone = { associations: [] };
    expect(actions(plan(config(), observed(target, gone)))).not.toContain('iam-target-role-trust remove');
    const users = [{ associationId: 'a-bbbbbbbbbbbbbbbbb', roleArn: ROLE_ARN, externalId: 'id-2' }];
    const p = plan(config(), observed({ ...target, users }, gone));
    const write = p.changes.find((c) => c.op.kind === 'trust-target')!;
    expect(write.op).toMatchObject({ removed: [targetBinding(ROLE_ARN, 'id-1')] });
  });

  test('the association being deleted does not count as a user of its external ID', () => {
    const users = [{ associationId: 'a-aaaaaaaaaaaaaaaaa', roleArn: ROLE_ARN, externalId: 'id-1' }];
    const p = plan(config(), observed({ ...readable(ec2, ours('id-1')), users }));
    expect(p.changes.find((c) => c.op.kind === 'trust-target')!.op).toMatchObject({
      removed: [targetBinding(ROLE_ARN, 'id-1')],
    });
  });

  describe('eks-pod-iam-target on the binding’s role', () => {
    const OWNED = { 'eks-pod-iam:managed': 'true' };
    const OTHER_TARGET = `arn:aws:iam::${ACCOUNT}:role/data-writer`;
    const policyFor = (...Resource: string[]) =>
      doc({ Sid: 'EksPodIamTarget', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource });
    /** The role stays: someone gave it another statement. */
    const staying = (tags: Record<string, string>, ...targets: string[]) => ({
      ...role('app-role', ROLE_ARN, trustText(ec2, statementFor(podIdentityBinding()))),
      tags,
      targetPolicy: policyFor(...targets),
    });
    const users = (...roleArns: string[]) =>
      roleArns.map((roleArn, i) => ({ associationId: `a-user${i}`, roleArn, externalId: `u-${i}` }));
    const target = (u: ReturnType<typeof users>) => ({ ...readable(ec2, ours('id-1')), users: u });
    const policyChanges = (p: ReturnType<typeof plan>) =>
      p.changes.filter((c) => 'policyName' in c.op && c.op.policyName === 'eks-pod-iam-target');

    test('a role eks-pod-iam made that stays: the target leaves the policy once unused', () => {
      const p = plan(config(), observed(target(users(OTHER_ROLE)), { role: staying(OWNED, TARGET, OTHER_TARGET) }));
      const [put] = policyChanges(p);
      expect(put!.op).toEqual({
        kind: 'put-inline-policy',
        roleName: 'app-role',
        policyName: 'eks-pod-iam-target',
        document: policyFor(OTHER_TARGET),
      });
      expect(put!.after).toEqual([p.changes[0]!.id]); // after the association is deleted
    });

    test('its last target: the policy is deleted', () => {
      const p = plan(config(), observed(target(users()), { role: staying(OWNED, TARGET) }));
      expect(policyChanges(p).map((c) => c.op.kind)).toEqual(['delete-inline-policy']);
    });

    test('kept: another association of the role uses the target, the associations were not read, or not ours', () => {
      const cases = [
        observed(target(users(ROLE_ARN)), { role: staying(OWNED, TARGET) }),
        observed(readable(ec2, ours('id-1')), { role: staying(OWNED, TARGET) }),
        observed(target(users()), { role: staying({}, TARGET) }),
      ];
      for (const o of cases) expect(policyChanges(plan(config(), o))).toEqual([]);
    });
  });
});
