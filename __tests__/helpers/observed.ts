// What the pure plan tests observe unless they say otherwise: the role app-role trusting Pod Identity, and one
// association of the service account naming it. Each file overrides what its feature turns on.
import type { ObservedAssociation, ObservedRole } from '../../src/core/types.js';
import { podIdentityBinding, statementFor } from '../../src/resources/role-trust/trust.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/app-role';

/** A trust policy as IAM returns it (URL-encoded). */
export const trustDoc = (...Statement: unknown[]) =>
  encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement }));

export const observedRole = (over: Partial<ObservedRole> = {}): ObservedRole => ({
  arn: ROLE_ARN,
  name: 'app-role',
  trust: trustDoc(statementFor(podIdentityBinding())),
  tags: {},
  permissionsBoundaryArn: undefined,
  attachedPolicyArns: [],
  inlinePolicy: undefined,
  ...over,
});

export const observedAssociation = (over: Partial<ObservedAssociation> = {}): ObservedAssociation => ({
  associationId: 'a-aaaaaaaaaaaaaaaaa',
  associationArn: 'arn:aws:eks:us-east-1:1:podidentityassociation/demo/a-aaaaaaaaaaaaaaaaa',
  roleArn: ROLE_ARN,
  targetRoleArn: undefined,
  disableSessionTags: false,
  policy: undefined,
  ownerArn: undefined,
  tags: {},
  ...over,
});
