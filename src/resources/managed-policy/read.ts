// The customer-managed policy's reader, what observe and the re-read after apply both use: the policy (its tags say
// whether eks-pod-iam made it), its versions, and its default version's document.
import type { IAMClient } from '@aws-sdk/client-iam';
import * as iam from '../../aws/iam.js';
import type { ObservedManagedPolicy } from '../../core/types.js';

/** The policy by ARN; null when it does not exist. */
export const readManagedPolicy = (client: IAMClient, arn: string): Promise<ObservedManagedPolicy | null> =>
  iam.readManagedPolicy(client, arn);
