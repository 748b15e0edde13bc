// Deleting a managed policy eks-pod-iam made, once the role it was made for is going: only while it still
// carries eks-pod-iam's tag and nothing else (role, user or group) has it attached.
import type { IAMClient } from '@aws-sdk/client-iam';
import * as iam from '../../aws/iam.js';
import { MANAGED_TAG } from '../../core/ownership.js';
import type { Log } from '../../platform/types.js';

export async function deleteManagedPolicy(client: IAMClient, policyArn: string, log: Log): Promise<void> {
  const policy = await iam.readPolicy(client, policyArn);
  if (!policy) return; // already gone
  if (policy.tags[MANAGED_TAG] !== 'true') return void log.info(`${policyArn} was not made by eks-pod-iam: kept.`);
  if (policy.attachmentCount > 0)
    return void log.info(`${policyArn} is attached elsewhere (${policy.attachmentCount} attachments): kept.`);
  await iam.deletePolicy(client, policyArn);
}
