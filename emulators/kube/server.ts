// A small fake Kubernetes API server over HTTPS for tests: discovery, Namespaces, ServiceAccounts, Pods,
// apps/v1 Deployments/ReplicaSets/StatefulSets/DaemonSets and MutatingWebhookConfigurations, with
// get/list/watch/create/update/patch/delete, bearer-token checks (static or EKS-shaped), 403 rules, a request journal
// and fault injection.
// Standalone: `npx tsx emulators/kube/server.ts --port 6443 [--token T|eks] [--user U] [--kubeconfig FILE]`;
// then e.g. `curl -k -X PUT https://127.0.0.1:6443/_emulator/faults -d '{"conflictRate":1}'` (see control()).
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { writeKubeconfig } from './kubeconfig.js';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defForObject, discovery, handle, parseBody, requestInfo, type RequestInfo } from './api.js';
import { parseEksToken, makeEksToken, type EksTokenInfo } from './auth.js';
import { installControllers } from './controllers.js';
import {
  KubeError,
  conflict,
  forbidden,
  internalError,
  methodNotAllowed,
  serviceUnavailable,
  unauthorized,
} from './errors.js';
import { POD_IDENTITY_WEBHOOK, RESOURCES, findResource } from './resources.js';
import { Store, clone, type KubeObject } from './store.js';
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './tables.js';
import { review } from './reviews.js';
import { Clusters } from './clusters.js';
import type { AwsTarget } from './exchange.js';
import { Kubelet } from './kubelet.js';
import { jwksOf, openidConfiguration, signingKey, tokenRequest, type Jwks } from './tokens.js';
import { makeCerts } from './tls.js';
import type { WebhookOptions } from './webhook.js';
import { Watches } from './watch.js';

export type { KubeObject } from './store.js';
export type { Jwks } from './tokens.js';
export type { AwsCredentials, AwsTarget } from './exchange.js';
export { makeEksToken, parseEksToken, type EksTokenInfo, type EksTokenOptions } from './auth.js';

export interface KubeEmulatorOptions {
  port?: number;
  /** undefined: any or no token is accepted; a string: exactly that bearer token; 'eks': only EKS-shaped tokens. */
  token?: string;
  /** With token 'eks': also verify the SigV4 signature (and so the signed cluster name) with this secret key. */
  eksVerify?: { secretAccessKey: string; clusterName: string };
  /** With token 'eks': how long after it was signed a token is accepted (default 15 minutes, as EKS). */
  eksTokenMaxAgeMs?: number;
  /** User name in 403 messages. */
  user?: string;
  forbid?: ForbidRule[];
  /** EKS mutating webhook (IRSA/Pod Identity environment injection into new pods). */
  webhook?: WebhookOptions;
  /** Every API request is answered this much later (others are served meanwhile). Default: the `kube=` entry of
   *  env EMULATOR_LATENCY_MS ("iam=90,eks=60,sts=40,kube=15"), else 0 (tests stay fast). reset() keeps it. */
  latencyMs?: number;
}

/** The `kube=` entry of EMULATOR_LATENCY_MS, in ms (0 when absent). */
export function latencyFromEnv(text = process.env.EMULATOR_LATENCY_MS ?? ''): number {
  const ms = Number(/(?:^|,)\s*kube\s*=\s*([^,]*)/i.exec(text)?.[1] ?? 0);
  if (!Number.isFinite(ms) || ms < 0)
    throw new Error(`EMULATOR_LATENCY_MS: the kube entry must be milliseconds (${text})`);
  return ms;
}

/** CLOCK_MONOTONIC in ms (the AWS emulator's journal uses the same clock, time.monotonic_ns). */
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** A request matching every given field is answered with 403 Forbidden (authorization is checked after authentication),
 *  or with `code: 401` as EKS answers a valid token whose IAM principal has no access entry (401 Unauthorized). */
export interface ForbidRule {
  verbs?: string[];
  /** As RBAC names them: "pods" does not cover its subresources, "serviceaccounts/token" and "pods/log" name them. */
  resources?: string[];
  namespaces?: string[];
  names?: string[];
  token?: string;
  code?: 401 | 403;
}

export interface Faults {
  /** Share of update/patch/delete requests answered 409 Conflict (the write is not applied). */
  conflictRate?: number;
  /** Share of resource requests answered 500 InternalError or 503 ServiceUnavailable (not applied). */
  errorRate?: number;
  delayMs?: number;
  /** Share of requests delayed by delayMs (default 1 when delayMs is set). */
  delayRate?: number;
  seed?: number;
  /** Restrict faults to these Kubernetes verbs / resources. */
  verbs?: string[];
  resources?: string[];
}

export interface RequestEntry {
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string;
  status: number;
  verb: string;
  isWrite: boolean;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  body?: unknown;
  fault?: 'conflict' | 'error' | 'delay';
  /** Which TCP connection carried the request (numbered from 1): keep-alive shows as several requests on one. */
  connection: number;
  /** A fingerprint of the bearer token (never the token), when one was sent. */
  token?: string;
  /** An EKS token's X-Amz-Date (accepted or not). */
  tokenSignedAt?: string;
  /** Why the token was refused (401). */
  authError?: string;
  /** Arrival and answer (headers sent; for a watch: when it was accepted), monotonic ms; latency included. */
  start: number;
  end?: number;
}

export interface KubeEmulator {
  url: string;
  port: number;
  caPem: string;
  caData: string;
  token?: string;
  /** The same API server without TLS (a cluster endpoint given as http://, as some proxies and local clusters are). */
  httpUrl: string;
  kubeconfig(path?: string, opts?: { token?: string; namespace?: string }): string;
  journal(): RequestEntry[];
  clearJournal(): void;
  /** Back to a fresh cluster (default namespaces and service accounts); journal, faults and 403 rules are cleared. */
  reset(): void;
  setFaults(f: Faults | null): void;
  setForbidden(rules: ForbidRule[] | null): void;
  /** How long EKS tokens are accepted after they were signed; null: back to the default (15 minutes). */
  setEksTokenMaxAge(ms: number | null): void;
  /** Per-request latency in ms (0 = none). */
  setLatency(ms: number): void;
  seed(obj: KubeObject): KubeObject;
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string, labelSelector?: string): KubeObject[];
  /** The last EKS token accepted (token mode 'eks'). */
  lastEksToken(): EksTokenInfo | undefined;
  /** The service-account issuer of a cluster (DescribeCluster's identity.oidc.issuer): the `iss` of the tokens issued
   *  to requests whose EKS token names that cluster. reset() forgets them. */
  setClusterIssuer(clusterName: string, issuerUrl: string): void;
  /** The public keys of the service-account token signer (kept across reset()). */
  jwks(): Promise<Jwks>;
  /** Adds 403 rules, as a role lacking these permissions gets: e.g. {verb: 'create', resource: 'serviceaccounts',
   *  subresource: 'token'}. reset() and setForbidden(null) clear them. */
  denyVerbs(rules: DenyVerb[]): void;
  /** Where the simulated cluster's AWS calls go (the AWS emulator), with the credentials of the node and of the
   *  clients whose EKS tokens name a cluster (their secret key checks which cluster name a token signed). */
  setAwsEndpoint(aws: AwsTarget | null): void;
  /** Images the kubelet cannot pull (besides any naming `does-not-exist`): ErrImagePull, then ImagePullBackOff. */
  setUnpullableImages(images: string[]): void;
  /** The node's instance role, what `aws sts get-caller-identity` answers in a pod given no credentials
   *  (default arn:aws:iam::123456789012:role/eks-node-role). */
  setNodeRole(roleArn: string): void;
  /** Whether the EKS pod identity webhook (MutatingWebhookConfiguration pod-identity-webhook) is installed: without
   *  it nothing is injected into new pods. Installed by default and after reset(). */
  setWebhookInstalled(installed: boolean): void;
  stop(): Promise<void>;
}

export interface DenyVerb {
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REVIEW_PATH =
  /^\/apis\/(?:authentication|authorization)\.k8s\.io\/v1\/(selfsubjectreviews|selfsubjectaccessreviews)$/;

/** Request bodies as JSON for assertions (patches included; protobuf decoded); text when not parseable. */
function journalBody(raw: Buffer, contentType: string): unknown {
  try {
    return contentType.includes('protobuf') ? parseBody(raw, contentType) : JSON.parse(raw.toString('utf8'));
  } catch {
    return raw.toString('utf8');
  }
}

/** mulberry32: small seeded RNG so fault sequences repeat. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves "sa", "deploy", "ServiceAccount", "serviceaccounts" to a resource definition. */
function resolve(name: string) {
  const n = name.toLowerCase();
  const def = RESOURCES.find(
    (r) => r.resource === n || r.singular === n || r.kind.toLowerCase() === n || r.shortNames?.includes(n),
  );
  if (!def) throw new Error(`unknown resource ${name}`);
  return def;
}

export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const key = signingKey();
  key.catch(() => {}); // awaited where used
  const certs = await makeCerts();
  const store = new Store();
  const aws: { target: AwsTarget | null } = { target: null };
  const kubelet = new Kubelet({ store, key: () => key, aws: () => aws.target });
  // The EKS webhook: Pod Identity when the AWS emulator has an association (looked up before each pod create).
  const webhook: WebhookOptions = {
    podIdentity: (ns, sa) => (opts.webhook?.podIdentity?.(ns, sa) ?? false) || kubelet.podIdentity(ns, sa),
    get region() {
      return opts.webhook?.region ?? kubelet.region();
    },
  };
  installControllers(store, webhook, kubelet);
  const watches = new Watches(store);
  let journal: RequestEntry[] = [];
  let faults: Faults | null = null;
  let random = Math.random;
  let forbid = opts.forbid ?? [];
  let lastEks: EksTokenInfo | undefined;
  let eksMaxAgeMs = opts.eksTokenMaxAgeMs;
  const connectionIds = new WeakMap<Socket, number>();
  let connections = 0;
  let latencyMs = opts.latencyMs ?? latencyFromEnv();
  const user = opts.user ?? 'kubernetes-admin';
  const sockets = new Set<Socket>();
  const clusters = new Clusters();
  clusters.addSecretKey(opts.eksVerify?.secretAccessKey);

  const bootstrap = () => {
    store.clear();
    const nsDef = findResource('', 'namespaces')!;
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      store.put(nsDef, {
        metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    store.put(findResource('admissionregistration.k8s.io', 'mutatingwebhookconfigurations')!, POD_IDENTITY_WEBHOOK);
  };
  bootstrap();

  /** Returns the token when the request is authenticated, null when it must get 401. */
  function authenticate(req: IncomingMessage, entry: RequestEntry): { token?: string } | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = m?.[1];
    if (token) entry.token = createHash('sha256').update(token).digest('hex').slice(0, 16);
    if (opts.token === undefined) return token ? { token } : {};
    if (!token) return null;
    if (opts.token !== 'eks') return token === opts.token ? { token } : null;
    const info = parseEksToken(token, {
      ...opts.eksVerify,
      ...(eksMaxAgeMs !== undefined ? { maxAgeMs: eksMaxAgeMs } : {}),
    });
    if ('error' in info) {
      entry.authError = info.error;
      return null;
    }
    entry.tokenSignedAt = info.date.toISOString();
    lastEks = info;
    return { token };
  }

  /** resource: "pods", or "serviceaccounts/token" for a subresource, as RBAC matches them. */
  type Attrs = { verb: string; resource: string; namespace?: string; name?: string };
  const rbacResource = (i: RequestInfo) => (i.subresource ? `${i.def!.resource}/${i.subresource}` : i.def!.resource);
  const isForbidden = (a: Attrs, token?: string, code = 403) =>
    forbid.some(
      (r) =>
        (r.code ?? 403) === code &&
        (!r.verbs || r.verbs.includes(a.verb)) &&
        (!r.resources || r.resources.includes(a.resource)) &&
        (!r.namespaces || r.namespaces.includes(a.namespace ?? '')) &&
        (!r.names || r.names.includes(a.name ?? '')) &&
        (!r.token || r.token === token),
    );

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = nowMs();
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const contentType = String(req.headers['content-type'] ?? '');
    if (url.pathname.startsWith('/_emulator/'))
      return control(url.pathname.slice('/_emulator/'.length), method, raw, res);
    if (latencyMs) await new Promise((r) => setTimeout(r, latencyMs)); // a timer: other requests are served meanwhile
    const info = requestInfo(method, url.pathname, url.searchParams);
    const reviewOf = REVIEW_PATH.exec(url.pathname)?.[1];
    const entry: RequestEntry = {
      time: new Date().toISOString(),
      start,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType,
      // Access reviews and server-side dry runs change nothing, so they are not counted as writes.
      status: 0,
      verb: info.verb,
      // A TokenRequest stores nothing either.
      isWrite:
        WRITE.has(method) &&
        !reviewOf &&
        info.subresource !== 'token' &&
        !url.searchParams.getAll('dryRun').includes('All'),
      ...(info.def ? { resource: info.def.resource } : {}),
      ...(info.namespace ? { namespace: info.namespace } : {}),
      ...(info.name ? { name: info.name } : {}),
      ...(info.subresource ? { subresource: info.subresource } : {}),
      connection: connectionIds.get(req.socket) ?? 0,
    };
    if (raw.length) entry.body = journalBody(raw, contentType);
    journal.push(entry);
    const send = (status: number, body: unknown, type = 'application/json') => {
      entry.status = status;
      entry.end = nowMs();
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-cache, private',
      });
      res.end(text);
    };
    try {
      const auth = authenticate(req, entry);
      if (
        !auth ||
        isForbidden(
          { verb: info.verb, resource: info.def ? rbacResource(info) : '', namespace: info.namespace, name: info.name },
          auth.token,
          401,
        )
      )
        throw unauthorized();
      if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) return send(200, 'ok', 'text/plain; charset=utf-8');
      const doc = discovery(url.pathname, `127.0.0.1:${port}`);
      if (doc) return send(doc.status, doc.body);
      const issuer = () => clusters.of(auth.token).issuer; // the cluster the request's EKS token names
      if (method === 'GET' && url.pathname === '/openid/v1/jwks')
        return send(200, jwksOf(await key), 'application/jwk-set+json');
      if (method === 'GET' && url.pathname === '/.well-known/openid-configuration')
        return send(200, openidConfiguration(issuer(), `${issuer()}/openid/v1/jwks`));
      // e.g. /openapi/v2: kubectl copes
      if (!info.isResource) return send(404, '404 page not found\n', 'text/plain; charset=utf-8');
      if (reviewOf) {
        const out = review(reviewOf, method, raw.length ? parseBody(raw, contentType) : {}, {
          user,
          ...(opts.token === 'eks' && lastEks ? { eks: lastEks } : {}),
          allowed: (a) => !isForbidden(a, auth.token),
        });
        return send(out.status, out.body);
      }
      if (info.def && isForbidden({ ...info, resource: rbacResource(info) }, auth.token))
        throw forbidden(user, info.verb, rbacResource(info), info.def.group, info.namespace, info.name);
      await injectFaults(info, entry);
      if (info.def?.resource === 'serviceaccounts' && info.subresource === 'token' && info.name) {
        if (method !== 'POST') throw methodNotAllowed();
        const body = raw.length ? parseBody(raw, contentType) : {};
        const out = tokenRequest(store, await key, issuer(), info.namespace!, info.name, body);
        return send(out.status, out.body);
      }
      if (info.verb === 'watch' && info.def) {
        entry.status = 200;
        entry.end = nowMs();
        return watches.serve(info, url.searchParams, res, wantsTable(req.headers.accept));
      }
      if (info.def?.resource === 'pods' && info.subresource === 'log' && info.name) {
        if (method !== 'GET') throw methodNotAllowed();
        const text = kubelet.log(info.namespace!, info.name, url.searchParams.get('container'));
        return send(200, text, 'text/plain');
      }
      const podCreate = info.def?.resource === 'pods' && info.verb === 'create' && !info.subresource;
      if (podCreate)
        await kubelet.beforeCreate(clusters.of(auth.token), info.namespace ?? '', parseBody(raw, contentType));
      let out: { status: number; body: unknown };
      try {
        out = handle(store, info, method, url.searchParams, raw, contentType);
      } finally {
        if (podCreate) kubelet.afterCreate();
      }
      if ((info.verb === 'get' || info.verb === 'list') && wantsTable(req.headers.accept))
        return send(
          out.status,
          toTable(info.def!.resource, out.body, url.searchParams.get('includeObject')),
          TABLE_CONTENT_TYPE,
        );
      send(out.status, out.body);
    } catch (e) {
      if (res.headersSent) return void res.destroy();
      if (e instanceof KubeError) return send(e.code, e.status);
      send(500, internalError((e as Error).message).status);
    }
  }

  /** Control routes for shell use of the standalone server (no auth, not journaled; no real apiserver path starts so):
   *  GET journal | GET eks-token | POST reset | PUT faults | PUT forbid | PUT eks-token-max-age | POST seed |
   *  PUT latency {"ms": 15} | PUT cluster-issuer {"clusterName","issuerUrl"} | GET jwks | PUT deny-verbs [..] |
   *  PUT aws-endpoint {"endpoint","credentials":{"accessKeyId","secretAccessKey"}}. */
  async function control(route: string, method: string, raw: Buffer, res: ServerResponse): Promise<void> {
    let body: unknown = null;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : null;
    } catch {
      return void res.writeHead(400).end('{"error":"body is not JSON"}');
    }
    const routes: Record<string, () => unknown> = {
      'GET journal': () => emulator.journal(),
      'GET eks-token': () => lastEks ?? null,
      'POST reset': () => emulator.reset(),
      'PUT faults': () => emulator.setFaults(body as Faults | null),
      'PUT forbid': () => emulator.setForbidden(body as ForbidRule[] | null),
      'PUT eks-token-max-age': () => emulator.setEksTokenMaxAge((body as { ms?: number | null } | null)?.ms ?? null),
      'POST seed': () => emulator.seed(body as KubeObject),
      'DELETE journal': () => emulator.clearJournal(),
      'PUT cluster-issuer': () => {
        const b = body as { clusterName: string; issuerUrl: string };
        emulator.setClusterIssuer(b.clusterName, b.issuerUrl);
      },
      'GET jwks': () => emulator.jwks(),
      'PUT deny-verbs': () => emulator.denyVerbs(body as DenyVerb[]),
      'PUT unpullable-images': () => emulator.setUnpullableImages(body as string[]),
      'PUT node-role': () => emulator.setNodeRole((body as { arn: string }).arn),
      'PUT webhook': () => emulator.setWebhookInstalled((body as { installed: boolean }).installed),
      'PUT aws-endpoint': () => {
        emulator.setAwsEndpoint(body as AwsTarget | null);
      },
      'PUT latency': () => {
        emulator.setLatency(Number((body as { ms?: number } | null)?.ms ?? 0));
        return { ms: latencyMs };
      },
      // Reads for a test process that shares this server (started by jest globalSetup in another process).
      'POST get': () => {
        const b = body as { resource: string; namespace?: string; name: string };
        return { object: emulator.get(b.resource, b.namespace, b.name) ?? null };
      },
      'POST list': () => {
        const b = body as { resource: string; namespace?: string; labelSelector?: string };
        return emulator.list(b.resource, b.namespace, b.labelSelector);
      },
    };
    const fn = routes[`${method} ${route}`];
    const out = fn ? JSON.stringify((await fn()) ?? { ok: true }) : '{"error":"unknown control route"}';
    res.writeHead(fn ? 200 : 404, { 'Content-Type': 'application/json' }).end(out);
  }

  async function injectFaults(info: RequestInfo, entry: RequestEntry): Promise<void> {
    if (!faults || !info.def) return;
    if (faults.verbs && !faults.verbs.includes(info.verb)) return;
    if (faults.resources && !faults.resources.includes(info.def.resource)) return;
    if (faults.delayMs && random() < (faults.delayRate ?? 1)) {
      entry.fault = 'delay';
      await new Promise((r) => setTimeout(r, faults!.delayMs));
    }
    if (faults.errorRate && random() < faults.errorRate) {
      entry.fault = 'error';
      throw random() < 0.5 ? internalError('etcdserver: request timed out') : serviceUnavailable();
    }
    if (
      faults.conflictRate &&
      ['update', 'patch', 'delete'].includes(info.verb) &&
      info.name &&
      random() < faults.conflictRate
    ) {
      entry.fault = 'conflict';
      throw conflict(info.def.resource, info.def.group, info.name);
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch(() => res.destroy()); // e.g. the client went away mid-request
  };
  const track = (s: Socket) => {
    sockets.add(s);
    connectionIds.set(s, ++connections);
    s.on('close', () => sockets.delete(s));
  };
  // The same API over HTTPS and over plain HTTP (a cluster endpoint given as http://).
  const server: Server = createServer({ key: certs.keyPem, cert: certs.certPem }, onRequest).on(
    'secureConnection',
    track,
  );
  const plain: HttpServer = createHttpServer(onRequest).on('connection', track);
  const listen = (srv: Server | HttpServer, at: number) =>
    new Promise<number>((resolveP, reject) => {
      srv.once('error', reject);
      srv.listen(at, '127.0.0.1', () => resolveP((srv.address() as { port: number }).port));
    });
  let port: number, httpPort: number;
  try {
    [port, httpPort] = await Promise.all([listen(server, opts.port ?? 0), listen(plain, 0)]);
  } catch (e) {
    for (const srv of [server, plain]) if (srv.listening) srv.close();
    await certs.cleanup(); // e.g. EADDRINUSE: leave no temp dir
    throw e;
  }
  const url = `https://127.0.0.1:${port}`;
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const caData = Buffer.from(certs.caPem).toString('base64');

  const emulator: KubeEmulator = {
    url,
    httpUrl,
    port,
    caPem: certs.caPem,
    caData,
    ...(opts.token ? { token: opts.token } : {}),
    kubeconfig(path = join(certs.dir, 'kubeconfig'), o = {}) {
      const token =
        o.token ??
        (opts.token === 'eks'
          ? makeEksToken({
              clusterName: opts.eksVerify?.clusterName ?? 'emulator',
              ...(opts.eksVerify ? { secretAccessKey: opts.eksVerify.secretAccessKey } : {}),
            })
          : (opts.token ?? 'emulator-token'));
      return writeKubeconfig(path, { url, caData, token, namespace: o.namespace });
    },
    journal: () => structuredClone(journal),
    clearJournal: () => {
      journal = [];
    },
    reset: () => {
      bootstrap();
      journal = [];
      faults = null;
      forbid = opts.forbid ?? [];
      lastEks = undefined;
      eksMaxAgeMs = opts.eksTokenMaxAgeMs;
      clusters.clear();
      kubelet.reset();
    },
    setFaults: (f) => {
      faults = f;
      random = f?.seed !== undefined ? rng(f.seed) : Math.random;
    },
    setForbidden: (rules) => {
      forbid = rules ?? [];
    },
    setEksTokenMaxAge: (ms) => {
      eksMaxAgeMs = ms ?? opts.eksTokenMaxAgeMs;
    },
    setLatency: (ms) => {
      latencyMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
    },
    seed: (obj) => clone(store.put(defForObject(obj), obj)),
    get: (resource, ns, name) => clone(store.get(resolve(resource), ns, name)),
    list: (resource, ns, labelSelector) =>
      clone(store.list(resolve(resource), ns, { labelSelector: labelSelector ?? null }).items),
    lastEksToken: () => lastEks,
    setClusterIssuer: (clusterName, issuerUrl) => clusters.setIssuer(clusterName, issuerUrl),
    jwks: async () => jwksOf(await key),
    setUnpullableImages: (images) => {
      kubelet.unpullable = [...images];
    },
    setNodeRole: (roleArn) => {
      kubelet.nodeRoleArn = roleArn;
    },
    setWebhookInstalled: (installed) => {
      const mwc = findResource('admissionregistration.k8s.io', 'mutatingwebhookconfigurations')!;
      if (installed) store.put(mwc, POD_IDENTITY_WEBHOOK);
      else store.remove(mwc, POD_IDENTITY_WEBHOOK);
    },
    setAwsEndpoint: (target) => {
      aws.target = target;
      clusters.addSecretKey(target?.credentials.secretAccessKey);
    },
    denyVerbs: (rules) => {
      forbid = [
        ...forbid,
        ...rules.map((r) => ({
          verbs: [r.verb],
          resources: [r.subresource ? `${r.resource}/${r.subresource}` : r.resource],
          ...(r.namespace ? { namespaces: [r.namespace] } : {}),
        })),
      ];
    },
    async stop() {
      kubelet.reset();
      watches.closeAll();
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => server.close(() => r())),
        new Promise<void>((r) => plain.close(() => r())),
      ]);
      await certs.cleanup();
    },
  };
  return emulator;
}

// Standalone mode for shells: prints one ready line, writes a kubeconfig, stops on SIGINT/SIGTERM.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (n: string) => {
    const i = process.argv.indexOf(`--${n}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const token = arg('token');
  const user = arg('user');
  const emu = await startKubeEmulator({
    port: Number(arg('port') ?? 0),
    ...(token ? { token } : {}),
    ...(user ? { user } : {}),
  });
  const kubeconfig = emu.kubeconfig(arg('kubeconfig') ?? join(process.cwd(), '.emulators', `kubeconfig-${emu.port}`));
  console.log(`kube-emulator ready url=${emu.url} kubeconfig=${kubeconfig}`);
  const stop = () => {
    rmSync(kubeconfig, { force: true });
    void emu.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
