// Plan for a cluster's IAM OIDC provider (IRSA): create it with every audience its bindings use, or add the
// audiences it lacks as client IDs.
import { change, type ChangeList } from '../../core/changes.js';
import { CLUSTER_TAG, MANAGED_TAG } from '../../core/ownership.js';
import type { ObservedOidcProvider } from '../../core/types.js';
import { OIDC_PROVIDER } from './kind.js';

/** Returns the ids of the changes roles must wait for (IAM rejects a trust naming a missing provider). */
export function planOidcProvider(
  clusterName: string,
  issuer: string,
  providerArn: string,
  audiences: readonly string[],
  provider: ObservedOidcProvider | null,
  out: ChangeList,
  provenance: Readonly<Record<string, string>> = {},
): string[] {
  const wanted = [...new Set(audiences)];
  if (!provider) {
    const detail = `create OIDC provider ${providerArn} with client ID ${wanted.join(', ')}`;
    return [
      out.push(
        change('oidc-provider', OIDC_PROVIDER, 'create', detail, [], {
          kind: 'create-oidc-provider',
          url: issuer,
          clientIds: wanted,
          tags: { [MANAGED_TAG]: 'true', [CLUSTER_TAG]: clusterName, ...provenance },
        }),
      ),
    ];
  }
  return wanted
    .filter((clientId) => !provider.clientIds.includes(clientId))
    .map((clientId) =>
      out.push(
        change(
          `client-id:${clientId}`,
          OIDC_PROVIDER,
          'add-client-id',
          `add client ID ${clientId} to ${providerArn}`,
          [],
          {
            kind: 'add-client-id',
            providerArn,
            clientId,
          },
        ),
      ),
    );
}
