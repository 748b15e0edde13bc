// Local AWS emulator (moto_server + moto_ext.py, see serve.py) for tests, the demo and the benchmark.
// jest globalSetup starts one and publishes its endpoint in AWS_EMULATOR_ENV; tests connect to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const AWS_EMULATOR_ENV = 'AWS_EMULATOR_ENDPOINT';
/** Any credentials work; these map to moto's default account 123456789012. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
export const EMULATOR_ACCOUNT = '123456789012';

export interface JournalEntry {
  service: string; // 'iam' | 'eks' | 'sts' | ... (from the SigV4 scope)
  operation: string; // API operation name, e.g. 'CreateRole'
  method: string;
  path: string;
  status: number;
  region: string;
  fault?: 'throttle' | 'error'; // set when the fault switch (or the IAM write rate limit) answered instead of moto
  start: number; // arrival, monotonic ms (CLOCK_MONOTONIC: comparable with process.hrtime and the Kubernetes journal)
  end: number; // answer, monotonic ms (injected latency included)
}

/**
 * Per-service latency in ms, e.g. { iam: 90, eks: 60, sts: 40 } (real-AWS-like); {} = none. `eks-auth` takes the
 * `eks` figure unless it has its own.
 */
export type Latency = Record<string, number>;

export interface Faults {
  throttleRate?: number; // 0..1: IAM/STS `Throttling` 400, EKS `ThrottlingException` 429
  errorRate?: number; // 0..1: 500 InternalFailure/ServerException (or 503, see errorStatus)
  errorStatus?: 500 | 503;
  delayMs?: number;
  delayRate?: number; // 0..1, default 1 when delayMs is set
  services?: string[]; // only these services (default all)
  operations?: string[]; // only these operations (default all)
  seed?: number; // RNG seed (default 0): the same calls get the same faults
}

export interface AddonIssue {
  code: string;
  message: string;
  resourceIds: string[];
}
export interface AddonBehaviour {
  /** The first N DescribeAddon reads see CREATING/UPDATING (default 2; 0 = CreateAddon answers the outcome). */
  readsUntilActive?: number;
  /**
   * When > 0, replaces readsUntilActive: CREATING/UPDATING until this many seconds after CreateAddon/UpdateAddon
   * (0 switches back).
   */
  secondsUntilActive?: number;
  outcome?: 'ACTIVE' | 'CREATE_FAILED' | 'DEGRADED';
  issues?: AddonIssue[]; // health issues for CREATE_FAILED/DEGRADED (a default one otherwise)
  addonName?: string; // only for this add-on name (default: all add-ons)
}

export interface EmulatedCluster {
  name: string;
  arn: string;
  endpoint: string;
  status: string;
  version: string;
  identity: { oidc: { issuer: string } };
  certificateAuthority: { data: string };
  [key: string]: unknown;
}

export interface OwnedAssociationInput {
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  ownerArn: string;
  region?: string;
}

/** Public keys of the service-account token issuer, as `/openid/v1/jwks` serves them (RSA: kty, kid, n, e). */
export interface ServiceAccountKeys {
  keys: readonly object[];
}

/** A Pod Identity association as the credential exchanges see it now (propagation delay applied). */
export interface EffectiveAssociation {
  associationId: string;
  associationArn: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn: string | null;
  externalId: string | null;
  disableSessionTags: boolean;
  policy: string | null;
}

export interface AwsEmulator {
  endpoint: string; // http://127.0.0.1:PORT
  port: number;
  pid?: number; // of the python process, when started by startAwsEmulator
  /** SDK client config: `new EKSClient(emu.clientConfig('eu-west-1'))`. */
  clientConfig(region?: string): { endpoint: string; region: string; credentials: typeof EMULATOR_CREDENTIALS };
  /**
   * moto's reset plus ours: journal, faults, behaviours, endpoints, quota, denied operations, pod-bound tokens,
   * latency, rate limit and propagation delay (to their env defaults). The service-account keys stay.
   */
  reset(): Promise<void>;
  journal(): Promise<JournalEntry[]>;
  clearJournal(): Promise<void>;
  setFaults(faults: Faults): Promise<void>; // {} switches faults off
  /** Delay every request of a service before it is answered (others are served meanwhile). Default: env
   *  EMULATOR_LATENCY_MS ("iam=90,eks=60,sts=40"), else none; reset() goes back to that default. */
  setLatency(latency: Latency): Promise<void>;
  /** IAM mutating calls beyond n in any 1 s window are answered `Throttling` (400), as IAM does; 0 = off.
   *  Default: env EMULATOR_IAM_WRITES_PER_SECOND, else off; reset() goes back to that default. */
  setIamWriteRateLimit(writesPerSecond: number): Promise<void>;
  /** Point DescribeCluster's endpoint/CA at a local API server: all clusters, or one by name. null clears. */
  setClusterEndpoint(
    target: { endpoint: string; caPem?: string; caData?: string } | null,
    clusterName?: string,
  ): Promise<void>;
  setAddonBehaviour(behaviour: AddonBehaviour): Promise<void>;
  /** The next n Create/UpdatePodIdentityAssociation calls fail as EKS does before IAM has propagated a new role. */
  failNextAssociationWrites(n: number): Promise<void>;
  /** EKS checks the role exists and trusts pods.eks.amazonaws.com (default on). */
  setRoleValidation(enabled: boolean): Promise<void>;
  /** GetAccountSummary's AssumeRolePolicySizeQuota, also enforced by CreateRole/UpdateAssumeRolePolicy. */
  setAssumeRolePolicySizeQuota(bytes: number): Promise<void>;
  /**
   * The account's regions. `enabled`: the regions enabled (Account ListRegions says ENABLED_BY_DEFAULT or ENABLED,
   * every other region DISABLED; any call signed for a disabled region but IAM's and Account's answers 403
   * UnrecognizedClientException, InvalidClientTokenId for STS); null = the 17 regions enabled by default (the
   * default). `refused`: regions whose EKS calls answer 403 AccessDeniedException (credentials without access
   * there). reset() restores both.
   */
  setRegions(regions: { enabled?: string[] | null; refused?: string[] }): Promise<void>;
  /** An association owned by an add-on (ownerArn set), which the EKS API cannot create. */
  createOwnedAssociation(input: OwnedAssociationInput): Promise<Record<string, unknown>>;
  /**
   * EKS CreateCluster (not journaled, no faults); `extra` adds request fields, e.g.
   * `{ computeConfig: { enabled: true } }` (Auto Mode).
   */
  createCluster(name: string, region?: string, extra?: Record<string, unknown>): Promise<EmulatedCluster>;
  /**
   * The keys EKS Auth AssumeRoleForPodIdentity and STS AssumeRoleWithWebIdentity verify service-account tokens
   * (RS256 JWTs) with: the Kubernetes emulator's JWKS (KubeControl.jwks()). Replaces the previous set; reset()
   * keeps them (they belong to the wiring, like the cluster endpoint's API server).
   */
  setServiceAccountKeys(jwks: ServiceAccountKeys): Promise<void>;
  /**
   * A trust policy change (CreateRole, UpdateAssumeRolePolicy, DeleteRole) or a Pod Identity association create/
   * update/delete takes effect for the credential exchanges only `seconds` after it was made; until then they
   * evaluate the previous state (the IAM/EKS read APIs show the change at once). 0 = at once. Default: env
   * EMULATOR_PROPAGATION_SECONDS, else 0; reset() goes back to that default.
   */
  setPropagationDelay(seconds: number): Promise<void>;
  /**
   * These operations are answered AccessDenied(Exception) naming the action, as when the caller's policies lack
   * it: names like 'AssumeRoleForPodIdentity' or 'eks-auth:AssumeRoleForPodIdentity'. [] (and reset()) = none.
   */
  denyOperations(operations: string[]): Promise<void>;
  /**
   * EKS Auth refuses a token not bound to a pod (no `kubernetes.io.pod` claim) with InvalidTokenException, as AWS
   * does. Default off (any token of the service account is exchanged); reset() turns it off.
   */
  requirePodBoundTokens(required: boolean): Promise<void>;
  /** The association of a service account as the exchanges see it now (null: none in effect). */
  effectiveAssociation(input: {
    clusterName: string;
    namespace: string;
    serviceAccount: string;
    region?: string;
  }): Promise<EffectiveAssociation | null>;
  /** Kills the emulator started by startAwsEmulator; a no-op for connectAwsEmulator. */
  stop(): Promise<void>;
}

/** Mutating = anything that is not a Get/List/Describe call. */
export function isMutating(operation: string): boolean {
  return !/^(Get|List|Describe)/.test(operation);
}

// Setup calls from this module carry this header: the journal and the fault switch ignore them.
const UNJOURNALED = { 'x-emulator-unjournaled': '1' };

async function call(
  endpoint: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await fetch(endpoint + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`AWS emulator: ${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The API for an emulator started elsewhere (e.g. by jest globalSetup, endpoint in AWS_EMULATOR_ENV). */
export function connectAwsEmulator(endpoint: string): AwsEmulator {
  return emulatorApi(endpoint, async () => {});
}

function emulatorApi(endpoint: string, stop: () => Promise<void>, pid?: number): AwsEmulator {
  const base = endpoint.replace(/\/+$/, '');
  const control = (method: string, route: string, body?: unknown) => call(base, method, `/_emulator/${route}`, body);
  return {
    endpoint: base,
    port: Number(new URL(base).port),
    pid,
    clientConfig: (region = 'us-east-1') => ({ endpoint: base, region, credentials: EMULATOR_CREDENTIALS }),
    reset: async () => void (await call(base, 'POST', '/moto-api/reset')),
    journal: async () => (await control('GET', 'journal')) as JournalEntry[],
    clearJournal: async () => void (await control('DELETE', 'journal')),
    setFaults: async (faults) => void (await control('POST', 'faults', faults)),
    setLatency: async (latency) => void (await control('POST', 'latency', latency)),
    setIamWriteRateLimit: async (writesPerSecond) =>
      void (await control('POST', 'iam-rate-limit', { writesPerSecond })),
    setClusterEndpoint: async (target, clusterName) => {
      const caData = target?.caData ?? (target?.caPem ? Buffer.from(target.caPem).toString('base64') : '');
      await control('POST', 'cluster-endpoint', { endpoint: target?.endpoint ?? null, caData, clusterName });
    },
    setAddonBehaviour: async (behaviour) => void (await control('POST', 'addon-behaviour', behaviour)),
    failNextAssociationWrites: async (n) => void (await control('POST', 'iam-propagation', { failNext: n })),
    setRoleValidation: async (enabled) => void (await control('POST', 'role-validation', { enabled })),
    setAssumeRolePolicySizeQuota: async (bytes) =>
      void (await control('POST', 'account-summary', { AssumeRolePolicySizeQuota: bytes })),
    setRegions: async (regions) => void (await control('POST', 'regions', regions)),
    createOwnedAssociation: async (input) =>
      ((await control('POST', 'pod-identity-associations', input)) as { association: Record<string, unknown> })
        .association,
    setServiceAccountKeys: async (jwks) => void (await control('POST', 'service-account-keys', jwks)),
    setPropagationDelay: async (seconds) => void (await control('POST', 'propagation-delay', { seconds })),
    denyOperations: async (operations) => void (await control('POST', 'deny-operations', { operations })),
    requirePodBoundTokens: async (required) => void (await control('POST', 'pod-bound-tokens', { required })),
    effectiveAssociation: async (input) =>
      ((await control('POST', 'effective-association', input)) as { association: EffectiveAssociation | null })
        .association,
    createCluster: async (name, region = 'us-east-1', extra = {}) => {
      // moto routes by the SigV4 scope and never checks signatures, so a fake one is enough.
      const scope = `testing/20250101/${region}/eks/aws4_request`;
      const auth = `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=0`;
      const body = {
        name,
        version: '1.31',
        roleArn: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/eks-cluster-role`,
        resourcesVpcConfig: { subnetIds: ['subnet-00000001'] },
        ...extra,
      };
      const res = (await call(base, 'POST', '/clusters', body, { ...UNJOURNALED, authorization: auth })) as {
        cluster: EmulatedCluster;
      };
      return res.cluster;
    },
    stop,
  };
}

export interface StartOptions {
  port?: number; // 0 or absent: a free port
  python?: string; // default $AWS_EMULATOR_PYTHON or python3
  timeoutMs?: number; // default 30 s
}

const SERVE_PY = fileURLToPath(new URL('./serve.py', import.meta.url));
const REQUIRED = 'python3 with moto is required:';

export function startAwsEmulator(opts: StartOptions = {}): Promise<AwsEmulator> {
  const python = opts.python ?? process.env.AWS_EMULATOR_PYTHON ?? 'python3';
  // Own process group (detached) so stop() can kill the whole tree; stdin stays open as a lifeline:
  // serve.py exits on EOF, i.e. as soon as this process is gone, however it died.
  const child = spawn(python, [SERVE_PY, '--port', String(opts.port ?? 0), '--exit-on-stdin-eof'], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));

  return new Promise<AwsEmulator>((resolve, reject) => {
    let out = '';
    const fail = (message: string) => {
      clearTimeout(timer);
      killTree(child, 'SIGKILL');
      reject(new Error(message));
    };
    const timer = setTimeout(
      () => fail(`AWS emulator did not start within ${opts.timeoutMs ?? 30000} ms: ${stderr.trim()}`),
      opts.timeoutMs ?? 30000,
    );
    child.once('error', (e: NodeJS.ErrnoException) =>
      fail(`${REQUIRED} cannot run "${python}" (${e.code ?? e.message})`),
    );
    child.once('exit', (code, signal) => {
      const why = /EMULATOR_ERROR (.*)/.exec(out)?.[1];
      fail(
        why ? `${REQUIRED} ${why}` : `AWS emulator exited before it was ready (${code ?? signal}): ${stderr.trim()}`,
      );
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const port = /EMULATOR_READY port=(\d+)/.exec(out)?.[1];
      if (!port) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data').resume(); // keep draining, never block the child
      // Never keep the test runner alive: an emulator nobody stopped dies with this process.
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
      child.unref();
      resolve(emulatorApi(`http://127.0.0.1:${port}`, () => stopChild(child), child.pid));
    });
  });
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal); // the whole process group
  } catch {
    child.kill(signal);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killTree(child, 'SIGTERM');
  const timer = setTimeout(() => killTree(child, 'SIGKILL'), 3000);
  await exited; // 'exit' means libuv has reaped it: no zombie
  clearTimeout(timer);
  child.stdin?.destroy();
}
