// Removal and running pods, pure: which pods still carry the removed identity, what the rollouts wait for, and when
// a warning stands instead of a rollout.
import { plan } from './helpers/plan-one.js';
import { statementFor, podIdentityBinding } from '../src/resources/role-trust/trust.js';
import type { Observed, ObservedPod } from '../src/core/types.js';
import { configOf, type Inputs } from './helpers/config.js';
import { observedAssociation, observedRole, trustDoc } from './helpers/observed.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-role`;
const OTHER_ARN = `arn:aws:iam::${ACCOUNT}:role/other`;
const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
const URI = { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials' };

const config = (over: Inputs = {}) =>
  configOf({
    mode: 'pod-identity',
    state: 'absent',
    'restart-workloads': 'true',
    ...over,
  });

const association = (roleArn = ROLE_ARN) => observedAssociation({ roleArn, createdAt: '2026-01-01T00:00:00Z' });
const pod = (name: string, env: Record<string, string>, owner = 'api-5d8f7c6b9'): ObservedPod => ({
  name,
  owner: owner ? { kind: 'ReplicaSet', name: owner } : undefined,
  env,
  createdAt: '2026-06-01T00:00:00Z',
});

function observed(over: Partial<Observed> = {}): Observed {
  return {
    accountId: ACCOUNT,
    cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: undefined },
    role: observedRole({
      trust: trustDoc(statementFor(podIdentityBinding()), ec2),
      inlinePolicyNames: [],
      associatedElsewhere: [],
    }),
    associations: [association()],
    serviceAccount: { annotations: {}, labels: {}, uid: 'u-1', resourceVersion: '7' },
    namespaceExists: true,
    pods: [pod('api-1', URI)],
    workloads: [{ kind: 'Deployment', name: 'api' }],
    ...over,
  };
}

const restarts = (p: ReturnType<typeof plan>) => p.changes.filter((c) => c.op.kind === 'restart-workload');

test('the rollout waits for the association and the trust, and comes last', () => {
  const p = plan(config(), observed());
  expect(p.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'pod-identity-association delete',
    'iam-role-trust remove',
    'workload restart',
  ]);
  const [restart] = restarts(p);
  expect(restart!.after.sort()).toEqual(
    p.changes
      .filter((c) => c !== restart)
      .map((c) => c.id)
      .sort(),
  );
  expect(p.warnings).toEqual([]);
});

test('pod identity: no age rule — pods younger than the association but without the variables are left alone', () => {
  const p = plan(config(), observed({ pods: [pod('api-1', {})] }));
  expect(restarts(p)).toEqual([]);
  expect(p.warnings).toEqual([]);
});

test("pod identity: an association naming another role stays, and the pods' credentials are that one's", () => {
  const p = plan(config(), observed({ associations: [association(OTHER_ARN)] }));
  expect(restarts(p)).toEqual([]);
  expect(p.warnings.some((w) => w.includes('still'))).toBe(false);
});

test('irsa: only pods with the role in AWS_ROLE_ARN count; a bare pod is named for deletion', () => {
  const p = plan(
    config({ mode: 'irsa' }),
    observed({
      cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: 'https://oidc.example/id/ABC' },
      associations: undefined,
      pods: [pod('api-1', { AWS_ROLE_ARN: OTHER_ARN }), pod('lonely', { AWS_ROLE_ARN: ROLE_ARN }, '')],
    }),
  );
  expect(restarts(p)).toEqual([]);
  expect(p.warnings).toEqual([expect.stringContaining('Pods lonely running as ns/app still carry')]);
});

test('the service account already gone: no rollout (its pods could not be created), a warning names them', () => {
  const p = plan(config(), observed({ serviceAccount: null }));
  expect(restarts(p)).toEqual([]);
  expect(p.warnings).toEqual([expect.stringContaining('deployment ns/api (pods api-1) still run as ns/app')]);
});
