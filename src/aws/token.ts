// The bearer token EKS accepts for its Kubernetes API, made in-process as `aws eks get-token` makes it:
// a SigV4-presigned STS GetCallerIdentity URL with the signed header x-k8s-aws-id: <cluster>.
// It is a credential: it is never logged.
import { SignatureV4 } from '@smithy/signature-v4';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { HttpRequest } from '@smithy/types';
import { delayScale } from '../time.js';

/** Any SDK client's resolved config: the same credential chain signs the token (no STS client is built). */
type Signing = Pick<EKSClient['config'], 'credentials' | 'sha256'>;

const PRESIGN_SECONDS = 60;
/**
 * EKS accepts a token for 15 minutes from its X-Amz-Date (aws-iam-authenticator), whatever X-Amz-Expires says.
 * A fresh one is signed 10 minutes after the last: a third of its lifetime is left for requests in flight.
 */
const RENEW_AFTER_MS = 10 * 60 * 1000;

/** STS host for the token: the standard endpoint overrides first, else the region's own STS. */
function stsEndpoint(region: string, env: NodeJS.ProcessEnv): URL {
  const override = env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL;
  if (override) return new URL(override);
  return new URL(`https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`);
}

async function eksToken(
  signing: Signing,
  clusterName: string,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
  signingDate = new Date(),
): Promise<string> {
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
  const signed = await signer.presign(request, { expiresIn: PRESIGN_SECONDS, signingDate });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const presigned = `${url.protocol}//${url.host}${signed.path}?${query}`;
  return `k8s-aws-v1.${Buffer.from(presigned, 'utf8').toString('base64url')}`;
}

/**
 * The token for each Kubernetes request: one token, shared by concurrent requests, until it is due for renewal,
 * so a run that outlives a token (a slow API server, a long add-on wait before restarts) keeps working. The lifetime
 * is counted from the signed time (X-Amz-Date has whole seconds) and shrinks with EKS_POD_IAM_TIME_SCALE, so tests
 * can see it renewed.
 */
export function eksTokens(
  signing: Signing,
  clusterName: string,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<string> {
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    const now = Date.now();
    if (!current || now >= current.renewAt) {
      const signedAt = Math.floor(now / 1000) * 1000;
      const token = eksToken(signing, clusterName, region, env, new Date(signedAt));
      const entry = { token, renewAt: signedAt + RENEW_AFTER_MS * delayScale() };
      current = entry;
      token.catch(() => {
        if (current === entry) current = undefined; // a failed signing (credentials) is tried again next time
      });
    }
    return current.token;
  };
}
