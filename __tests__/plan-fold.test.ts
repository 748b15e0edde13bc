// One change per resource (pure): what several planners want of one resource — a role's trust, a target role's
// trust, a role's eks-pod-iam-target policy, a binding's association, an add-on's associations, a namespace — is
// folded into its single change, whose detail says exactly what it writes.
import type { Observed } from '../src/core/types.js';
import { ChangeList, type Scope } from '../src/core/changes.js';
import { statementsOf } from '../src/core/policy-doc.js';
import { IRSA_ROLE_TAG, TARGET_POLICY_NAME } from '../src/core/ownership.js';
import { planAddonAssociations } from '../src/resources/addon/associations.js';
import { foldAssociation, type AssociationIntent } from '../src/resources/association/plan.js';
import { foldTargetPolicy } from '../src/resources/role-policies/fold.js';
import { grantedTargets, withTargets } from '../src/resources/role-policies/target.js';
import { foldRoleTrust } from '../src/resources/role-trust/fold.js';
import {
  irsaBinding,
  mergeTrustAll,
  podIdentityBinding,
  statementFor,
  targetBinding,
  trustPolicySize,
} from '../src/resources/role-trust/trust.js';
import { unmergeTrust, unmergeTrustAll } from '../src/resources/role-trust/unmerge.js';
import { foldTargetTrust, targetTrustRef } from '../src/resources/target-role/fold.js';
import { configOf, type Inputs } from './helpers/config.js';
import { observedAssociation, observedRole } from './helpers/observed.js';
import { planMany } from './helpers/plan-one.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-role`;
const HOST = 'oidc.eks.us-east-1.amazonaws.com/id/ABC';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const ANNOTATION = 'eks.amazonaws.com/role-arn';
const TARGET = 'arn:aws:iam::210987654321:role/shared-data';
const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };

const irsa = (sa: string) => irsaBinding(PROVIDER, HOST, 'ns', sa, 'sts.amazonaws.com');
/** One web-identity statement listing these service accounts' subjects. */
const irsaStatement = (...sas: string[]) => {
  const s = statementFor(irsa(sas[0]!));
  (s.Condition as { StringEquals: Record<string, unknown> }).StringEquals[`${HOST}:sub`] = sas.map(
    (x) => `system:serviceaccount:ns:${x}`,
  );
  return s;
};

function observed(over: Partial<Observed> = {}): Observed {
  return {
    accountId: ACCOUNT,
    cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: `https://${HOST}` },
    role: observedRole({ trust: { Version: '2012-10-17', Statement: [irsaStatement('gone', 'moving'), ec2] } }),
    addon: { status: 'ACTIVE', healthIssues: [] },
    oidcProvider: { arn: PROVIDER, clientIds: ['sts.amazonaws.com'] },
    associations: [],
    serviceAccount: null,
    namespaceExists: true,
    ...over,
  };
}
const item = (inputs: Inputs, over: Partial<Observed> = {}) => ({ config: configOf(inputs), observed: observed(over) });

describe('a role trust', () => {
  // gone: IRSA, removed; moving: IRSA → Pod Identity; new: IRSA, added. All bound to app-role.
  const run = () =>
    planMany([
      item(
        { 'service-account': 'gone', mode: 'irsa', state: 'absent' },
        { serviceAccount: { annotations: { [ANNOTATION]: ROLE_ARN }, labels: {} } },
      ),
      item(
        { 'service-account': 'moving', 'migrate-from-irsa': 'true' },
        { serviceAccount: { annotations: { [ANNOTATION]: ROLE_ARN }, labels: {} } },
      ),
      item({ 'service-account': 'new', mode: 'irsa' }),
    ]);

  test('an absent, a migrating and a new binding of one role: one trust write carrying exactly what it writes', () => {
    const p = run();
    expect(p.failures).toEqual(new Map());
    const writes = p.changes.filter((c) => c.op.kind === 'update-trust' && !c.guard);
    expect(writes).toHaveLength(1);
    const write = writes[0]!;
    const observedTrust = { Version: '2012-10-17', Statement: [irsaStatement('gone', 'moving'), ec2] };
    const document = unmergeTrustAll(mergeTrustAll(observedTrust, [podIdentityBinding(), irsa('new')]).document, [
      irsa('gone'),
    ]).document;
    expect(write.op).toEqual({
      kind: 'update-trust',
      roleName: 'app-role',
      trust: document,
      bindings: [podIdentityBinding(), irsa('new')],
      removed: [irsa('gone')],
    });
    const merged = mergeTrustAll(observedTrust, [podIdentityBinding(), irsa('new')]).document;
    expect(write.detail).toBe(
      `allow pods.eks.amazonaws.com, ${PROVIDER} for system:serviceaccount:ns:new in the trust policy of app-role ` +
        `(2 existing statements kept; ${trustPolicySize(merged)} bytes); ` +
        `remove ${PROVIDER} for system:serviceaccount:ns:gone`,
    );
    expect(new Set(write.serves)).toEqual(new Set(['demo/ns/gone', 'demo/ns/moving', 'demo/ns/new']));
  });

  test("the migrated subject's removal, behind the read-back, starts from that write, not the observed trust", () => {
    const p = run();
    const write = p.changes.find((c) => c.op.kind === 'update-trust' && !c.guard)!;
    const untrust = p.changes.find((c) => c.op.kind === 'update-trust' && c.guard)!;
    const planned = write.op.kind === 'update-trust' ? write.op.trust : undefined;
    const left = unmergeTrust(planned!, irsa('moving')).document;
    expect(untrust.op).toEqual({
      kind: 'update-trust',
      roleName: 'app-role',
      trust: left,
      bindings: [],
      removed: [irsa('moving')],
    });
    // The web-identity statement (now only `new`), the Pod Identity statement and ec2's: 3 left. Counting from the
    // observed trust (as a planned write that also removes was once skipped) said 2.
    expect(statementsOf(left)).toHaveLength(3);
    expect(untrust.detail).toMatch(/\(once the association is read back; 3 statements left\)$/);
    expect(untrust.after).toContain(write.id);
  });

  test('folded directly: adds first, then removals, in the one change listed where the first add was stated', () => {
    const role = observedRole({ trust: { Version: '2012-10-17', Statement: [irsaStatement('gone'), ec2] } });
    const { changes, adds } = foldRoleTrust('app-role', role, [
      { remove: [irsa('gone')], after: ['sa@x'] },
      { add: [podIdentityBinding()], after: ['provider@p'] },
      { add: [podIdentityBinding()], after: [] },
    ]);
    expect(adds).toBe(true);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ from: 1, action: 'update', after: ['provider@p', 'sa@x'] });
    expect(changes[0]!.detail).toMatch(
      /^allow pods\.eks\.amazonaws\.com in .* remove .*system:serviceaccount:ns:gone$/,
    );
  });
});

describe('a target role trust', () => {
  const grant = (externalId: string | undefined) => ({
    binding: 'demo/ns/new' as const,
    roleArn: ROLE_ARN,
    externalId,
  });
  const old = targetBinding(`arn:aws:iam::${ACCOUNT}:role/old-role`, 'ext-old');
  const target = observedRole({
    arn: TARGET,
    name: 'shared-data',
    trust: { Version: '2012-10-17', Statement: [statementFor(old), ec2] },
  });

  test('a grant and a removal: one write, serving both bindings, listed where the grant was stated', () => {
    const out = new ChangeList();
    const scope = (key: string): Scope => ({
      owner: { kind: 'target', arn: 'x' },
      binding: key,
      serves: [key as never],
      target: { clusterKey: 'us-east-1/demo' },
    });
    out.in(scope('demo/ns/new')).intend(targetTrustRef(TARGET), { grants: [grant(undefined)], after: ['a@x'] });
    out.push({
      id: 'other',
      resource: 'iam-role',
      action: 'tag',
      detail: '',
      after: [],
      op: { kind: 'tag-role', roleName: 'r', tags: {} },
    });
    out.in(scope('demo/ns/gone')).intend(targetTrustRef(TARGET), { remove: [old], after: ['d@x'] });
    const { changes } = foldTargetTrust(target, out.intents(targetTrustRef(TARGET)));
    out.settle(targetTrustRef(TARGET), changes);
    expect(out.changes.map((c) => c.id)).toEqual(['target-trust@target:x', 'other@run']);
    const [write] = out.changes;
    expect(write!.op).toEqual({
      kind: 'trust-target',
      roleName: 'shared-data',
      grants: [grant(undefined)],
      removed: [old],
    });
    expect(write!.detail).toBe(
      `allow ${ROLE_ARN} with the association's external ID in the trust policy of target role shared-data ` +
        `(2 existing statements kept); remove arn:aws:iam::${ACCOUNT}:role/old-role (external ID ext-old)`,
    );
    expect(write!.serves).toEqual(['demo/ns/new', 'demo/ns/gone']);
    expect(write!.after).toEqual(['a@x', 'd@x']);
  });

  test('removals alone that would leave no statement: nothing written, and said so', () => {
    const alone = observedRole({ trust: { Version: '2012-10-17', Statement: [statementFor(old)] } });
    expect(foldTargetTrust(alone, [{ remove: [old], after: [] }])).toEqual({ changes: [], empty: true });
  });
});

describe("a role's eks-pod-iam-target policy", () => {
  const OTHER = 'arn:aws:iam::210987654321:role/other-data';
  test('a target added and another revoked: one put of the policy with exactly that', () => {
    const role = observedRole({ targetPolicy: withTargets(undefined, [OTHER]) });
    const folded = foldTargetPolicy('app-role', role, [
      { add: [TARGET], after: ['r@x'] },
      { revoke: [OTHER], after: ['d@x'] },
    ]);
    expect(folded).toHaveLength(1);
    const [put] = folded;
    expect(put).toMatchObject({ id: 'target-policy', action: 'update', from: 0, after: ['r@x', 'd@x'] });
    expect(put!.detail).toBe(
      `update inline policy ${TARGET_POLICY_NAME} on app-role: may assume target role ${TARGET}; ` +
        `may no longer assume target role ${OTHER}`,
    );
    expect(put!.op.kind === 'put-inline-policy' && grantedTargets(put!.op.document)).toEqual([TARGET]);
  });

  test('the last target revoked, none added: the policy is deleted', () => {
    const role = observedRole({ targetPolicy: withTargets(undefined, [OTHER]) });
    expect(foldTargetPolicy('app-role', role, [{ revoke: [OTHER], after: [] }])).toMatchObject([
      { id: 'target-policy-revoke', action: 'delete', op: { kind: 'delete-inline-policy' } },
    ]);
  });
});

describe('an association', () => {
  const config = configOf({ 'migrate-from-irsa': 'true', tags: 'team=data' });
  const want: AssociationIntent = {
    want: { config, roleArn: ROLE_ARN, after: ['trust@role:app-role'], provenance: {} },
  };
  const LEGACY = `arn:aws:iam::${ACCOUNT}:role/legacy`;

  test("created: the migration's record is one more tag of the create", () => {
    const [create, ...rest] = foldAssociation(undefined, [want, { record: LEGACY }]);
    expect(rest).toEqual([]);
    expect(create!.op).toMatchObject({ kind: 'create-association', tags: { team: 'data', [IRSA_ROLE_TAG]: LEGACY } });
    expect(create!.detail).toBe(`associate ns/app with ${ROLE_ARN}`);
  });

  test('there, with tags to add: one tag change carries the record too', () => {
    const current = observedAssociation({ roleArn: ROLE_ARN, tags: {} });
    expect(foldAssociation(current, [want, { record: LEGACY }])).toMatchObject([
      {
        id: 'association-tags',
        detail: `tag ${current.associationId} with team, ${IRSA_ROLE_TAG}`,
        op: { kind: 'tag-association', tags: { team: 'data', [IRSA_ROLE_TAG]: LEGACY } },
        from: 0,
      },
    ]);
  });

  test('there, to update, no tag to add: the record is its own tag change after the update, where stated', () => {
    const current = observedAssociation({ roleArn: LEGACY, tags: { team: 'data' } });
    expect(foldAssociation(current, [want, { record: LEGACY }])).toMatchObject([
      { id: 'association', op: { kind: 'update-association', roleArn: ROLE_ARN }, from: 0 },
      { id: 'association-tags', after: ['association'], op: { tags: { [IRSA_ROLE_TAG]: LEGACY } }, from: 1 },
    ]);
  });
});

describe("an add-on's associations", () => {
  test('a present and an absent binding of one add-on: one write of its whole list', () => {
    const out = new ChangeList();
    const addon = {
      name: 'aws-ebs-csi-driver',
      version: 'v1.30.0-eksbuild.1',
      serviceAccounts: { 'ebs-csi-controller-sa': [], 'ebs-csi-node-sa': [], other: [] },
      installed: {
        arn: 'arn:aws:eks:us-east-1:123456789012:addon/demo/aws-ebs-csi-driver/x',
        status: 'ACTIVE' as const,
        healthIssues: [],
        associations: [
          { serviceAccount: 'ebs-csi-node-sa', namespace: 'kube-system', roleArn: ROLE_ARN },
          { serviceAccount: 'other', namespace: 'kube-system', roleArn: 'arn:aws:iam::123456789012:role/keep' },
        ],
      },
    };
    const write = planAddonAssociations(
      'demo',
      addon,
      [
        { namespace: 'kube-system', serviceAccount: 'ebs-csi-controller-sa', roleArn: ROLE_ARN },
        { namespace: 'kube-system', serviceAccount: 'ebs-csi-node-sa', roleArn: ROLE_ARN, absent: true },
      ],
      [],
      out,
    );
    expect(write).toEqual({
      removed: ['ebs-csi-node-sa'],
      kept: [{ serviceAccount: 'other', roleArn: 'arn:aws:iam::123456789012:role/keep' }],
    });
    expect(out.changes).toHaveLength(1);
    expect(out.changes[0]!.op).toEqual({
      kind: 'addon-associations',
      addonName: 'aws-ebs-csi-driver',
      install: false,
      associations: [
        { serviceAccount: 'other', roleArn: 'arn:aws:iam::123456789012:role/keep' },
        { serviceAccount: 'ebs-csi-controller-sa', roleArn: ROLE_ARN },
      ],
    });
    expect(out.changes[0]!.detail).toBe(
      `associate through add-on aws-ebs-csi-driver in cluster demo: kube-system/ebs-csi-controller-sa → ${ROLE_ARN}; ` +
        `remove kube-system/ebs-csi-node-sa (→ ${ROLE_ARN}); its 1 other association(s) kept`,
    );
  });
});

describe('a namespace', () => {
  test('two bindings creating service accounts in one new namespace: it is created once, for both', () => {
    const p = planMany([
      item({ 'service-account': 'a' }, { namespaceExists: false }),
      item({ 'service-account': 'b' }, { namespaceExists: false }),
    ]);
    const creates = p.changes.filter((c) => c.op.kind === 'create-namespace');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.serves).toEqual(['demo/ns/a', 'demo/ns/b']);
    const accounts = p.changes.filter((c) => c.op.kind === 'create-service-account');
    expect(accounts.map((c) => c.after.includes(creates[0]!.id))).toEqual([true, true]);
  });
});
