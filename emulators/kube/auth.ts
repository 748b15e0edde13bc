// Bearer tokens. EKS tokens are what `aws eks get-token` / aws-iam-authenticator produce:
//   "k8s-aws-v1." + base64url(no padding) of a SigV4-presigned  GET https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-...
// signed with the header `x-k8s-aws-id: <cluster name>`. The emulator checks the structure (the real server asks STS);
// given the secret key it also checks the signature, which proves the cluster name was signed.
import { createHash, createHmac } from 'node:crypto';

export const EKS_PREFIX = 'k8s-aws-v1.';
// aws-iam-authenticator: "X-Amz-Date parameter is expired (15 minute expiration)"
export const EKS_TOKEN_MAX_AGE_MS = 15 * 60 * 1000;

export interface EksTokenInfo {
  token: string;
  url: string;
  host: string;
  params: Record<string, string>;
  accessKeyId: string;
  region: string;
  date: Date;
  signedHeaders: string[];
}

/** maxAgeMs: how long after its X-Amz-Date a token is accepted (default 15 minutes; tests shorten it). */
export interface EksCheck {
  now?: Date;
  clusterName?: string;
  secretAccessKey?: string;
  maxAgeMs?: number;
}

/** Returns the decoded token, or a reason it is not an EKS token (the server answers 401 either way). */
export function parseEksToken(token: string, check: EksCheck = {}): EksTokenInfo | { error: string } {
  if (!token.startsWith(EKS_PREFIX)) return { error: 'missing k8s-aws-v1. prefix' };
  const b64 = token.slice(EKS_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(b64)) return { error: 'not base64url without padding' };
  let u: URL;
  try {
    u = new URL(Buffer.from(b64, 'base64url').toString('utf8'));
  } catch {
    return { error: 'does not decode to a URL' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { error: `unexpected scheme ${u.protocol}` };
  if (u.pathname !== '/') return { error: `unexpected path ${u.pathname}` };
  const params = Object.fromEntries(u.searchParams);
  if (params.Action !== 'GetCallerIdentity') return { error: 'Action is not GetCallerIdentity' };
  if (params.Version !== '2011-06-15') return { error: 'Version is not 2011-06-15' };
  if (params['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') return { error: 'X-Amz-Algorithm is not AWS4-HMAC-SHA256' };
  const cred = (params['X-Amz-Credential'] ?? '').split('/');
  if (cred.length !== 5 || cred[3] !== 'sts' || cred[4] !== 'aws4_request')
    return { error: 'malformed X-Amz-Credential' };
  const signedHeaders = (params['X-Amz-SignedHeaders'] ?? '').split(';');
  if (!signedHeaders.includes('x-k8s-aws-id')) return { error: 'X-Amz-SignedHeaders does not include x-k8s-aws-id' };
  if (!/^\d+$/.test(params['X-Amz-Expires'] ?? '')) return { error: 'X-Amz-Expires missing' };
  if (!/^[0-9a-f]{64}$/.test(params['X-Amz-Signature'] ?? '')) return { error: 'malformed X-Amz-Signature' };
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(params['X-Amz-Date'] ?? '');
  if (!m) return { error: 'malformed X-Amz-Date' };
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  const now = (check.now ?? new Date()).getTime();
  const maxAge = check.maxAgeMs ?? EKS_TOKEN_MAX_AGE_MS;
  if (now - date.getTime() > maxAge) {
    const expiration = maxAge === EKS_TOKEN_MAX_AGE_MS ? '15 minute' : `${maxAge} ms`;
    return { error: `X-Amz-Date parameter is expired (${expiration} expiration)` };
  }
  if (date.getTime() - now > 5 * 60 * 1000) return { error: 'X-Amz-Date parameter is in the future' };
  if (check.secretAccessKey) {
    const { 'X-Amz-Signature': sig, ...unsigned } = params;
    const expect = sign(
      u.host,
      unsigned,
      signedHeaders,
      check.clusterName ?? '',
      check.secretAccessKey,
      cred[2]!,
      params['X-Amz-Date']!,
    );
    if (expect !== sig) return { error: 'signature does not match (wrong key or cluster name)' };
  }
  return {
    token,
    url: u.toString(),
    host: u.host,
    params,
    accessKeyId: cred[0]!,
    region: cred[2]!,
    date,
    signedHeaders,
  };
}

export interface EksTokenOptions {
  clusterName: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  date?: Date;
  host?: string;
  protocol?: 'https' | 'http';
}

/**
 * Builds a token the way aws-iam-authenticator does (SigV4 presign, 60 s, x-k8s-aws-id signed). Fake keys are fine
 * here.
 */
export function makeEksToken(o: EksTokenOptions): string {
  const region = o.region ?? 'us-east-1';
  const host = o.host ?? `sts.${region}.amazonaws.com`;
  const amzDate = (o.date ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const params: Record<string, string> = {
    Action: 'GetCallerIdentity',
    Version: '2011-06-15',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${o.accessKeyId ?? 'AKIAEMULATOREXAMPLE'}/${amzDate.slice(0, 8)}/${region}/sts/aws4_request`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': '60',
    'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    ...(o.sessionToken ? { 'X-Amz-Security-Token': o.sessionToken } : {}),
  };
  params['X-Amz-Signature'] = sign(
    host,
    params,
    ['host', 'x-k8s-aws-id'],
    o.clusterName,
    o.secretAccessKey ?? 'emulator-secret',
    region,
    amzDate,
  );
  const url = `${o.protocol ?? 'https'}://${host}/?${canonicalQuery(params)}`;
  return EKS_PREFIX + Buffer.from(url).toString('base64url');
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const canonicalQuery = (p: Record<string, string>) =>
  Object.keys(p)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(p[k]!)}`)
    .join('&');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** SigV4 signature of the presigned GET (empty payload), as STS would recompute it. */
function sign(
  host: string,
  params: Record<string, string>,
  signedHeaders: string[],
  cluster: string,
  secret: string,
  region: string,
  amzDate: string,
): string {
  const headers: Record<string, string> = { host, 'x-k8s-aws-id': cluster };
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(headers[h] ?? '').trim()}\n`).join('');
  const request = ['GET', '/', canonicalQuery(params), canonicalHeaders, signedHeaders.join(';'), sha256('')].join(
    '\n',
  );
  const scope = `${amzDate.slice(0, 8)}/${region}/sts/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(request)].join('\n');
  const key = ['sts', 'aws4_request'].reduce(
    (k, part) => hmac(k, part),
    hmac(hmac(`AWS4${secret}`, amzDate.slice(0, 8)), region),
  );
  return createHmac('sha256', key).update(toSign).digest('hex');
}
