// The SDK clients. Endpoints (AWS_ENDPOINT_URL*), credentials and retries come from the SDK itself:
// the default credential chain, the standard endpoint variables, and the adaptive retry strategy
// (throttling and 5xx are retried there, not in home-made loops).
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AccountClient } from '@aws-sdk/client-account';
import { AdaptiveRetryStrategy, DefaultRateLimiter } from '@smithy/core/retry';

/** Generous because a bootstrap pipeline would rather wait than fail on a throttled account. */
const MAX_ATTEMPTS = 10;

/**
 * The IAM writes' adaptive retry, with a gentler limiter than the SDK's default (beta 0.7, scaleConstant 0.4), under
 * which 100 writes against a 10/s limit took 14.3 s instead of 10 (11.3-12.5 s with this one). IAM's limit on an
 * account's mutating calls is low but steady, and the limiter approaches it from below, so a throttle means "just
 * over it", not "far over it":
 *  - beta 0.9: a throttle cuts the rate by 10%, not 30% (the default settles at 7-9 writes/s under a 10/s limit).
 *  - scaleConstant 2: a steeper cubic recovery. After a throttle at 10/s the rate is back after
 *    cbrt(10 * (1 - beta) / scaleConstant) = 0.8 s, not 2 s. The first throttle drops it to the floor whatever the
 *    settings (the limiter counts its rate from the client's creation, so after the plan's reads it reads a rate near
 *    0); from there it is back at 10/s after about 2 s, not 3.6 s.
 * minFillRate stays the SDK's 0.5/s: a floor above what a busy account allows keeps every retry throttled until the
 * SDK's retry quota (500, 5 per throttled retry) runs dry and fails the run (a 3/s floor did, simulated against an
 * account allowing 1 write/s).
 */
const iamWritesRetry = () =>
  // A number, not a provider: given options, the strategy ignores a provider and allows 3 attempts.
  new AdaptiveRetryStrategy(MAX_ATTEMPTS, { rateLimiter: new DefaultRateLimiter({ beta: 0.9, scaleConstant: 2 }) });

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
  private accountClient: Promise<AccountClient> | undefined;

  constructor(readonly region: string) {
    // The SDK warns on Node 20 about its own future releases; users of this bundle cannot act on that.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.config = { region, retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS, customUserAgent: 'eks-pod-iam' } as const;
    this.iam = new IAMClient(this.config);
    this.iamWrites = new IAMClient({ ...this.config, retryStrategy: iamWritesRetry() });
    this.eks = new EKSClient(this.config);
  }

  /** STS is needed only when DescribeCluster gives no ARN to read the account from: loaded on first use. */
  sts(): Promise<STSClient> {
    return (this.stsClient ??= import('@aws-sdk/client-sts').then(({ STSClient }) => new STSClient(this.config)));
  }

  /**
   * EKS in another region with these clients' credentials, resolved once rather than once per region (an instance
   * role or web identity would otherwise be fetched again for each): the removal's account-wide scan.
   */
  eksIn(region: string): EKSClient {
    return new EKSClient({ ...this.config, region, credentials: this.eks.config.credentials });
  }

  /** Account (ListRegions) only for a removal's account-wide scan: loaded on first use. */
  account(): Promise<AccountClient> {
    return (this.accountClient ??= import('./account.js').then(({ accountClient }) => accountClient(this.config)));
  }

  async destroy(): Promise<void> {
    this.iam.destroy();
    this.iamWrites.destroy();
    this.eks.destroy();
    (await this.stsClient)?.destroy();
    (await this.accountClient)?.destroy();
  }
}

/** The error's name, as the SDK sets it from the service's error code. */
export const errorName = (e: unknown): string => (e as { name?: string })?.name ?? '';
