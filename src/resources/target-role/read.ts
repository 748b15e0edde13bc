// Reads a target role when these credentials can. GetRole takes a role NAME and always answers from the caller's
// own account: a target role in another account cannot be read at all (and must not be looked up by name here,
// which could find an unrelated role of the same name). So: another account → not readable, no call made;
// the same account → GetRole (AccessDenied → not readable; NoSuchEntity → it does not exist).
import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type pLimit from 'p-limit';
import { accountOf } from '../../arn.js';
import { errorName } from '../../aws/clients.js';
import * as eks from '../../aws/eks.js';
import * as iam from '../../aws/iam.js';
import type { ObservedTarget, TargetUser } from '../../core/types.js';

const NO_POLICIES = { policies: false, inlinePolicyName: undefined };

/** `accountId`: the account of the run's credentials (the cluster's). */
export async function readTarget(client: IAMClient, arn: string, accountId: string): Promise<ObservedTarget> {
  const account = accountOf(arn);
  if (account !== accountId)
    return { readable: false, why: `it is in account ${account}, these credentials are in ${accountId}` };
  try {
    const role = await iam.readRole(client, arn.split('/').pop()!, NO_POLICIES);
    // Same name, another path: not the role given.
    return { readable: true, role: role && role.arn === arn ? role : null };
  } catch (e) {
    if (errorName(e) === 'AccessDenied' || errorName(e) === 'AccessDeniedException')
      return { readable: false, why: `iam:GetRole is denied (${(e as Error).message})` };
    throw e;
  }
}

/**
 * Removal: the associations in the region's clusters that name the target role, with their external IDs (what
 * tells a stale grant in its trust from a used one). One list per cluster, one describe per association.
 */
export async function readTargetUsers(
  client: EKSClient,
  arn: string,
  limit: ReturnType<typeof pLimit>,
): Promise<TargetUser[]> {
  const clusters = await limit(() => eks.listClusters(client));
  const perCluster = await Promise.all(
    clusters.map(async (cluster) => {
      const listed = await limit(() => eks.listAllAssociations(client, cluster));
      const described = await Promise.all(
        listed.map((a) => limit(() => eks.describeAssociations(client, cluster, [a]))),
      );
      return described
        .flat()
        .filter((a) => a.targetRoleArn === arn)
        .map((a) => ({ associationId: a.associationId, roleArn: a.roleArn, externalId: a.externalId }));
    }),
  );
  return perCluster.flat();
}
