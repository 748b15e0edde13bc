// The OIDC provider's reader, what observe and the re-read after apply both use: one GetOpenIDConnectProvider
// (its client IDs: the audience IRSA's tokens carry must be one of them).
import type { IAMClient } from '@aws-sdk/client-iam';
import * as iam from '../../aws/iam.js';
import type { ObservedOidcProvider } from '../../core/types.js';

/** The provider by ARN; null when the account has none for the cluster's issuer. */
export const readProvider = (client: IAMClient, arn: string): Promise<ObservedOidcProvider | null> =>
  iam.readOidcProvider(client, arn);
