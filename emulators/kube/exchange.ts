// What `aws sts get-caller-identity` does inside a pod, against the AWS emulator: the credential chain finds the
// environment the EKS webhook injected — web identity (IRSA: STS AssumeRoleWithWebIdentity with the projected token)
// or container credentials (Pod Identity: the node's agent calls EKS Auth AssumeRoleForPodIdentity with the pod's
// token, SigV4 service `eks-auth`) — else the node's instance role; then GetCallerIdentity with those credentials.
// The result is the CLI's output (its JSON, or its one-line error) and exit code.
import { createHash, createHmac } from 'node:crypto';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { KubeObject } from './store.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}
/** Where the simulated cluster's AWS calls go, and the node's credentials. */
export interface AwsTarget {
  endpoint: string;
  credentials: AwsCredentials;
}

type Env = { name: string; value?: string };
type Container = { name: string; command?: string[]; args?: string[]; env?: Env[] };
type Credentials = AwsCredentials & { sessionToken?: string };

/** A container that runs the aws CLI's caller-identity check (directly or in a shell command). */
export const runsCallerIdentity = (c: Container) =>
  /\baws\s+sts\s+get-caller-identity\b/.test([...(c.command ?? []), ...(c.args ?? [])].join(' '));

export interface CliRun {
  log: string;
  exitCode: number;
}

export interface ExchangeContext {
  endpoint: string;
  /** The node's credentials (the Pod Identity agent signs with them). */
  node: AwsCredentials;
  /** The node's instance role, answered when nothing was injected. */
  nodeRoleArn: string;
  clusterName?: string;
  region: string;
  /** The token the kubelet projects into the pod for this audience (pod-bound, the pod's service account). */
  podToken(audience: string, expirationSeconds: number): Promise<string>;
}

class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly operation: string,
  ) {
    super(message);
  }
}

/** Runs the CLI's logic for the container; never throws (an unexpected failure is the CLI's error text). */
export async function callerIdentity(pod: KubeObject, c: Container, ctx: ExchangeContext): Promise<CliRun> {
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']));
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || ctx.region;
  try {
    let credentials: Credentials;
    if (env.AWS_ROLE_ARN && env.AWS_WEB_IDENTITY_TOKEN_FILE) {
      const source = projectedSource(pod, env.AWS_WEB_IDENTITY_TOKEN_FILE);
      credentials = await webIdentity(ctx, region, env.AWS_ROLE_ARN, await ctx.podToken(source.audience, source.exp));
    } else if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI && env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) {
      const source = projectedSource(pod, env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE);
      credentials = await podIdentity(ctx, region, await ctx.podToken(source.audience, source.exp));
    } else return { log: cliJson(nodeIdentity(ctx.nodeRoleArn)), exitCode: 0 };
    const sts = new STSClient({ endpoint: ctx.endpoint, region, credentials, maxAttempts: 1 });
    try {
      const id = await sts.send(new GetCallerIdentityCommand({}));
      return { log: cliJson({ UserId: id.UserId, Account: id.Account, Arn: id.Arn }), exitCode: 0 };
    } catch (e) {
      throw sdkError(e, 'GetCallerIdentity');
    }
  } catch (e) {
    const err = e instanceof AwsError ? e : new AwsError('Unknown', (e as Error).message, 'GetCallerIdentity');
    return {
      log: `\nAn error occurred (${err.code}) when calling the ${err.operation} operation: ${err.message}\n`,
      exitCode: 254,
    };
  }
}

const cliJson = (o: unknown) => `${JSON.stringify(o, null, 4)}\n`;

function nodeIdentity(roleArn: string) {
  const [, , , , account, resource] = roleArn.split(':');
  const role = resource!.split('/').pop();
  const instance = 'i-0123456789abcdef0';
  return {
    UserId: `AROAEMULATORNODEROLE1:${instance}`,
    Account: account,
    Arn: `arn:aws:sts::${account}:assumed-role/${role}/${instance}`,
  };
}

/** The audience and lifetime of the projected token mounted where the file is (the webhook's volume). */
function projectedSource(pod: KubeObject, file: string): { audience: string; exp: number } {
  const dir = file.slice(0, file.lastIndexOf('/'));
  const spec = pod.spec as {
    containers?: { volumeMounts?: { name: string; mountPath: string }[] }[];
    volumes?: {
      name: string;
      projected?: { sources?: { serviceAccountToken?: { audience?: string; expirationSeconds?: number } }[] };
    }[];
  };
  const mount = (spec.containers ?? []).flatMap((c) => c.volumeMounts ?? []).find((m) => m.mountPath === dir);
  const volume = (spec.volumes ?? []).find((v) => v.name === mount?.name);
  const token = volume?.projected?.sources?.find((s) => s.serviceAccountToken)?.serviceAccountToken;
  if (!token) throw new AwsError('InvalidIdentityToken', `Error reading token file ${file}`, 'GetCallerIdentity');
  return { audience: token.audience ?? '', exp: token.expirationSeconds ?? 3600 };
}

async function webIdentity(ctx: ExchangeContext, region: string, roleArn: string, token: string) {
  // The web-identity call is not signed; the SDK still wants credentials configured.
  const sts = new STSClient({ endpoint: ctx.endpoint, region, credentials: ctx.node, maxAttempts: 1 });
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: `botocore-session-${Math.floor(Date.now() / 1000)}`,
        WebIdentityToken: token,
      }),
    );
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  } catch (e) {
    throw sdkError(e, 'AssumeRoleWithWebIdentity');
  }
}

function sdkError(e: unknown, operation: string): AwsError {
  const err = e as { name?: string; Code?: string; message?: string };
  return new AwsError(err.Code ?? err.name ?? 'Unknown', err.message ?? String(e), operation);
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData) =>
  typeof d === 'string'
    ? Buffer.from(d)
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);

/** node:crypto as the Checksum SignatureV4 wants (an HMAC when given a secret). */
class Sha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {}
}

/** What the Pod Identity agent does: POST /clusters/{name}/assume-role-for-pod-identity, SigV4 `eks-auth`. */
async function podIdentity(ctx: ExchangeContext, region: string, token: string): Promise<Credentials> {
  const url = new URL(
    `${ctx.endpoint}/clusters/${encodeURIComponent(ctx.clusterName ?? '')}/assume-role-for-pod-identity`,
  );
  const body = JSON.stringify({ token });
  const signer = new SignatureV4({ service: 'eks-auth', region, credentials: ctx.node, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body });
  const text = await res.text();
  type Answer = { __type?: string; message?: string; Message?: string; credentials?: Credentials };
  let doc: Answer;
  try {
    doc = JSON.parse(text) as Answer;
  } catch {
    doc = { message: text };
  }
  if (!res.ok) {
    const type = res.headers.get('x-amzn-errortype') ?? doc.__type ?? 'Unknown';
    const code = type.split(':')[0]!.split('#').pop()!;
    throw new AwsError(code, doc.message ?? doc.Message ?? text, 'AssumeRoleForPodIdentity');
  }
  const c = doc.credentials!;
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
}
