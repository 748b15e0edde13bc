// The plan and checks of `managed-policy` over its cases: missing, equal in meaning, changed (with room for a
// version or with IAM's five), made by someone else. Pure: the planner and checks on hand-made observations.
import { PlanError } from '../src/core/changes.js';
import { plan } from './helpers/plan-one.js';
import { verify } from '../src/run/verify.js';
import type { Observed, ObservedManagedPolicy, ObservedRole } from '../src/core/types.js';
import { configOf, type Inputs } from './helpers/config.js';
import { observedAssociation, observedRole } from './helpers/observed.js';

const ACCOUNT = '123456789012';
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/app-role-eks-pod-iam`;
const DOC = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }],
};
// As IAM returns it: URL-encoded, keys in another order, the actions in another order.
const DOC_AS_IAM = encodeURIComponent(
  JSON.stringify({
    Statement: [{ Resource: '*', Action: ['s3:ListBucket', 's3:GetObject'], Effect: 'Allow' }],
    Version: '2012-10-17',
  }),
);

const config = (over: Inputs = {}) =>
  configOf({
    'managed-policy': JSON.stringify(DOC),
    ...over,
  });

const role = (over: Partial<ObservedRole> = {}) => observedRole({ attachedPolicyArns: [POLICY_ARN], ...over });

function policy(over: Partial<ObservedManagedPolicy> = {}): ObservedManagedPolicy {
  return {
    arn: POLICY_ARN,
    tags: { 'eks-pod-iam:managed': 'true' },
    defaultVersionId: 'v1',
    document: DOC_AS_IAM,
    versions: [{ versionId: 'v1', isDefault: true }],
    ...over,
  };
}

function observed(over: Partial<Observed> = {}): Observed {
  return {
    accountId: ACCOUNT,
    cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: undefined },
    role: role(),
    addon: { status: 'ACTIVE', healthIssues: [] },
    associations: [observedAssociation()],
    serviceAccount: { annotations: {}, labels: {} },
    namespaceExists: true,
    managedPolicies: { [POLICY_ARN]: policy() },
    ...over,
  };
}

const kinds = (p: ReturnType<typeof plan>) => p.changes.map((c) => c.op.kind);
const provenance = { 'eks-pod-iam:github-run': 'https://github.com/acme/platform/actions/runs/1' };

test('missing: made with the ownership and provenance tags, before the role, and attached once it exists', () => {
  const p = plan(
    config(),
    observed({ role: null, managedPolicies: { [POLICY_ARN]: null }, associations: [] }),
    provenance,
  );
  expect(kinds(p)).toEqual(['create-managed-policy', 'create-role', 'attach-policy', 'create-association']);
  const [made, created, attach] = p.changes;
  expect(made!.op).toEqual({
    kind: 'create-managed-policy',
    policyArn: POLICY_ARN,
    name: 'app-role-eks-pod-iam',
    document: DOC,
    tags: { 'eks-pod-iam:managed': 'true', ...provenance },
    description: 'Created by eks-pod-iam for role app-role',
  });
  expect(attach!.op).toEqual({ kind: 'attach-policy', roleName: 'app-role', policyArn: POLICY_ARN });
  expect(attach!.after.sort()).toEqual([made!.id, created!.id].sort());
  expect(made!.binding).toBe('demo/ns/app');
});

test('equal in meaning (IAM URL-encodes it, reorders keys and lists) and attached: no change', () => {
  expect(plan(config(), observed()).changes).toEqual([]);
});

test('not attached to an existing role: attached, once, even when policy-arns names it too', () => {
  const p = plan(config({ 'policy-arns': POLICY_ARN }), observed({ role: role({ attachedPolicyArns: [] }) }));
  expect(kinds(p)).toEqual(['attach-policy']);
  expect(p.changes[0]!.after).toEqual([]);
});

test('a named policy: its ARN is in the role account', () => {
  const arn = `arn:aws:iam::${ACCOUNT}:policy/my-policy`;
  const p = plan(config({ 'managed-policy-name': 'my-policy' }), observed({ role: null, managedPolicies: {} }));
  expect(p.changes[0]!.detail).toBe(`create policy my-policy (${arn})`);
});

test('changed, with room for a version: one new default version, nothing deleted', () => {
  const versions = ['v1', 'v2', 'v3', 'v4'].map((versionId) => ({ versionId, isDefault: versionId === 'v3' }));
  const other = encodeURIComponent(JSON.stringify({ ...DOC, Statement: [] }));
  const p = plan(
    config(),
    observed({ managedPolicies: { [POLICY_ARN]: policy({ document: other, versions, defaultVersionId: 'v3' }) } }),
  );
  expect(p.changes.map((c) => [c.resource, c.action, c.detail])).toEqual([
    ['iam-managed-policy', 'update', 'make the document the default version of policy app-role-eks-pod-iam (was v3)'],
  ]);
  expect(p.changes[0]!.op).toEqual({ kind: 'create-policy-version', policyArn: POLICY_ARN, document: DOC });
});

test('changed, with five versions: the oldest non-default one is deleted first (the default is never)', () => {
  const other = encodeURIComponent(JSON.stringify({ ...DOC, Statement: [] }));
  const versions = ['v1', 'v2', 'v3', 'v4', 'v5'].map((versionId) => ({ versionId, isDefault: versionId === 'v1' }));
  const p = plan(config(), observed({ managedPolicies: { [POLICY_ARN]: policy({ document: other, versions }) } }));
  expect(kinds(p)).toEqual(['delete-policy-version', 'create-policy-version']);
  expect(p.changes[0]!.op).toEqual({ kind: 'delete-policy-version', policyArn: POLICY_ARN, versionId: 'v2' });
  expect(p.changes[1]!.after).toEqual([p.changes[0]!.id]);
});

test('a same-named policy eks-pod-iam did not make: refused naming managed-policy-name, whatever its document', () => {
  for (const tags of [{}, { 'eks-pod-iam:managed': 'false' }, { team: 'x' }] as Record<string, string>[]) {
    const o = observed({ role: null, managedPolicies: { [POLICY_ARN]: policy({ tags }) } });
    expect(() => plan(config(), o)).toThrow(PlanError);
    expect(() => plan(config(), o)).toThrow(
      new RegExp(
        `^Input "managed-policy-name": the policy ${POLICY_ARN} exists and eks-pod-iam did not make it ` +
          '\\(no eks-pod-iam:managed tag\\), so it is never changed',
      ),
    );
  }
});

test('checks: attached, and the default version is the document; either missing fails', () => {
  const checksOf = (o: Observed) =>
    Object.fromEntries(verify(config(), o).map((c) => [c.name, [c.ok, c.detail]] as const));
  expect(checksOf(observed())).toMatchObject({
    'managed policy attached': [true, `${POLICY_ARN} on app-role`],
    'managed policy document': [true, 'default version v1 is the document'],
  });
  const stale = policy({ document: encodeURIComponent(JSON.stringify({ ...DOC, Statement: [] })) });
  expect(
    checksOf(observed({ role: role({ attachedPolicyArns: [] }), managedPolicies: { [POLICY_ARN]: stale } })),
  ).toMatchObject({
    'managed policy attached': [false, `${POLICY_ARN} on app-role`],
    'managed policy document': [false, 'default version v1 is not the document'],
  });
  expect(checksOf(observed({ managedPolicies: { [POLICY_ARN]: null } }))['managed policy document']).toEqual([
    false,
    `${POLICY_ARN} does not exist`,
  ]);
  expect(verify(config({ 'managed-policy': '' }), observed()).map((c) => c.name)).not.toContain(
    'managed policy attached',
  );
});
