// The SDK clients. Endpoints (AWS_ENDPOINT_URL*), credentials and retries come from the SDK itself:
// the default credential chain, the standard endpoint variables, and the adaptive retry strategy
// (throttling and 5xx are retried there, not in home-made loops).
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';

/** Generous because a bootstrap pipeline would rather wait than fail on a throttled account. */
const MAX_ATTEMPTS = 10;

export class AwsClients {
  /** IAM reads. */
  readonly iam: IAMClient;
  /**
   * IAM writes. Their own client, so their own adaptive rate limiter: IAM throttles an account's mutating calls at a
   * low rate, and the limiter that slows the writes down must not slow the reads (verification) down with them.
   */
  readonly iamWrites: IAMClient;
  readonly eks: EKSClient;
  private readonly config;
  private stsClient: Promise<STSClient> | undefined;

  constructor(readonly region: string) {
    // The SDK warns on Node 20 about its own future releases; users of this bundle cannot act on that.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.config = { region, retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS, customUserAgent: 'eks-pod-iam' } as const;
    this.iam = new IAMClient(this.config);
    this.iamWrites = new IAMClient(this.config);
    this.eks = new EKSClient(this.config);
  }

  /** STS is needed only when DescribeCluster gives no ARN to read the account from: loaded on first use. */
  sts(): Promise<STSClient> {
    return (this.stsClient ??= import('@aws-sdk/client-sts').then(({ STSClient }) => new STSClient(this.config)));
  }

  async destroy(): Promise<void> {
    this.iam.destroy();
    this.iamWrites.destroy();
    this.eks.destroy();
    (await this.stsClient)?.destroy();
  }
}

/** The error's name, as the SDK sets it from the service's error code. */
export const errorName = (e: unknown): string => (e as { name?: string })?.name ?? '';
