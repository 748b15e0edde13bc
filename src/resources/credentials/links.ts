// Which link of the chain a refusal most likely points at, in words a user can act on. Pure.
import type { Config } from '../../inputs/config.js';

/** Pod Identity (EKS Auth AssumeRoleForPodIdentity) refusals. */
export function podIdentityLink(code: string, message: string, config: Config): string {
  const who = `${config.namespace}/${config.serviceAccount}`;
  if (code === 'ResourceNotFoundException')
    return `the association (EKS finds none for ${who} in cluster ${config.clusterName}, or not yet)`;
  if (/InvalidToken|ExpiredToken/.test(code)) return 'the token (its audience, issuer or the pod it is bound to)';
  if (code === 'AccessDeniedException') {
    if (config.targetRoleArn && (message.includes(config.targetRoleArn) || /target role/i.test(message)))
      return (
        `the target role's trust (${config.targetRoleArn} must allow the association's role sts:AssumeRole and ` +
        "sts:TagSession with sts:ExternalId = the association's external ID)"
      );
    return (
      "the role's trust (it must allow the service pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession: " +
      'look for a Deny, or conditions on the session tags that this cluster, namespace or service account fails)' +
      (config.targetRoleArn ? `, or the target role's trust of it (${config.targetRoleArn})` : '')
    );
  }
  return 'EKS Auth (it did not answer the exchange)';
}

/** IRSA (STS AssumeRoleWithWebIdentity) refusals. */
export function irsaLink(
  code: string,
  message: string,
  config: Config,
  irsa: { roleArn: string; audience: string },
): string {
  const sub = `system:serviceaccount:${config.namespace}:${config.serviceAccount}`;
  if (code === 'InvalidIdentityTokenException' || code === 'InvalidIdentityToken')
    return /aud/i.test(message)
      ? `the audience (the IAM OIDC provider has no client ID ${irsa.audience}, the token's audience)`
      : "the IAM OIDC provider (none for the cluster's issuer, or not yet)";
  if (code === 'AccessDenied' || code === 'AccessDeniedException')
    return (
      `the role's trust (${irsa.roleArn} must allow sts:AssumeRoleWithWebIdentity from the cluster's OIDC ` +
      `provider with sub ${sub} and aud ${irsa.audience}: look for a Deny or another audience in its conditions)`
    );
  if (/ExpiredToken/.test(code)) return 'the token (expired before STS read it: check the clocks)';
  return 'STS (it did not answer the exchange)';
}
