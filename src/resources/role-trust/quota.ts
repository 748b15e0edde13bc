// The account's trust-policy size quota (GetAccountSummary's AssumeRolePolicySizeQuota): a trust update over it is
// refused by IAM, so its bindings fail before anything is written. The quota is read once per run, alongside
// observe (it is one account-wide number), so that checking a planned trust update costs no round trip of its own.
import type { IAMClient } from '@aws-sdk/client-iam';
import { trustPolicyQuota } from '../../aws/iam-account.js';
import type { BindingKey } from '../../inputs/config.js';
import type { Change } from '../../core/types.js';
import type { Log } from '../../platform/types.js';
import { trustPolicySize } from './trust.js';

/** The quota as read: a number (undefined when IAM does not say), or why it could not be read. */
export type QuotaRead = { quota: number | undefined } | { error: Error };

/** Starts reading the quota; never rejects (without iam:GetAccountSummary the check is skipped, with a warning). */
export const readTrustQuota = (client: IAMClient): Promise<QuotaRead> =>
  trustPolicyQuota(client).then(
    (quota) => ({ quota }),
    (error: Error) => ({ error }),
  );

/** The planned trust updates over the quota: the bindings each serves, and the one-line reason they fail. */
export async function overQuota(
  changes: readonly Change[],
  read: Promise<QuotaRead>,
  log: Log,
): Promise<{ serves: readonly BindingKey[]; message: string }[]> {
  const updates = changes.flatMap((c) => (c.op.kind === 'update-trust' ? [{ c, op: c.op }] : []));
  if (updates.length === 0) return [];
  const answer = await read;
  if ('error' in answer) {
    // IAM itself still refuses an oversized policy: the write then fails with its own message.
    log.warn(
      `Could not read the account's trust-policy size quota (${answer.error.name}); writing without checking it first.`,
    );
    return [];
  }
  const { quota } = answer;
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
