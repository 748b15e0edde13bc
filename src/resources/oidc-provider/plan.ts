// Plan for the cluster's IAM OIDC provider (IRSA).
import type { Config } from '../../inputs/config.js';
import { change, type ChangeList } from '../../core/changes.js';
import { CLUSTER_TAG, MANAGED_TAG } from '../../core/ownership.js';
import type { ObservedOidcProvider } from '../../core/types.js';

export const OIDC_PROVIDER = 'oidc-provider';

/** Returns the ids of the changes the role must wait for (IAM rejects a trust naming a missing provider). */
export function planOidcProvider(
  config: Config,
  issuer: string,
  providerArn: string,
  provider: ObservedOidcProvider | null,
  out: ChangeList,
  provenance: Readonly<Record<string, string>> = {},
): string[] {
  if (!provider) {
    out.push(
      change(
        OIDC_PROVIDER,
        'iam-oidc-provider',
        'create',
        `create OIDC provider ${providerArn} with client ID ${config.audience}`,
        [],
        {
          kind: 'create-oidc-provider',
          url: issuer,
          clientId: config.audience,
          tags: { [MANAGED_TAG]: 'true', [CLUSTER_TAG]: config.clusterName, ...provenance },
        },
      ),
    );
    return [OIDC_PROVIDER];
  }
  if (!provider.clientIds.includes(config.audience)) {
    out.push(
      change(
        OIDC_PROVIDER,
        'iam-oidc-provider',
        'add-client-id',
        `add client ID ${config.audience} to ${providerArn}`,
        [],
        {
          kind: 'add-client-id',
          providerArn,
          clientId: config.audience,
        },
      ),
    );
    return [OIDC_PROVIDER];
  }
  return [];
}
