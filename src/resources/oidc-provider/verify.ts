import { check, type Check } from '../../core/check.js';
import type { ObservedOidcProvider } from '../../core/types.js';

/** The cluster's OIDC provider exists and accepts the binding's audience. */
export function checkProvider(
  providerArn: string | undefined,
  provider: ObservedOidcProvider | null | undefined,
  audience: string,
): Check {
  const clientIds = provider?.clientIds ?? [];
  return check(
    'OIDC provider',
    clientIds.includes(audience),
    provider ? `${providerArn} has client IDs ${clientIds.join(', ')}` : `${providerArn} does not exist`,
  );
}
