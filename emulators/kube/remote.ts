// Control of a Kubernetes emulator running in another process (jest globalSetup starts one for all test
// files): the same operations as the in-process KubeEmulator, over its /_emulator/ routes.
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from './kubeconfig.js';
import type {
  AwsTarget,
  DenyVerb,
  EksTokenInfo,
  Faults,
  ForbidRule,
  Jwks,
  KubeEmulator,
  KubeObject,
  RequestEntry,
} from './server.js';

/** What tests, the demo and the benchmark use, wherever the server runs. */
export interface KubeControl {
  url: string;
  /** The same server over plain HTTP. */
  httpUrl: string;
  caPem: string;
  kubeconfig(path: string | undefined, opts: { token: string; namespace?: string }): string;
  journal(): Promise<RequestEntry[]>;
  clearJournal(): Promise<void>;
  reset(): Promise<void>;
  setFaults(f: Faults | null): Promise<void>;
  setForbidden(rules: ForbidRule[] | null): Promise<void>;
  /** How long EKS tokens are accepted after they were signed; null: the default (15 minutes). reset() restores it. */
  setEksTokenMaxAge(ms: number | null): Promise<void>;
  seed(obj: KubeObject): Promise<KubeObject>;
  get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(resource: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]>;
  lastEksToken(): Promise<EksTokenInfo | undefined>;
  /** The `iss` of tokens issued for this cluster (requests whose EKS token names it); reset() forgets it. */
  setClusterIssuer(clusterName: string, issuerUrl: string): Promise<void>;
  /** The service-account signing keys (kept across reset()). */
  jwks(): Promise<Jwks>;
  /** Adds 403 rules for these verbs on (sub)resources; reset() clears them. */
  denyVerbs(rules: DenyVerb[]): Promise<void>;
  /** The AWS endpoint the simulated cluster calls (pod identity lookups, the probe pods' exchanges). */
  setAwsEndpoint(aws: AwsTarget | null): Promise<void>;
  /** Images the kubelet cannot pull (besides any naming `does-not-exist`); reset() clears them. */
  setUnpullableImages(images: string[]): Promise<void>;
  /** The node role a pod without injected credentials gets; reset() restores eks-node-role. */
  setNodeRole(roleArn: string): Promise<void>;
  /** Installs or removes the EKS pod identity webhook (installed after reset()). */
  setWebhookInstalled(installed: boolean): Promise<void>;
}

/** The in-process server behind the same promise-based interface. */
export function localControl(k: KubeEmulator): KubeControl {
  return {
    url: k.url,
    httpUrl: k.httpUrl,
    caPem: k.caPem,
    kubeconfig: (path, opts) => k.kubeconfig(path, opts),
    journal: async () => k.journal(),
    clearJournal: async () => k.clearJournal(),
    reset: async () => k.reset(),
    setFaults: async (f) => k.setFaults(f),
    setForbidden: async (r) => k.setForbidden(r),
    setEksTokenMaxAge: async (ms) => k.setEksTokenMaxAge(ms),
    seed: async (o) => k.seed(o),
    get: async (r, ns, n) => k.get(r, ns, n),
    list: async (r, ns, s) => k.list(r, ns, s),
    lastEksToken: async () => k.lastEksToken(),
    setClusterIssuer: async (c, i) => k.setClusterIssuer(c, i),
    jwks: () => k.jwks(),
    denyVerbs: async (r) => k.denyVerbs(r),
    setAwsEndpoint: async (a) => k.setAwsEndpoint(a),
    setUnpullableImages: async (i) => k.setUnpullableImages(i),
    setNodeRole: async (r) => k.setNodeRole(r),
    setWebhookInstalled: async (i) => k.setWebhookInstalled(i),
  };
}

export function connectKubeEmulator(url: string, caPem: string, httpUrl: string): KubeControl {
  let files = 0;
  const call = (method: string, route: string, body?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const req = request(
        `${url}/_emulator/${route}`,
        // agent: false, a connection per call: a pooled keep-alive socket the server closed while this process was
        // blocked (a spawnSync'd aws CLI) is still taken from the pool, and the call fails with ECONNRESET.
        { method, ca: caPem, headers: { 'content-type': 'application/json' }, agent: false },
        (res) => {
          let text = '';
          res
            .setEncoding('utf8')
            .on('data', (d) => (text += d))
            .on('end', () => {
              if ((res.statusCode ?? 500) >= 400)
                reject(new Error(`Kubernetes emulator: ${method} ${route} -> ${res.statusCode} ${text}`));
              else resolve(text ? JSON.parse(text) : undefined);
            });
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  return {
    url,
    httpUrl,
    caPem,
    kubeconfig: (path, opts) =>
      writeKubeconfig(path ?? join(tmpdir(), `kube-emulator-${process.pid}-${files++}.json`), {
        url,
        caData: Buffer.from(caPem).toString('base64'),
        ...opts,
      }),
    journal: async () => (await call('GET', 'journal')) as RequestEntry[],
    clearJournal: async () => void (await call('DELETE', 'journal')),
    reset: async () => void (await call('POST', 'reset')),
    setFaults: async (f) => void (await call('PUT', 'faults', f)),
    setForbidden: async (r) => void (await call('PUT', 'forbid', r)),
    setEksTokenMaxAge: async (ms) => void (await call('PUT', 'eks-token-max-age', { ms })),
    seed: async (o) => (await call('POST', 'seed', o)) as KubeObject,
    get: async (resource, namespace, name) =>
      ((await call('POST', 'get', { resource, namespace, name })) as { object: KubeObject | null }).object ?? undefined,
    list: async (resource, namespace, labelSelector) =>
      (await call('POST', 'list', { resource, namespace, labelSelector })) as KubeObject[],
    lastEksToken: async () => {
      const token = (await call('GET', 'eks-token')) as Partial<EksTokenInfo>;
      return token.url ? (token as EksTokenInfo) : undefined; // the route answers {ok:true} when there is none
    },
    setClusterIssuer: async (clusterName, issuerUrl) =>
      void (await call('PUT', 'cluster-issuer', { clusterName, issuerUrl })),
    jwks: async () => (await call('GET', 'jwks')) as Jwks,
    denyVerbs: async (rules) => void (await call('PUT', 'deny-verbs', rules)),
    setAwsEndpoint: async (target) => void (await call('PUT', 'aws-endpoint', target)),
    setUnpullableImages: async (images) => void (await call('PUT', 'unpullable-images', images)),
    setNodeRole: async (arn) => void (await call('PUT', 'node-role', { arn })),
    setWebhookInstalled: async (installed) => void (await call('PUT', 'webhook', { installed })),
  };
}
