import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

export async function callerAccount(sts: STSClient): Promise<string> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  return out.Account!;
}
