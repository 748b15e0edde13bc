// Cluster access through client-node, the same way on every path: one KubeConfig per run, read from a kubeconfig
// (so every kubeconfig feature works: exec plugins, client certificates, token files, proxies) or built with
// loadFromOptions from DescribeCluster's endpoint and CA and a user whose EKS token is renewed before it expires.
// Every call goes through client-node's API classes; a middleware gives each request a timeout and the run's one
// keep-alive agent. Only public client-node API is used.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import type {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  Middleware,
  RequestContext,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubeAccess } from '../inputs/config.js';
import { RunError } from '../errors.js';
import { delayScale } from '../time.js';

export interface ClusterEndpoint {
  name: string;
  endpoint: string;
  caData: string | undefined;
}

/**
 * A connected cluster: its server (named in messages), client-node's API classes for it, and close() for its
 * connections.
 */
export interface Kube {
  server: string;
  /** How long one request may take before it fails the call. */
  timeoutMs: number;
  core: CoreV1Api;
  apps: AppsV1Api;
  admission: AdmissionregistrationV1Api;
  /** The Content-Type options of each kind of patch. */
  patch: Record<'merge' | 'json' | 'strategic', HeaderOptions>;
  close(): void;
}

type HeaderOptions = ReturnType<typeof setHeaderOptions>;
type KubeLibrary = typeof import('@kubernetes/client-node');

/**
 * client-node is most of the bundle (3.6 of 4.9 MiB): loaded, so compiled, only by a run that talks to a cluster, when
 * it connects. Loading it up front would put its compile before the run's first request; loading it alongside the
 * first requests was measured to hold up their answers by as much as it saves.
 */
const loadKubeLibrary = (): Promise<KubeLibrary> => import('@kubernetes/client-node');

/**
 * A request that gets no answer in this time fails (a hung API server must not hang the run). Test runs shrink it
 * with EKS_POD_IAM_TIME_SCALE, but never below a few seconds: a busy test machine is not a hung server.
 */
const requestTimeoutMs = () => Math.max(5_000, 30_000 * delayScale());

/** The user whose token comes from `token()` on each request (see addAuthenticator). */
const EKS_TOKEN_PROVIDER = 'eks-pod-iam-token';

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

export async function connect(
  access: KubeAccess,
  cluster: ClusterEndpoint | undefined,
  token: (() => Promise<string>) | undefined,
): Promise<Kube> {
  const lib = await loadKubeLibrary();
  const kc = access.kind === 'eks' ? eksConfig(lib, cluster, token) : kubeconfig(lib, access);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new RunError('Input "kubeconfig" has no current context with a cluster server.');
  const timeoutMs = requestTimeoutMs();
  const keepAlive = sharedAgent(kc);
  const perRequest: Middleware = {
    pre: async (context: RequestContext) => {
      const agent = await keepAlive.get();
      if (agent) context.setAgent(agent);
      context.setSignal(AbortSignal.timeout(timeoutMs)); // from here the clock is the API server's alone
      return context;
    },
    post: async (response) => response,
  };
  // What kc.makeApiClient builds (kc authenticates every request), plus the middleware.
  const configuration = lib.createConfiguration({
    baseServer: new lib.ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [perRequest],
  });
  return {
    server,
    timeoutMs,
    core: new lib.CoreV1Api(configuration),
    apps: new lib.AppsV1Api(configuration),
    admission: new lib.AdmissionregistrationV1Api(configuration),
    patch: {
      merge: lib.setHeaderOptions('Content-Type', lib.PatchStrategy.MergePatch),
      json: lib.setHeaderOptions('Content-Type', lib.PatchStrategy.JsonPatch),
      strategic: lib.setHeaderOptions('Content-Type', lib.PatchStrategy.StrategicMergePatch),
    },
    close: keepAlive.close,
  };
}

function eksConfig(
  lib: KubeLibrary,
  cluster: ClusterEndpoint | undefined,
  token: (() => Promise<string>) | undefined,
): KubeConfig {
  if (!cluster?.endpoint)
    throw new Error(
      `Cluster ${cluster?.name ?? ''} has no API endpoint yet; wait until it is ACTIVE, or give a kubeconfig.`,
    );
  if (!token) throw new Error('No EKS token source for the Kubernetes API.');
  const kc = new lib.KubeConfig();
  const authenticator: Authenticator = {
    // client-node types User.authProvider as any, and the WebSocket half of the options union does not resolve
    // (no @types/ws): name the shapes read here.
    isAuthProvider: (user: { authProvider?: { name?: string } }) => user.authProvider?.name === EKS_TOKEN_PROVIDER,
    applyAuthentication: async (_user, opts: RequestOptions) => {
      opts.headers = { ...opts.headers, Authorization: `Bearer ${await token()}` };
    },
  };
  kc.addAuthenticator(authenticator);
  kc.loadFromOptions({
    // client-node needs skipTLSVerify to accept an http:// server at all; there is no TLS to verify there.
    clusters: [
      {
        name: cluster.name,
        server: cluster.endpoint,
        caData: cluster.caData,
        skipTLSVerify: cluster.endpoint.startsWith('http:'),
      },
    ],
    users: [{ name: 'eks-token', authProvider: { name: EKS_TOKEN_PROVIDER } }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'eks-token' }],
    currentContext: cluster.name,
  });
  return kc;
}

function kubeconfig(lib: KubeLibrary, access: Exclude<KubeAccess, { kind: 'eks' }>): KubeConfig {
  const kc = new lib.KubeConfig();
  try {
    if (access.kind === 'kubeconfig-file') kc.loadFromFile(access.path);
    else kc.loadFromString(access.text);
  } catch (e) {
    // The parser's message quotes the surrounding lines, which may hold a token: give the position only.
    const mark = (e as { mark?: { line?: number; column?: number } }).mark;
    const where = mark?.line !== undefined ? ` (line ${mark.line + 1}, column ${(mark.column ?? 0) + 1})` : '';
    throw new RunError(`Input "kubeconfig" is not a valid kubeconfig${where}.`);
  }
  return kc;
}

/**
 * client-node gives every request a new agent, so a new connection and TLS handshake. The TLS material is the
 * same for the whole run (credentials travel in headers), so one keep-alive agent, made from what the public
 * applyToHTTPSOptions yields, serves every request. Through a proxy (cluster proxy-url) client-node's own agent is
 * kept.
 */
function sharedAgent(kc: KubeConfig): { get: () => Promise<HttpAgent | undefined>; close: () => void } {
  const cluster = kc.getCurrentCluster();
  let agent: Promise<HttpAgent | undefined> | undefined;
  const make = async (): Promise<HttpAgent | undefined> => {
    if (!cluster || cluster.proxyUrl) return undefined;
    if (cluster.server.startsWith('http:')) return new HttpAgent({ keepAlive: true });
    const o: RequestOptions = {};
    await kc.applyToHTTPSOptions(o); // the cluster's CA, client certificate and key, server name, skip-verify
    (o.agent as HttpAgent | undefined)?.destroy();
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = o;
    return new HttpsAgent({ keepAlive: true, ca, cert, key, pfx, passphrase, rejectUnauthorized, servername });
  };
  return {
    get: () => {
      if (!agent) {
        const made = make();
        agent = made;
        made.catch(() => {
          // e.g. an exec plugin that failed: the call reports it, a retry asks again
          if (agent === made) agent = undefined;
        });
      }
      return agent;
    },
    close: () =>
      void agent?.then(
        (a) => a?.destroy(),
        () => undefined,
      ),
  };
}
