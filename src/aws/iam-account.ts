// IAM's account-wide reads: the account summary's quotas (GetAccountSummary).
import { GetAccountSummaryCommand, type IAMClient } from '@aws-sdk/client-iam';

/** The account's limit on a trust policy's size, in bytes without whitespace. */
export async function trustPolicyQuota(iam: IAMClient): Promise<number | undefined> {
  const out = await iam.send(new GetAccountSummaryCommand({}));
  return out.SummaryMap?.AssumeRolePolicySizeQuota;
}
