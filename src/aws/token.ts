// The bearer token EKS accepts for its Kubernetes API, made in-process as `aws eks get-token` makes it:
// a SigV4-presigned STS GetCallerIdentity URL with the signed header x-k8s-aws-id: <cluster>.
// It is a credential: it is never logged.
import { SignatureV4 } from '@smithy/signature-v4';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { HttpRequest } from '@smithy/types';

/** Any SDK client's resolved config: the same credential chain signs the token (no STS client is built). */
type Signing = Pick<EKSClient['config'], 'credentials' | 'sha256'>;

const PRESIGN_SECONDS = 60;

/** STS host for the token: the standard endpoint overrides first, else the region's own STS. */
export function stsEndpoint(region: string, env: NodeJS.ProcessEnv): URL {
  const override = env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL;
  if (override) return new URL(override);
  return new URL(`https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`);
}

export async function eksToken(signing: Signing, clusterName: string, region: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const url = stsEndpoint(region, env);
  const signer = new SignatureV4({
    credentials: signing.credentials,
    region,
    service: 'sts',
    sha256: signing.sha256,
    uriEscapePath: true,
  });
  const request: HttpRequest = {
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname || '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: url.host, 'x-k8s-aws-id': clusterName },
  };
  const signed = await signer.presign(request, { expiresIn: PRESIGN_SECONDS });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const presigned = `${url.protocol}//${url.host}${signed.path}?${query}`;
  return `k8s-aws-v1.${Buffer.from(presigned, 'utf8').toString('base64url')}`;
}
