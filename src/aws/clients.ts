// The SDK clients. Endpoints (AWS_ENDPOINT_URL*), credentials and retries come from the SDK itself:
// the default credential chain, the standard endpoint variables, and the adaptive retry strategy
// (throttling and 5xx are retried there, not in home-made loops).
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';

export interface AwsClients {
  iam: IAMClient;
  eks: EKSClient;
  sts: STSClient;
  region: string;
}

/** Generous because a bootstrap pipeline would rather wait than fail on a throttled account. */
const MAX_ATTEMPTS = 10;

export function createClients(region: string): AwsClients {
  const common = { region, retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS, customUserAgent: 'eks-pod-iam' } as const;
  return { iam: new IAMClient(common), eks: new EKSClient(common), sts: new STSClient(common), region };
}

export function destroyClients(c: AwsClients): void {
  c.iam.destroy();
  c.eks.destroy();
  c.sts.destroy();
}

/** The error's name, as the SDK sets it from the service's error code. */
export const errorName = (e: unknown): string => (e as { name?: string })?.name ?? '';
