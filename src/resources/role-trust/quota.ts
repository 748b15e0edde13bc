// The account's trust-policy size quota (GetAccountSummary's AssumeRolePolicySizeQuota): a trust update over it is
// refused by IAM, so its bindings fail before anything is written. Read once, only by a run that plans a trust
// update (as soon as observe foresees one: foresight.ts).
import type { BindingKey } from '../../inputs/config.js';
import type { Change } from '../../core/types.js';
import type { Log } from '../../platform/types.js';
import type { TrustForesight } from './foresight.js';
import { trustPolicySize } from './trust.js';

/** The planned trust updates over the quota: the bindings each serves, and the one-line reason they fail. */
export async function overQuota(
  changes: readonly Change[],
  foresight: Pick<TrustForesight, 'quota'>,
  log: Log,
): Promise<{ serves: readonly BindingKey[]; message: string }[]> {
  const updates = changes.flatMap((c) => (c.op.kind === 'update-trust' ? [{ c, op: c.op }] : []));
  if (updates.length === 0) return [];
  let limit: number | undefined;
  try {
    limit = await foresight.quota();
  } catch (e) {
    // Without iam:GetAccountSummary the check is skipped: IAM itself still refuses an oversized policy.
    log.warn(
      `Could not read the account's trust-policy size quota (${(e as Error).name}); writing without checking it first.`,
    );
    return [];
  }
  if (limit === undefined) return [];
  return updates
    .map(({ c, op }) => ({ c, role: op.roleName, size: trustPolicySize(op.trust) }))
    .filter(({ size }) => size > limit)
    .map(({ c, role, size }) => ({
      serves: c.serves,
      message:
        `The trust policy of role ${role} would be ${size} bytes, ` +
        `over this account's AssumeRolePolicySizeQuota of ${limit}: ` +
        'remove statements that are no longer used, bind this service account to its own role, ' +
        'or ask AWS to raise the quota (up to 8192).',
    }));
}
