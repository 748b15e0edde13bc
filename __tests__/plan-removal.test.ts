// The removal plan (state: absent) over its edge cases, pure: what goes, what stays, and in which order.
import type { InputName } from '../src/inputs/spec.js';
import { PlanError } from '../src/core/changes.js';
import { plan } from './helpers/plan-one.js';
import { statementFor, podIdentityBinding, irsaBinding } from '../src/resources/role-trust/trust.js';
import type { Observed, ObservedRole } from '../src/core/types.js';
import { configOf, type Inputs } from './helpers/config.js';
import { observedAssociation, observedRole, trustDoc } from './helpers/observed.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-role`;
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC';
const HOST_PATH = 'oidc.eks.us-east-1.amazonaws.com/id/ABC';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST_PATH}`;
const S3 = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const policy = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
const OWNED = { 'eks-pod-iam:managed': 'true' };
const CREATED_BY = { 'app.kubernetes.io/created-by': 'eks-pod-iam' };

const config = (over: Inputs = {}) =>
  configOf({
    state: 'absent',
    ...over,
  });

const irsa = (sa = 'app') => irsaBinding(PROVIDER, HOST_PATH, 'ns', sa, 'sts.amazonaws.com');

const role = (over: Partial<ObservedRole> = {}) =>
  observedRole({ inlinePolicyNames: [], associatedElsewhere: [], ...over });

const association = observedAssociation;

function observed(over: Partial<Observed> = {}): Observed {
  return {
    accountId: ACCOUNT,
    cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: ISSUER },
    role: role(),
    addon: { status: 'ACTIVE', healthIssues: [] },
    associations: [association()],
    serviceAccount: { annotations: {}, labels: {}, uid: 'u-1', resourceVersion: '7' },
    namespaceExists: true,
    ...over,
  };
}

const actions = (p: ReturnType<typeof plan>) => p.changes.map((c) => `${c.resource} ${c.action}`);

describe('pod identity', () => {
  test('a role eks-pod-iam created: policies cleared first, only its own unshared managed policy deleted', () => {
    const p = plan(
      config(),
      observed({
        role: role({
          tags: OWNED,
          attachedPolicyArns: [S3, policy('ours'), policy('ours-shared'), policy('team')],
          inlinePolicyNames: ['eks-pod-iam', 'by-hand'],
          customerPolicies: [
            { arn: policy('ours'), ours: true, attachmentCount: 1 },
            { arn: policy('ours-shared'), ours: true, attachmentCount: 2 },
            { arn: policy('team'), ours: false, attachmentCount: 1 },
          ],
        }),
        serviceAccount: { annotations: {}, labels: CREATED_BY, uid: 'u-1', resourceVersion: '7' },
      }),
    );
    expect(actions(p)).toEqual([
      'pod-identity-association delete',
      'service-account delete',
      'iam-role-policy detach',
      'iam-role-policy detach',
      'iam-role-policy detach',
      'iam-role-policy detach',
      'iam-inline-policy delete',
      'iam-inline-policy delete',
      'iam-role-policy delete',
      'iam-role delete',
    ]);
    const byKind = (k: string) => p.changes.filter((c) => c.op.kind === k);
    expect(byKind('delete-managed-policy').map((c) => c.op)).toEqual([
      { kind: 'delete-managed-policy', policyArn: policy('ours') },
    ]);
    expect(byKind('delete-service-account')[0]!.op).toEqual({
      kind: 'delete-service-account',
      uid: 'u-1',
      resourceVersion: '7',
    });
    // The role goes last: after the association, the service account and every policy change (deletions too).
    const deleteRole = byKind('delete-role')[0]!;
    expect(new Set(deleteRole.after)).toEqual(new Set(p.changes.filter((c) => c !== deleteRole).map((c) => c.id)));
    expect(byKind('update-trust')).toEqual([]); // deleting the role takes its trust with it
  });

  test('a role eks-pod-iam created that someone gave another statement: only ours goes, the role stays', () => {
    const trust = trustDoc(ec2, statementFor(podIdentityBinding()));
    const p = plan(config(), observed({ role: role({ tags: OWNED, trust, attachedPolicyArns: [S3] }) }));
    expect(actions(p)).toEqual(['pod-identity-association delete', 'iam-role-trust remove']);
    const update = p.changes[1]!;
    expect(update.op).toMatchObject({ kind: 'update-trust', removed: [podIdentityBinding()], bindings: [] });
    expect(update.op.kind === 'update-trust' && update.op.trust.Statement).toEqual([ec2]);
    expect(update.after).toEqual([p.changes[0]!.id]);
  });

  test('the plain statement stays while other associations name the role (and so does a role eks-pod-iam made)', () => {
    const p = plan(config(), observed({ role: role({ tags: OWNED, associatedElsewhere: ['other/ns/worker'] }) }));
    expect(actions(p)).toEqual(['pod-identity-association delete']);
    expect(p.warnings).toEqual([expect.stringMatching(/statement of app-role stays: 1 other association.*worker/)]);
  });

  test("a foreign role's last statement is not removed (IAM accepts no empty trust), with a warning", () => {
    const p = plan(config(), observed({ role: role({ attachedPolicyArns: [S3] }) }));
    expect(actions(p)).toEqual(['pod-identity-association delete']);
    expect(p.warnings).toEqual([expect.stringMatching(/without any statement.*neither deleted nor changed/)]);
  });

  test('an association naming another role stays; one owned by an add-on is an error', () => {
    const other = association({ roleArn: `arn:aws:iam::${ACCOUNT}:role/other` });
    const trust = trustDoc(ec2, statementFor(podIdentityBinding()));
    const p = plan(config(), observed({ role: role({ trust }), associations: [other] }));
    expect(actions(p)).toEqual(['iam-role-trust remove']);
    expect(p.warnings).toEqual([expect.stringMatching(/names arn:aws:iam::123456789012:role\/other.*left as it is/)]);
    const owned = association({ ownerArn: 'arn:aws:eks:us-east-1:1:addon/demo/x/y' });
    expect(() => plan(config(), observed({ associations: [owned] }))).toThrow(PlanError);
  });

  test('a scoped binding takes only its own statement', () => {
    const scope = (sa: string) => ({
      clusterArn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`,
      namespace: 'ns',
      serviceAccount: sa,
    });
    const trust = trustDoc(
      statementFor(podIdentityBinding(scope('app'))),
      statementFor(podIdentityBinding(scope('worker'))),
    );
    const p = plan(config({ 'scope-trust': 'true' }), observed({ role: role({ tags: OWNED, trust }) }));
    expect(actions(p)).toEqual(['pod-identity-association delete', 'iam-role-trust remove']);
    const op = p.changes[1]!.op;
    expect(op.kind === 'update-trust' && op.trust.Statement).toEqual([
      statementFor(podIdentityBinding(scope('worker'))),
    ]);
  });

  test('nothing left to remove: an empty plan', () => {
    const p = plan(config(), observed({ role: null, associations: [], serviceAccount: null }));
    expect(p.changes).toEqual([]);
    expect(p.warnings).toEqual([]);
  });
});

describe('irsa', () => {
  const irsaConfig = (over: Partial<Record<InputName, string>> = {}) => config({ mode: 'irsa', ...over });
  const annotated = (roleArn: string, extra: Record<string, string> = {}) => ({
    annotations: { 'eks.amazonaws.com/role-arn': roleArn, ...extra },
    labels: {},
    uid: 'u-1',
    resourceVersion: '7',
  });

  test('a foreign service account loses only the role and audience annotations, with the values read', () => {
    const trust = trustDoc(ec2, statementFor(irsa()));
    const sa = annotated(ROLE_ARN, { 'eks.amazonaws.com/audience': 'sts.amazonaws.com', 'example.com/x': 'y' });
    const p = plan(irsaConfig(), observed({ role: role({ trust }), serviceAccount: sa }));
    expect(actions(p)).toEqual(['service-account remove', 'iam-role-trust remove']);
    expect(p.changes[0]!.op).toEqual({
      kind: 'unannotate-service-account',
      annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN, 'eks.amazonaws.com/audience': 'sts.amazonaws.com' },
    });
  });

  test('a service account eks-pod-iam created but now annotated with another role is left alone', () => {
    const trust = trustDoc(ec2, statementFor(irsa()));
    const sa = { ...annotated(`arn:aws:iam::${ACCOUNT}:role/other`), labels: CREATED_BY };
    const p = plan(irsaConfig(), observed({ role: role({ trust }), serviceAccount: sa }));
    expect(actions(p)).toEqual(['iam-role-trust remove']);
  });

  test("another service account's subject stays in the shared statement", () => {
    const shared = statementFor(irsa());
    const equals = (shared.Condition as { StringEquals: Record<string, unknown> }).StringEquals;
    equals[`${HOST_PATH}:sub`] = ['system:serviceaccount:ns:app', 'system:serviceaccount:ns:other'];
    const p = plan(
      irsaConfig(),
      observed({ role: role({ tags: OWNED, trust: trustDoc(shared) }), serviceAccount: null }),
    );
    expect(actions(p)).toEqual(['iam-role-trust remove']);
    const op = p.changes[0]!.op;
    const left = op.kind === 'update-trust' ? (op.trust.Statement as any[])[0].Condition.StringEquals : {};
    expect(left[`${HOST_PATH}:sub`]).toEqual(['system:serviceaccount:ns:other']);
  });
});
