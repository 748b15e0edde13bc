// EKS Auth AssumeRoleForPodIdentity, the call the Pod Identity agent makes with a pod's token. No JS SDK client
// exists for EKS Auth, so this one REST call is signed here with SigV4 (service `eks-auth`) and the run's own
// credentials, as the SDK would. The token and the answer's credentials are never logged or kept.
import type { EKSClient } from '@aws-sdk/client-eks';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';

/** Any SDK client's resolved config: the run's credential chain and hash. */
type Signing = Pick<EKSClient['config'], 'credentials' | 'sha256'>;

export interface PodIdentityAnswer {
  subject?: { namespace?: string; serviceAccount?: string };
  audience?: string;
  podIdentityAssociation?: { associationArn?: string; associationId?: string };
  assumedRoleUser?: { arn?: string; assumeRoleId?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration?: number };
}

/** EKS Auth's refusal: its error code (AccessDeniedException, InvalidTokenException, …) and message. */
export class EksAuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** EKS Auth's endpoint: the standard overrides (AWS_ENDPOINT_URL_EKS_AUTH, AWS_ENDPOINT_URL), else the region's. */
export function eksAuthEndpoint(region: string, env: NodeJS.ProcessEnv): URL {
  const override = env.AWS_ENDPOINT_URL_EKS_AUTH || env.AWS_ENDPOINT_URL;
  if (override) return new URL(override);
  const domain = region.startsWith('cn-') ? 'api.amazonwebservices.com.cn' : 'api.aws';
  return new URL(`https://eks-auth.${region}.${domain}/`);
}

const TIMEOUT_MS = 30_000;

export async function assumeRoleForPodIdentity(
  signing: Signing,
  region: string,
  clusterName: string,
  token: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PodIdentityAnswer> {
  const url = eksAuthEndpoint(region, env);
  const base = url.pathname.replace(/\/$/, '');
  const signer = new SignatureV4({
    credentials: signing.credentials,
    region,
    service: 'eks-auth',
    sha256: signing.sha256,
    uriEscapePath: true,
  });
  const payload = JSON.stringify({ token });
  const request: HttpRequest = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: `${base}/clusters/${encodeURIComponent(clusterName)}/assume-role-for-pod-identity`,
    query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body: payload,
  };
  const signed = await signer.sign(request);
  const response = await fetch(`${url.protocol}//${url.host}${signed.path}`, {
    method: 'POST',
    headers: signed.headers,
    body: payload,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  let parsed: unknown = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    // not JSON (a proxy's page): the status says what happened
  }
  if (response.ok) return parsed as PodIdentityAnswer;
  const body = parsed as Record<string, string | undefined>;
  // restJson1: the code is in x-amzn-errortype (or the body's __type), possibly with ":<uri>" or a namespace.
  const rawCode = response.headers.get('x-amzn-errortype') ?? String(body.__type ?? body.code ?? '');
  const code = rawCode.split(':')[0]!.split('#').pop() || `HTTP ${response.status}`;
  const message = String(body.message ?? body.Message ?? (text.slice(0, 200) || response.statusText));
  throw new EksAuthError(code, message, response.status);
}
