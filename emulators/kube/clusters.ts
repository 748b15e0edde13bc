// One API server stands in for every EKS cluster moto knows (DescribeCluster points them all here), so the cluster a
// request is for is read from its EKS token: aws-iam-authenticator signs the cluster name (header x-k8s-aws-id) into
// the presigned URL, and the signature that matches a known cluster name names it. Each cluster has its own
// service-account issuer (the one DescribeCluster reports), which goes into the tokens the cluster issues.
import { parseEksToken } from './auth.js';
import { DEFAULT_ISSUER } from './tokens.js';

export interface ClusterContext {
  /** undefined: the request's token names no known cluster. */
  name?: string;
  region: string;
  issuer: string;
}

export class Clusters {
  private issuers = new Map<string, string>();
  /** Secret keys tried when checking which cluster name a token signed. */
  private secrets = new Set<string>();

  setIssuer(clusterName: string, issuerUrl: string): void {
    this.issuers.set(clusterName, issuerUrl);
  }

  addSecretKey(secretAccessKey: string | undefined): void {
    if (secretAccessKey) this.secrets.add(secretAccessKey);
  }

  list(): Record<string, string> {
    return Object.fromEntries(this.issuers);
  }

  clear(): void {
    this.issuers.clear();
  }

  /** The cluster a bearer token is for: the known cluster whose name its signature covers; the only known cluster
   *  when the signature cannot be checked; else none (default issuer). */
  of(token: string | undefined): ClusterContext {
    const info = token ? parseEksToken(token, { maxAgeMs: Number.MAX_SAFE_INTEGER }) : undefined;
    const region = info && !('error' in info) ? info.region : 'us-east-1';
    const names = [...this.issuers.keys()];
    let name: string | undefined;
    if (info && !('error' in info))
      name = names.find((c) =>
        [...this.secrets].some(
          (secretAccessKey) =>
            !('error' in parseEksToken(token!, { clusterName: c, secretAccessKey, maxAgeMs: Number.MAX_SAFE_INTEGER })),
        ),
      );
    if (!name && names.length === 1) name = names[0];
    return { ...(name ? { name } : {}), region, issuer: (name && this.issuers.get(name)) || DEFAULT_ISSUER };
  }
}
