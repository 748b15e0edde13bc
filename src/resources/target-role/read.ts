// Reads a target role when these credentials can. GetRole takes a role NAME and always answers from the caller's
// own account: a target role in another account cannot be read at all (and must not be looked up by name here,
// which could find an unrelated role of the same name). So: another account → not readable, no call made;
// the same account → GetRole (AccessDenied → not readable; NoSuchEntity → it does not exist).
import type { IAMClient } from '@aws-sdk/client-iam';
import { accountOf, roleNameOf } from '../../arn.js';
import { errorName } from '../../aws/clients.js';
import * as iam from '../../aws/iam.js';
import type { ObservedTarget } from '../../core/types.js';

const NO_POLICIES = { policies: false, inlinePolicyName: undefined };

/** `accountId`: the account of the run's credentials (the cluster's). */
export async function readTarget(client: IAMClient, arn: string, accountId: string): Promise<ObservedTarget> {
  const account = accountOf(arn);
  if (account !== accountId)
    return { readable: false, why: `it is in account ${account}, these credentials are in ${accountId}` };
  try {
    const role = await iam.readRole(client, roleNameOf(arn), NO_POLICIES);
    // Same name, another path: not the role given.
    return { readable: true, role: role && role.arn === arn ? role : null };
  } catch (e) {
    if (errorName(e) === 'AccessDenied' || errorName(e) === 'AccessDeniedException')
      return { readable: false, why: `iam:GetRole is denied (${(e as Error).message})` };
    throw e;
  }
}
