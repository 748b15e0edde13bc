// The account's trust-policy size quota (GetAccountSummary's AssumeRolePolicySizeQuota): a trust update over it is
// refused by IAM, so its bindings fail before anything is written. Read once, only by a run that plans a trust
// update. (Read alongside observe instead, it left the trust merge's path but cost every run a read, most of them
// for nothing, some still in flight, with their retries, when the run was done.)
import type { IAMClient } from '@aws-sdk/client-iam';
import { trustPolicyQuota } from '../../aws/iam-account.js';
import type { BindingKey } from '../../inputs/config.js';
import type { Change } from '../../core/types.js';
import type { Log } from '../../platform/types.js';
import { trustPolicySize } from './trust.js';

/** The planned trust updates over the quota: the bindings each serves, and the one-line reason they fail. */
export async function overQuota(
  changes: readonly Change[],
  client: IAMClient,
  log: Log,
): Promise<{ serves: readonly BindingKey[]; message: string }[]> {
  const updates = changes.flatMap((c) => (c.op.kind === 'update-trust' ? [{ c, op: c.op }] : []));
  if (updates.length === 0) return [];
  let quota: number | undefined;
  try {
    quota = await trustPolicyQuota(client);
  } catch (e) {
    // Without iam:GetAccountSummary the check is skipped: IAM itself still refuses an oversized policy.
    log.warn(
      `Could not read the account's trust-policy size quota (${(e as Error).name}); writing without checking it first.`,
    );
    return [];
  }
  if (quota === undefined) return [];
  return updates
    .map(({ c, op }) => ({ c, role: op.roleName, size: trustPolicySize(op.trust) }))
    .filter(({ size }) => size > quota)
    .map(({ c, role, size }) => ({
      serves: c.serves,
      message:
        `The trust policy of role ${role} would be ${size} bytes, ` +
        `over this account's AssumeRolePolicySizeQuota of ${quota}: ` +
        'remove statements that are no longer used, bind this service account to its own role, ' +
        'or ask AWS to raise the quota (up to 8192).',
    }));
}
