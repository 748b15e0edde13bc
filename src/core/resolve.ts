// What a binding resolves to once observed: the role ARN its pods get, and who must be able to assume the role
// (the Pod Identity service, or the service account through the cluster's OIDC provider). Pure.
import { accountOf, issuerHostPath, oidcProviderArn, roleArn as buildRoleArn } from '../arn.js';
import { PlanError } from './changes.js';
import type { Observed } from './types.js';
import type { Config } from '../inputs/config.js';
import { irsaBinding, podIdentityBinding, type Binding } from '../resources/role-trust/trust.js';

export function roleArnFor(config: Config, observed: Pick<Observed, 'role' | 'accountId'>): string {
  if (observed.role) return observed.role.arn;
  return config.role.kind === 'arn'
    ? config.role.arn
    : buildRoleArn(config.partition, observed.accountId, config.role.name);
}

export function providerArnFor(config: Config, accountId: string, issuer: string | undefined): string {
  if (!issuer)
    throw new PlanError(
      `Cluster ${config.clusterName} has no OIDC issuer, so IRSA cannot work; ` +
        "use mode pod-identity, or enable the cluster's OIDC issuer.",
    );
  return oidcProviderArn(config.partition, accountId, issuer);
}

/** Who must be able to assume the role: the pod identity service, or this service account through the OIDC provider. */
export function bindingFor(
  config: Config,
  observed: Pick<Observed, 'role' | 'accountId' | 'cluster'>,
): { binding: Binding; providerArn?: string } {
  if (config.mode === 'irsa')
    return irsaBindingFor(config, roleArnFor(config, observed), observed.cluster.issuer, config.audience);
  const scope = {
    clusterArn: observed.cluster.arn,
    namespace: config.namespace,
    serviceAccount: config.serviceAccount,
  };
  return { binding: podIdentityBinding(config.scopeTrust ? scope : undefined) };
}

/** The service account's web-identity binding through the cluster's OIDC provider (in the role's account). */
export function irsaBindingFor(
  config: Config,
  roleArn: string,
  issuer: string | undefined,
  audience: string,
): { binding: Binding; providerArn: string } {
  const providerArn = providerArnFor(config, accountOf(roleArn), issuer);
  const { namespace, serviceAccount } = config;
  return {
    binding: irsaBinding(providerArn, issuerHostPath(issuer!), namespace, serviceAccount, audience),
    providerArn,
  };
}
