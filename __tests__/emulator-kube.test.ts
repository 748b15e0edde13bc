// Self-tests of the fake Kubernetes API server (emulators/kube) with independent real clients:
// kubectl 1.32 (Go client-go) and @kubernetes/client-node 1.4. If these pass, code tested against the
// emulator talks to the API the way it would talk to a real cluster.
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1ServiceAccount,
} from '@kubernetes/client-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { latencyFromEnv, makeEksToken, startKubeEmulator, type KubeEmulator } from '../emulators/kube/server.js';

const CLUSTER = 'demo';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const USER = 'arn:aws:sts::111122223333:assumed-role/deployer/ci';
const ROLE = 'arn:aws:iam::111122223333:role/app';
// What the API server answers a write whose resourceVersion is stale.
const MODIFIED =
  'Operation cannot be fulfilled on serviceaccounts "app": the object has been modified; ' +
  'please apply your changes to the latest version and try again';

let emu: KubeEmulator;
let kubeconfig: string;
let cacheDir: string;
let core: CoreV1Api;
let apps: AppsV1Api;
let kc: KubeConfig;

type Run = { code: number; stdout: string; stderr: string };
/** kubectl must run asynchronously: the server lives in this process's event loop. */
function kubectl(args: string[], input?: string, config = kubeconfig): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn('kubectl', ['--kubeconfig', config, '--cache-dir', cacheDir, ...args]);
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input ?? '');
  });
}
async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));

/** Runs a client-node call that must fail; returns the HTTP code and the parsed Status body. */
async function apiError(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; body?: string };
    return { code: err.code, body: err.body ? JSON.parse(err.body) : undefined };
  }
  throw new Error('expected the call to fail');
}

/** Raw HTTPS request with the emulator's CA (to see exactly what a client without a library gets). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, { method, headers, ca: emu.caPem }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sa = (name: string, namespace: string, extra: Partial<V1ServiceAccount['metadata']> = {}): V1ServiceAccount => ({
  metadata: { name, namespace, ...extra },
});
const podsOf = (ns: string, selector: string) =>
  emu
    .list('pods', ns, selector)
    .map((p) => p.metadata.name)
    .sort();

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  emu = await startKubeEmulator({
    token: 'eks',
    eksVerify: { clusterName: CLUSTER, secretAccessKey: SECRET },
    user: USER,
  });
  kubeconfig = emu.kubeconfig(undefined, { token: makeEksToken({ clusterName: CLUSTER, secretAccessKey: SECRET }) });
  kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});

afterAll(async () => {
  await emu?.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

beforeEach(() => emu.reset());

describe('start-up and discovery', () => {
  it('starts in well under a second (median of 5) and stops cleanly', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const e = await startKubeEmulator();
      times.push(performance.now() - t0);
      const file = e.kubeconfig();
      expect(existsSync(file)).toBe(true);
      await e.stop();
      expect(existsSync(file)).toBe(false); // the temp dir (certs, kubeconfig) is removed
      await expect(fetch(`${e.url}/version`)).rejects.toThrow();
    }
    const median = times.sort((a, b) => a - b)[2]!;
    console.log(
      `kube emulator start-up: median ${median.toFixed(1)} ms of ${times.map((t) => t.toFixed(0)).join(', ')}`,
    );
    expect(median).toBeLessThan(1000);
  });

  it('kubectl sees the server version and the served resources', async () => {
    const v = JSON.parse(await ok(['version', '-o', 'json']));
    expect(v.serverVersion.gitVersion).toBe('v1.32.9-eks-emulator');
    expect((await ok(['api-resources', '--api-group=apps', '-o', 'name'])).trim().split('\n')).toEqual([
      'daemonsets.apps',
      'deployments.apps',
      'replicasets.apps',
      'statefulsets.apps',
    ]);
    expect((await ok(['api-resources', '--api-group=', '-o', 'name'])).trim().split('\n')).toEqual([
      'namespaces',
      'pods',
      'serviceaccounts',
    ]);
  });

  it('kubectl get prints the server-side table columns', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx:1.27']);
    const lines = (await ok(['get', 'deploy,sa', '-o', 'wide'])).split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(lines[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(lines[1]).toEqual([
      'deployment.apps/web',
      '1/1',
      '1',
      '1',
      expect.stringMatching(/^\d+s$/),
      'nginx',
      'nginx:1.27',
      'app=web',
    ]);
    expect(lines[3]).toEqual(['NAME', 'SECRETS', 'AGE']);
    expect(lines[4]).toEqual(['serviceaccount/default', '0', expect.stringMatching(/^\d+s$/)]);
  });

  it('serves the same API over plain HTTP, with the same authentication', async () => {
    expect(emu.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = (JSON.parse(readFileSync(kubeconfig, 'utf8')) as { users: { user: { token: string } }[] }).users[0]!
      .user.token;
    // kubectl sends no bearer token to an http:// server, so Python's HTTP client checks the authentication.
    const GET =
      'import sys, urllib.request as u, urllib.error as e\n' +
      'h = {"Authorization": "Bearer " + sys.argv[2]} if sys.argv[2] else {}\n' +
      'try: print(u.urlopen(u.Request(sys.argv[1], headers=h)).status)\n' +
      'except e.HTTPError as x: print(x.code)';
    const statusWith = (token: string) =>
      new Promise<string>((resolve, reject) => {
        const p = spawn('python3', ['-c', GET, `${emu.httpUrl}/api/v1/namespaces/default`, token]);
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.on('error', reject);
        p.on('close', () => resolve(out.trim()));
      });
    expect(await statusWith(token)).toBe('200');
    expect(await statusWith('not-an-eks-token')).toBe('401');
    expect(await statusWith('')).toBe('401');
    // And kubectl reads and writes over HTTP on a server that asks for no token.
    const open = await startKubeEmulator();
    try {
      const config = join(cacheDir, 'http-kubeconfig');
      writeFileSync(
        config,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          'current-context': 'h',
          clusters: [{ name: 'h', cluster: { server: open.httpUrl } }],
          users: [{ name: 'h', user: {} }],
          contexts: [{ name: 'h', context: { cluster: 'h', user: 'h' } }],
        }),
      );
      const created = await kubectl(['create', 'sa', 'over-http', '-n', 'default'], undefined, config);
      expect([created.code, created.stderr]).toEqual([0, '']);
      expect(open.get('serviceaccounts', 'default', 'over-http')?.metadata.name).toBe('over-http');
    } finally {
      await open.stop();
    }
  });

  it('starts with the default namespaces, each with a default service account', async () => {
    expect((await ok(['get', 'ns', '-o', 'name'])).trim().split('\n')).toEqual([
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
    ]);
    const list = await core.listServiceAccountForAllNamespaces();
    expect(list.items.map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`)).toEqual([
      'default/default',
      'kube-node-lease/default',
      'kube-public/default',
      'kube-system/default',
    ]);
  });
});

describe('kubectl', () => {
  it('create namespace / serviceaccount (sent as protobuf) then get', async () => {
    expect(await ok(['create', 'namespace', 'team-a'])).toBe('namespace/team-a created\n');
    expect(await ok(['create', 'serviceaccount', 'app', '-n', 'team-a'])).toBe('serviceaccount/app created\n');
    const got = await json(['get', 'sa', 'app', '-n', 'team-a']);
    expect(got.kind).toBe('ServiceAccount');
    expect(got.metadata.name).toBe('app');
    expect(got.metadata.namespace).toBe('team-a');
    expect(got.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(got.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const post = emu.journal().find((e) => e.verb === 'create' && e.resource === 'serviceaccounts')!;
    expect(post).toMatchObject({
      method: 'POST',
      contentType: 'application/vnd.kubernetes.protobuf',
      status: 201,
      isWrite: true,
      namespace: 'team-a',
    });
    expect(post.body).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'app', namespace: 'team-a' },
    });
    expect(emu.get('sa', 'team-a', 'default')?.metadata.name).toBe('default'); // the namespace controller's SA
  });

  it('annotate and label send JSON merge patches and keep other keys', async () => {
    emu.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'app', namespace: 'default', annotations: { keep: 'me' }, labels: { team: 'a' } },
    });
    expect(await ok(['annotate', 'sa', 'app', `eks.amazonaws.com/role-arn=${ROLE}`])).toBe(
      'serviceaccount/app annotated\n',
    );
    expect(await ok(['label', 'sa', 'app', 'managed-by=eks-pod-iam'])).toBe('serviceaccount/app labeled\n');
    const got = emu.get('sa', 'default', 'app')!;
    expect(got.metadata.annotations).toEqual({ keep: 'me', 'eks.amazonaws.com/role-arn': ROLE });
    expect(got.metadata.labels).toEqual({ team: 'a', 'managed-by': 'eks-pod-iam' });
    const patches = emu.journal().filter((e) => e.verb === 'patch');
    expect(patches.map((p) => [p.contentType, p.body])).toEqual([
      ['application/merge-patch+json', { metadata: { annotations: { 'eks.amazonaws.com/role-arn': ROLE } } }],
      ['application/merge-patch+json', { metadata: { labels: { 'managed-by': 'eks-pod-iam' } } }],
    ]);
    expect(await ok(['annotate', 'sa', 'app', 'keep-'])).toBe('serviceaccount/app annotated\n');
    expect(emu.get('sa', 'default', 'app')!.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
  });

  it('patch --type merge | strategic | json (with ~1 escapes), and a failing json-patch test', async () => {
    await ok(['create', 'sa', 'app']);
    await ok([
      'patch',
      'sa',
      'app',
      '--type=merge',
      '-p',
      JSON.stringify({ metadata: { annotations: { 'eks.amazonaws.com/role-arn': ROLE, a: '1' } } }),
    ]);
    await ok([
      'patch',
      'sa',
      'app',
      '--type=strategic',
      '-p',
      JSON.stringify({ metadata: { annotations: { a: null, b: '2' } }, imagePullSecrets: [{ name: 'regcred' }] }),
    ]);
    await ok([
      'patch',
      'sa',
      'app',
      '--type=strategic',
      '-p',
      JSON.stringify({ imagePullSecrets: [{ name: 'other' }] }),
    ]);
    await ok([
      'patch',
      'sa',
      'app',
      '--type=json',
      '-p',
      JSON.stringify([
        { op: 'test', path: '/metadata/annotations/eks.amazonaws.com~1role-arn', value: ROLE },
        { op: 'replace', path: '/metadata/annotations/eks.amazonaws.com~1role-arn', value: `${ROLE}-2` },
        { op: 'remove', path: '/metadata/annotations/b' },
      ]),
    ]);
    const got = emu.get('sa', 'default', 'app')!;
    expect(got.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': `${ROLE}-2` });
    expect(got.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'other' }]); // merged by name
    const failed = await kubectl([
      'patch',
      'sa',
      'app',
      '--type=json',
      '-p',
      '[{"op":"test","path":"/metadata/name","value":"zzz"}]',
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe(
      'The request is invalid: the server rejected our request due to an error in our request',
    );
    const missing = await kubectl([
      'patch',
      'sa',
      'default',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/metadata/labels/x","value":"y"}]',
    ]);
    expect(missing.code).toBe(1); // adding under a map that does not exist fails, as on a real server
  });

  it('a patch that changes nothing keeps the resourceVersion', async () => {
    await ok(['create', 'sa', 'app']);
    await ok(['annotate', 'sa', 'app', 'a=1']);
    const rv = emu.get('sa', 'default', 'app')!.metadata.resourceVersion;
    expect(await ok(['patch', 'sa', 'app', '--type=merge', '-p', '{"metadata":{"annotations":{"a":"1"}}}'])).toBe(
      'serviceaccount/app patched (no change)\n',
    );
    expect(emu.get('sa', 'default', 'app')!.metadata.resourceVersion).toBe(rv);
  });

  it('apply creates, configures, and then reports unchanged', async () => {
    const manifest = (role: string) =>
      [
        'apiVersion: v1',
        'kind: ServiceAccount',
        'metadata:',
        '  name: applied',
        '  namespace: default',
        '  annotations:',
        `    eks.amazonaws.com/role-arn: ${role}`,
        '',
      ].join('\n');
    expect(await ok(['apply', '-f', '-'], manifest(ROLE))).toBe('serviceaccount/applied created\n');
    expect(await ok(['apply', '-f', '-'], manifest(`${ROLE}-2`))).toBe('serviceaccount/applied configured\n');
    const rv = emu.get('sa', 'default', 'applied')!.metadata.resourceVersion;
    expect(await ok(['apply', '-f', '-'], manifest(`${ROLE}-2`))).toBe('serviceaccount/applied unchanged\n');
    const got = emu.get('sa', 'default', 'applied')!;
    expect(got.metadata.resourceVersion).toBe(rv);
    expect(got.metadata.annotations!['eks.amazonaws.com/role-arn']).toBe(`${ROLE}-2`);
    expect(
      JSON.parse(got.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']!).metadata.annotations,
    ).toEqual({ 'eks.amazonaws.com/role-arn': `${ROLE}-2` });
    expect(emu.journal().find((e) => e.verb === 'patch')?.contentType).toBe('application/strategic-merge-patch+json');
  });

  it('prints the real error messages', async () => {
    await ok(['create', 'sa', 'app']);
    const cases: [string[], string][] = [
      [['get', 'sa', 'nope'], 'Error from server (NotFound): serviceaccounts "nope" not found'],
      [['get', 'deploy', 'nope'], 'Error from server (NotFound): deployments.apps "nope" not found'],
      [['create', 'sa', 'app'], 'error: failed to create serviceaccount: serviceaccounts "app" already exists'],
      [['create', 'sa', 'x', '-n', 'nope'], 'error: failed to create serviceaccount: namespaces "nope" not found'],
      [
        ['create', 'sa', 'Bad_Name'],
        'error: failed to create serviceaccount: ServiceAccount "Bad_Name" is invalid: metadata.name: ' +
          'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric ' +
          "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', " +
          "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ];
    for (const [args, message] of cases) {
      const r = await kubectl(args);
      expect([r.code, r.stderr.trim()]).toEqual([1, message]);
    }
  });

  it('delete removes objects; deleting a namespace removes its contents', async () => {
    await ok(['create', 'ns', 'gone']);
    await ok(['create', 'sa', 'app', '-n', 'gone']);
    expect(await ok(['delete', 'sa', 'app', '-n', 'gone'])).toBe('serviceaccount "app" deleted\n');
    expect(emu.get('sa', 'gone', 'app')).toBeUndefined();
    await ok(['create', 'deployment', 'web', '-n', 'gone', '--image=nginx']);
    expect(emu.list('pods', 'gone')).toHaveLength(1);
    expect(await ok(['delete', 'ns', 'gone'])).toBe('namespace "gone" deleted\n');
    expect(emu.list('sa', 'gone')).toEqual([]);
    expect(emu.list('pods', 'gone')).toEqual([]);
    expect(emu.list('deploy', 'gone')).toEqual([]);
  });

  it('create deployment starts a pod; rollout restart replaces it', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2']);
    const dep = await json(['get', 'deploy', 'web']);
    expect(dep.metadata.generation).toBe(1);
    expect(dep.spec.template.spec.containers).toEqual([
      {
        name: 'nginx',
        image: 'nginx:1.27',
        resources: {}, // server-side defaults:
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ]);
    expect(dep.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    const before = emu.list('pods', 'default', 'app=web');
    expect(before).toHaveLength(2);
    const rs = emu.list('rs', 'default')[0]!;
    expect(before[0]!.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: rs.metadata.name,
        uid: rs.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(before[0]!.spec!.serviceAccountName).toBe('default');
    expect(before[0]!.status!.phase).toBe('Running');

    expect(await ok(['rollout', 'restart', 'deployment', 'web'])).toBe('deployment.apps/web restarted\n');
    const after = emu.list('pods', 'default', 'app=web');
    expect(after).toHaveLength(2);
    expect(after.map((p) => p.metadata.uid).filter((u) => before.some((b) => b.metadata.uid === u))).toEqual([]);
    expect(after[0]!.metadata.annotations!['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const restarted = emu.get('deploy', 'default', 'web')!;
    expect(restarted.metadata.generation).toBe(2);
    expect(restarted.status).toMatchObject({
      observedGeneration: 2,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect((await ok(['rollout', 'status', 'deployment', 'web', '--timeout=10s'])).trim()).toBe(
      'deployment "web" successfully rolled out',
    );
    expect(
      emu
        .list('rs', 'default')
        .map((r) => r.spec!.replicas)
        .sort(),
    ).toEqual([0, 2]); // old ReplicaSet scaled to 0
  });

  it('statefulset and daemonset pods, label and field selectors', async () => {
    const workload = (kind: string, name: string, extra = '') =>
      [
        'apiVersion: apps/v1',
        `kind: ${kind}`,
        `metadata: {name: ${name}}`,
        'spec:',
        `  ${extra}selector: {matchLabels: {app: ${name}}}`,
        '  template:',
        `    metadata: {labels: {app: ${name}, tier: ${kind === 'DaemonSet' ? 'node' : 'data'}}}`,
        '    spec: {serviceAccountName: runner, containers: [{name: main, image: busybox}]}',
        '',
      ].join('\n');
    await ok(['create', 'sa', 'runner']);
    await ok(
      ['apply', '-f', '-'],
      `${workload('StatefulSet', 'db', 'replicas: 2\n  serviceName: db\n  ')}---\n${workload('DaemonSet', 'agent')}`,
    );
    expect(podsOf('default', 'app=db')).toEqual(['db-0', 'db-1']);
    const uid = emu.get('pods', 'default', 'db-0')!.metadata.uid;
    await ok(['rollout', 'restart', 'statefulset', 'db']);
    expect(podsOf('default', 'app=db')).toEqual(['db-0', 'db-1']); // same names, new pods
    expect(emu.get('pods', 'default', 'db-0')!.metadata.uid).not.toBe(uid);
    expect(podsOf('default', 'app=agent')).toHaveLength(1);
    expect(podsOf('default', 'app=agent')[0]).toMatch(/^agent-[a-z0-9]{5}$/);
    expect(
      (await ok(['get', 'pods', '-l', 'tier in (data,node),app!=agent', '-o', 'name'])).trim().split('\n'),
    ).toEqual(['pod/db-0', 'pod/db-1']);
    expect((await ok(['get', 'pods', '-l', '!tier', '-o', 'name'])).trim()).toBe('');
    expect(
      (await ok(['get', 'pods', '-A', '--field-selector', 'spec.serviceAccountName=runner', '-o', 'name']))
        .trim()
        .split('\n')
        .sort(),
    ).toEqual([`pod/${podsOf('default', 'app=agent')[0]}`, 'pod/db-0', 'pod/db-1']);
  });

  it('pods wait for their service account, and get IRSA variables from it at creation', async () => {
    await ok(
      ['apply', '-f', '-'],
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: api}',
        'spec:',
        '  selector: {matchLabels: {app: api}}',
        '  template:',
        '    metadata: {labels: {app: api}}',
        '    spec: {serviceAccountName: api, containers: [{name: main, image: app}]}',
        '',
      ].join('\n'),
    );
    expect(emu.list('pods', 'default', 'app=api')).toEqual([]); // the ServiceAccount admission refuses pods
    await ok(['create', 'sa', 'api']);
    const [first] = emu.list('pods', 'default', 'app=api');
    expect(first!.spec!.containers).toEqual([
      {
        name: 'main',
        image: 'app',
        imagePullPolicy: 'Always',
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ]);
    await ok(['annotate', 'sa', 'api', `eks.amazonaws.com/role-arn=${ROLE}`]);
    // running pods keep their identity
    expect(emu.get('pods', 'default', first!.metadata.name)!.spec).toEqual(first!.spec);
    await ok(['rollout', 'restart', 'deploy', 'api']);
    const [second] = emu.list('pods', 'default', 'app=api');
    const env = (second!.spec!.containers as { env: { name: string; value: string }[] }[])[0]!.env;
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toEqual({
      AWS_STS_REGIONAL_ENDPOINTS: 'regional',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_REGION: 'us-east-1',
      AWS_ROLE_ARN: ROLE,
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
    });
  });

  it('kubectl delete pod: the ReplicaSet replaces it', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx']);
    const [pod] = podsOf('default', 'app=web');
    expect(await ok(['delete', 'pod', pod!])).toBe(`pod "${pod}" deleted\n`);
    const now = podsOf('default', 'app=web');
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(pod);
  });
});

describe('client-node 1.4', () => {
  it('create, read, duplicate create, create in a missing namespace, invalid label value', async () => {
    const created = await core.createNamespacedServiceAccount({
      namespace: 'default',
      body: sa('app', 'default', { labels: { a: 'b' } }),
    });
    expect(created.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await core.readNamespacedServiceAccount({ name: 'app', namespace: 'default' })).metadata!.labels).toEqual({
      a: 'b',
    });
    const dup = await apiError(
      core.createNamespacedServiceAccount({ namespace: 'default', body: sa('app', 'default') }),
    );
    expect(dup).toEqual({
      code: 409,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'serviceaccounts "app" already exists',
        reason: 'AlreadyExists',
        details: { name: 'app', kind: 'serviceaccounts' },
        code: 409,
      },
    });
    const noNs = await apiError(core.createNamespacedServiceAccount({ namespace: 'nope', body: sa('app', 'nope') }));
    expect([noNs.code, noNs.body.reason, noNs.body.message]).toEqual([404, 'NotFound', 'namespaces "nope" not found']);
    const bad = await apiError(
      core.createNamespacedServiceAccount({
        namespace: 'default',
        body: sa('x', 'default', { labels: { role: ROLE } }),
      }),
    );
    expect([bad.code, bad.body.reason, bad.body.details.causes[0].field]).toEqual([422, 'Invalid', 'metadata.labels']);
    expect(bad.body.message).toMatch(
      new RegExp(
        String.raw`^ServiceAccount "x" is invalid: metadata.labels: ` +
          String.raw`Invalid value: "arn:aws:iam::111122223333:role\/app": ` +
          '(must be no more than 63 characters|a valid label must)',
      ),
    );
    const gone = await apiError(core.readNamespacedServiceAccount({ name: 'nope', namespace: 'default' }));
    expect([gone.code, gone.body.message]).toEqual([404, 'serviceaccounts "nope" not found']);
  });

  it('merge patch needs setHeaderOptions: the generated client defaults to json-patch', async () => {
    await core.createNamespacedServiceAccount({
      namespace: 'default',
      body: sa('app', 'default', { annotations: { keep: 'me' } }),
    });
    emu.clearJournal();
    const body = { metadata: { annotations: { 'eks.amazonaws.com/role-arn': ROLE } } };
    const wrong = await apiError(core.patchNamespacedServiceAccount({ name: 'app', namespace: 'default', body }));
    expect([wrong.code, wrong.body.reason, wrong.body.message]).toEqual([
      400,
      'BadRequest',
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    ]);
    const patched = await core.patchNamespacedServiceAccount(
      { name: 'app', namespace: 'default', body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata!.annotations).toEqual({ keep: 'me', 'eks.amazonaws.com/role-arn': ROLE });
    expect(emu.journal().map((e) => e.contentType)).toEqual([
      'application/json-patch+json',
      'application/merge-patch+json',
    ]);
    const jp = await core.patchNamespacedServiceAccount({
      name: 'app',
      namespace: 'default',
      body: [{ op: 'remove', path: '/metadata/annotations/keep' }],
    });
    expect(jp.metadata!.annotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
  });

  it('replace with a stale resourceVersion is a 409 Conflict', async () => {
    const first = await core.createNamespacedServiceAccount({ namespace: 'default', body: sa('app', 'default') });
    await core.replaceNamespacedServiceAccount({
      name: 'app',
      namespace: 'default',
      body: { ...first, metadata: { ...first.metadata, labels: { v: '1' } } },
    });
    const stale = await apiError(
      core.replaceNamespacedServiceAccount({
        name: 'app',
        namespace: 'default',
        body: { ...first, metadata: { ...first.metadata, labels: { v: '2' } } },
      }),
    );
    expect(stale).toEqual({
      code: 409,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: MODIFIED,
        reason: 'Conflict',
        details: { name: 'app', kind: 'serviceaccounts' },
        code: 409,
      },
    });
    expect(emu.get('sa', 'default', 'app')!.metadata.labels).toEqual({ v: '1' });
  });

  it('lists with label and field selectors, generateName, delete', async () => {
    await core.createNamespace({ body: { metadata: { name: 'team-b' } } });
    await core.createNamespacedServiceAccount({ namespace: 'team-b', body: sa('worker', 'team-b') });
    for (const [name, labels] of [
      ['w1', { app: 'w', track: 'stable' }],
      ['w2', { app: 'w', track: 'canary' }],
      ['x', { app: 'x' }],
    ] as const)
      await core.createNamespacedPod({
        namespace: 'team-b',
        body: {
          metadata: { name, labels },
          spec: { serviceAccountName: name === 'x' ? 'default' : 'worker', containers: [{ name: 'c', image: 'i' }] },
        },
      });
    const names = (l: { items: { metadata?: { name?: string } }[] }) => l.items.map((i) => i.metadata!.name);
    expect(names(await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=w' }))).toEqual(['w1', 'w2']);
    expect(names(await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app==w,track!=canary' }))).toEqual(
      ['w1'],
    );
    expect(names(await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'track notin (stable)' }))).toEqual(
      ['w2', 'x'],
    );
    expect(names(await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'track' }))).toEqual(['w1', 'w2']);
    expect(names(await core.listPodForAllNamespaces({ fieldSelector: 'spec.serviceAccountName=worker' }))).toEqual([
      'w1',
      'w2',
    ]);
    const list = await core.listNamespacedServiceAccount({
      namespace: 'team-b',
      fieldSelector: 'metadata.name=worker',
    });
    expect(names(list)).toEqual(['worker']);
    expect(list.metadata!.resourceVersion).toMatch(/^\d+$/);
    expect(emu.journal().at(-1)!.query).toEqual({ fieldSelector: 'metadata.name=worker' });
    const page = await core.listNamespacedPod({ namespace: 'team-b', limit: 2 });
    expect([names(page), page.metadata!.remainingItemCount]).toEqual([['w1', 'w2'], 1]);
    expect(
      names(await core.listNamespacedPod({ namespace: 'team-b', limit: 2, _continue: page.metadata!._continue })),
    ).toEqual(['x']);
    const generated = await core.createNamespacedServiceAccount({
      namespace: 'team-b',
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(generated.metadata!.name).toMatch(/^gen-[a-z0-9]{5}$/);
    const del = await core.deleteNamespacedServiceAccount({ name: 'worker', namespace: 'team-b' });
    expect(del).toMatchObject({ metadata: { name: 'worker' } });
    expect((await apiError(core.readNamespacedServiceAccount({ name: 'worker', namespace: 'team-b' }))).code).toBe(404);
    const badSel = await apiError(core.listNamespacedPod({ namespace: 'team-b', fieldSelector: 'spec.foo=bar' }));
    expect([badSel.code, badSel.body.message]).toEqual([400, 'field label not supported: spec.foo']);
  });

  it('apps/v1: deployment generation, pods owned through a ReplicaSet, watch events', async () => {
    const dep = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'api' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'api' } },
          template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
        },
      },
    });
    expect(dep.metadata!.generation).toBe(1);
    const mismatch = await apiError(
      apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name: 'bad' },
          spec: {
            selector: { matchLabels: { app: 'x' } },
            template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
          },
        },
      }),
    );
    expect(mismatch.body.message).toBe(
      'Deployment.apps "bad" is invalid: spec.template.metadata.labels: ' +
        'Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    );
    const events: string[] = [];
    const req = await new Watch(kc).watch(
      '/api/v1/namespaces/default/pods',
      { labelSelector: 'app=api' },
      (type, obj) => events.push(`${type} ${obj.metadata.name}`),
      () => undefined,
    );
    const scaled = await apps.patchNamespacedDeployment(
      { name: 'api', namespace: 'default', body: { spec: { replicas: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(scaled.metadata!.generation).toBe(2);
    for (let i = 0; i < 50 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    req.abort();
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=api' })).items;
    expect(pods).toHaveLength(2);
    expect(events.sort()).toEqual(pods.map((p) => `ADDED ${p.metadata!.name}`).sort()); // initial pod, then the new one
  });

  it('Pod Identity injection wins over IRSA when an association exists (webhook bridge option)', async () => {
    const e = await startKubeEmulator({
      webhook: { region: 'eu-west-1', podIdentity: (ns, name) => ns === 'default' && name === 'pi' },
    });
    try {
      const c = new KubeConfig();
      c.loadFromFile(e.kubeconfig());
      const api = c.makeApiClient(CoreV1Api);
      await api.createNamespacedServiceAccount({
        namespace: 'default',
        body: sa('pi', 'default', { annotations: { 'eks.amazonaws.com/role-arn': ROLE } }),
      });
      const pod = await api.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: 'p' },
          spec: {
            serviceAccountName: 'pi',
            containers: [{ name: 'c', image: 'i', env: [{ name: 'AWS_REGION', value: 'mine' }] }],
          },
        },
      });
      const env = Object.fromEntries(pod.spec!.containers[0]!.env!.map((v) => [v.name, v.value]));
      expect(env).toEqual({
        AWS_REGION: 'mine',
        AWS_STS_REGIONAL_ENDPOINTS: 'regional',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
          '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
      });
      expect(pod.spec!.volumes).toEqual([
        {
          name: 'eks-pod-identity-token',
          projected: {
            sources: [
              {
                serviceAccountToken: {
                  audience: 'pods.eks.amazonaws.com',
                  expirationSeconds: 86400,
                  path: 'eks-pod-identity-token',
                },
              },
            ],
          },
        },
      ]);
      const noSa = await apiError(
        api.createNamespacedPod({
          namespace: 'default',
          body: {
            metadata: { name: 'q' },
            spec: { serviceAccountName: 'ghost', containers: [{ name: 'c', image: 'i' }] },
          },
        }),
      );
      expect([noSa.code, noSa.body.message]).toEqual([
        403,
        'pods "q" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found',
      ]);
    } finally {
      await e.stop();
    }
  });
});

describe('authentication and authorization', () => {
  it('makeEksToken signs exactly as the AWS SigV4 reference implementation', async () => {
    class Sha256 {
      private h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
      constructor(secret?: unknown) {
        this.h = secret ? createHmac('sha256', Buffer.from(secret as Uint8Array)) : createHash('sha256');
      }
      update(d: Uint8Array | string) {
        this.h.update(d);
      }
      async digest() {
        return new Uint8Array(this.h.digest());
      }
    }
    const date = new Date('2025-01-02T03:04:05Z');
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
      region: 'eu-west-1',
      service: 'sts',
      sha256: Sha256,
    });
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: 'sts.eu-west-1.amazonaws.com',
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: 'sts.eu-west-1.amazonaws.com', 'x-k8s-aws-id': CLUSTER },
      },
      { expiresIn: 60, signingDate: date },
    );
    const token = makeEksToken({
      clusterName: CLUSTER,
      region: 'eu-west-1',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: SECRET,
      date,
    });
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const params = Object.fromEntries(new URL(Buffer.from(token.slice(11), 'base64url').toString()).searchParams);
    expect(params).toEqual((signed as unknown as { query: Record<string, string> }).query);
  });

  it('accepts the EKS token and remembers it', async () => {
    await ok(['get', 'sa']);
    const t = emu.lastEksToken()!;
    expect(t.host).toBe('sts.us-east-1.amazonaws.com');
    expect(t.params).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(t.accessKeyId).toBe('AKIAEMULATOREXAMPLE');
  });

  it('answers 401 Unauthorized to missing, malformed, expired and wrongly signed tokens', async () => {
    const unauthorized = {
      status: 401,
      body: JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      }),
    };
    const tokens = [
      undefined,
      'not-a-token',
      'k8s-aws-v1.',
      `k8s-aws-v1.${Buffer.from('https://sts.amazonaws.com/?Action=ListUsers').toString('base64url')}`,
      // expired
      makeEksToken({ clusterName: CLUSTER, secretAccessKey: SECRET, date: new Date(Date.now() - 16 * 60_000) }),
      makeEksToken({ clusterName: 'other-cluster', secretAccessKey: SECRET }), // signed for another cluster
      makeEksToken({ clusterName: CLUSTER, secretAccessKey: 'wrong' }),
    ];
    for (const t of tokens)
      expect(
        await raw('GET', '/api/v1/namespaces/default/serviceaccounts', t ? { Authorization: `Bearer ${t}` } : {}),
      ).toEqual(unauthorized);
    const bad = emu.kubeconfig(join(cacheDir, 'bad-kubeconfig'), { token: 'k8s-aws-v1.garbage' });
    const r = await kubectl(['get', 'sa'], undefined, bad);
    expect([r.code, r.stderr.trim()]).toEqual([1, 'error: You must be logged in to the server (Unauthorized)']);
  });

  it('setEksTokenMaxAge refuses older tokens; the journal says why and fingerprints each token', async () => {
    const bearer = (ageMs: number) =>
      makeEksToken({ clusterName: CLUSTER, secretAccessKey: SECRET, date: new Date(Date.now() - ageMs) });
    const get = (token: string) =>
      raw('GET', '/api/v1/namespaces/default/serviceaccounts', { Authorization: `Bearer ${token}` });
    const old = bearer(10_000);
    expect((await get(old)).status).toBe(200); // 15 minutes by default
    emu.setEksTokenMaxAge(5_000);
    const fresh = bearer(0);
    expect([(await get(old)).status, (await get(fresh)).status]).toEqual([401, 200]);
    const [, refused, accepted] = emu.journal();
    expect(refused).toMatchObject({ status: 401, authError: 'X-Amz-Date parameter is expired (5000 ms expiration)' });
    expect(accepted).toMatchObject({ status: 200, tokenSignedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const fingerprint = (t: string) => createHash('sha256').update(t).digest('hex').slice(0, 16);
    expect([refused!.token, accepted!.token]).toEqual([fingerprint(old), fingerprint(fresh)]);
    expect(JSON.stringify(emu.journal())).not.toContain('k8s-aws-v1.'); // fingerprints, never the tokens
    emu.reset();
    expect((await get(old)).status).toBe(200); // reset() restores the 15 minutes
  });

  it('journals which connection carried each request: keep-alive shows as one connection', async () => {
    // client-node's default is a new agent, so a new connection, per request; node's keep-alive agent reuses one.
    const { Agent } = await import('node:https');
    const agent = new Agent({ keepAlive: true, ca: emu.caPem });
    const token = makeEksToken({ clusterName: CLUSTER, secretAccessKey: SECRET });
    const get = () =>
      new Promise<void>((resolve, reject) => {
        request(`${emu.url}/api/v1/namespaces`, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) =>
          res.resume().on('end', () => resolve()),
        )
          .on('error', reject)
          .end();
      });
    emu.clearJournal();
    for (let i = 0; i < 3; i++) await get();
    for (let i = 0; i < 2; i++) await core.listNamespace();
    agent.destroy();
    const connections = emu.journal().map((e) => e.connection);
    expect(connections.every((n) => n > 0)).toBe(true);
    expect(new Set(connections.slice(0, 3)).size).toBe(1);
    expect(new Set(connections).size).toBe(3);
  });

  it('static token mode requires exactly that token', async () => {
    const e = await startKubeEmulator({ token: 's3cret' });
    try {
      const client = (token: string) => {
        const c = new KubeConfig();
        c.loadFromFile(e.kubeconfig(join(cacheDir, `kc-${token}`), { token }));
        return c.makeApiClient(CoreV1Api);
      };
      expect((await client('s3cret').listNamespace()).items).toHaveLength(4);
      const denied = await apiError(client('wrong').listNamespace());
      expect(denied.code).toBe(401); // client-node drops the body of a 401
    } finally {
      await e.stop();
    }
  });

  it('403 Forbidden with the real message for denied verbs', async () => {
    await ok(['create', 'sa', 'app']);
    emu.setForbidden([{ verbs: ['patch', 'update'], resources: ['serviceaccounts'] }]);
    const r = await kubectl(['annotate', 'sa', 'app', 'a=b']);
    expect([r.code, r.stderr.trim()]).toEqual([
      1,
      'Error from server (Forbidden): serviceaccounts "app" is forbidden: ' +
        `User "${USER}" cannot patch resource "serviceaccounts" in API group "" in the namespace "default"`,
    ]);
    const denied = await apiError(
      core.patchNamespacedServiceAccount(
        { name: 'app', namespace: 'default', body: {} },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect([denied.code, denied.body.reason, denied.body.details]).toEqual([
      403,
      'Forbidden',
      { name: 'app', kind: 'serviceaccounts' },
    ]);
    // reads still allowed
    expect((await core.readNamespacedServiceAccount({ name: 'app', namespace: 'default' })).metadata!.name).toBe('app');
    // sent as protobuf
    expect(await kubectl(['auth', 'can-i', 'patch', 'serviceaccounts'])).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(await kubectl(['auth', 'can-i', 'get', 'serviceaccounts'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(JSON.parse(await ok(['auth', 'whoami', '-o', 'json'])).status.userInfo).toEqual({
      username: USER,
      groups: ['system:authenticated'],
      extra: { accessKeyId: ['AKIAEMULATOREXAMPLE'] },
    });
    emu.setForbidden([{ verbs: ['list'], resources: ['deployments'] }]);
    const list = await kubectl(['get', 'deploy', '-A']);
    expect(list.stderr.trim()).toBe(
      'Error from server (Forbidden): deployments.apps is forbidden: ' +
        `User "${USER}" cannot list resource "deployments" in API group "apps" at the cluster scope`,
    );
  });
  it('a code-401 rule refuses a valid token, as EKS does for a principal without an access entry', async () => {
    emu.setForbidden([{ code: 401 }]);
    const r = await kubectl(['get', 'sa']);
    expect([r.code, r.stderr.trim()]).toEqual([1, 'error: You must be logged in to the server (Unauthorized)']);
    expect(emu.lastEksToken()?.params.Action).toBe('GetCallerIdentity'); // the token itself was well-formed
    emu.setForbidden([{ code: 401, resources: ['serviceaccounts'], verbs: ['create'] }]);
    expect((await kubectl(['get', 'sa'])).code).toBe(0);
  });
});

describe('faults and journal', () => {
  it('conflictRate makes writes fail with 409 Conflict and leaves the object unchanged', async () => {
    await core.createNamespacedServiceAccount({ namespace: 'default', body: sa('app', 'default') });
    emu.setFaults({ conflictRate: 1, seed: 1 });
    const r = await kubectl(['annotate', 'sa', 'app', 'a=b']);
    expect([r.code, r.stderr.trim()]).toEqual([1, `Error from server (Conflict): ${MODIFIED}`]);
    expect(emu.get('sa', 'default', 'app')!.metadata.annotations).toBeUndefined();
    expect(
      emu
        .journal()
        .filter((e) => e.fault === 'conflict')
        .map((e) => [e.verb, e.status]),
    ).toEqual([['patch', 409]]);
  });

  it('errorRate gives 500/503 Status answers, repeatably for a seed; delay slows answers', async () => {
    const codes = async (seed: number) => {
      emu.setFaults({ errorRate: 0.5, seed, verbs: ['get'] });
      const out: number[] = [];
      for (let i = 0; i < 12; i++)
        out.push(
          (
            await raw('GET', '/api/v1/namespaces/default/serviceaccounts/default', {
              Authorization: `Bearer ${makeEksToken({ clusterName: CLUSTER, secretAccessKey: SECRET })}`,
            })
          ).status,
        );
      return out;
    };
    const a = await codes(42);
    expect(a).toEqual(await codes(42));
    expect(new Set(a)).toEqual(new Set([200, 500, 503]));
    emu.setFaults({ errorRate: 1, seed: 7 });
    const failed = await apiError(core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }));
    expect(['InternalError', 'ServiceUnavailable']).toContain(failed.body.reason);
    emu.setFaults({ delayMs: 150 });
    const t0 = performance.now();
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    emu.setFaults(null);
  });

  it('latency, off by default, from EMULATOR_LATENCY_MS or the control route: later answers that overlap', async () => {
    const took = (e: { start: number; end?: number }) => e.end! - e.start;
    emu.clearJournal();
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    expect(took(emu.journal()[0]!)).toBeLessThan(200); // off by default
    emu.setLatency(200);
    emu.clearJournal();
    await Promise.all(
      Array.from({ length: 5 }, () => core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })),
    );
    const j = emu.journal();
    expect(j.map((e) => [e.verb, e.status])).toEqual(Array.from({ length: 5 }, () => ['get', 200]));
    expect(j.every((e) => took(e) >= 200 - 1)).toBe(true); // timers may fire up to 1 ms early
    const firstEnd = Math.min(...j.map((e) => e.end!));
    expect(j.every((e) => e.start < firstEnd)).toBe(true); // not serialised
    expect(await (await fetch(`${emu.httpUrl}/_emulator/latency`, { method: 'PUT', body: '{"ms":0}' })).json()).toEqual(
      { ms: 0 },
    );
    emu.clearJournal();
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    expect(took(emu.journal()[0]!)).toBeLessThan(200);
    expect([
      latencyFromEnv('iam=90,eks=60,sts=40,kube=15'),
      latencyFromEnv('KUBE = 7'),
      latencyFromEnv('iam=90'),
      latencyFromEnv(''),
    ]).toEqual([15, 7, 0, 0]);
    expect(() => latencyFromEnv('kube=fast')).toThrow(
      'EMULATOR_LATENCY_MS: the kube entry must be milliseconds (kube=fast)',
    );
  });

  it('journals every request; reads are not writes', async () => {
    emu.clearJournal();
    await ok(['get', 'sa', '-A']);
    await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=x' });
    const j = emu.journal();
    expect(j.length).toBeGreaterThan(2);
    expect(j.filter((e) => e.isWrite)).toEqual([]);
    expect(j.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/v1/namespaces/default/pods',
      verb: 'list',
      resource: 'pods',
      namespace: 'default',
      query: { labelSelector: 'app=x' },
      status: 200,
      isWrite: false,
    });
    await ok(['create', 'sa', 'x']);
    expect(
      emu
        .journal()
        .filter((e) => e.isWrite)
        .map((e) => `${e.method} ${e.path} ${e.status}`),
    ).toEqual(['POST /api/v1/namespaces/default/serviceaccounts 201']);
  });

  it('server-side dry runs and access reviews are journaled but are not writes', async () => {
    emu.clearJournal();
    expect(await ok(['create', 'sa', 'x', '--dry-run=server', '-o', 'name'])).toBe('serviceaccount/x\n');
    await ok(['auth', 'can-i', 'create', 'serviceaccounts']);
    expect(emu.get('sa', 'default', 'x')).toBeUndefined();
    const posts = emu.journal().filter((e) => e.method === 'POST');
    expect(posts.map((e) => [e.path, e.isWrite])).toEqual([
      ['/api/v1/namespaces/default/serviceaccounts', false],
      ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', false],
    ]);
  });

  it('status is written only through the /status subresource', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await core.patchNamespacedPod(
      { name: 'p', namespace: 'default', body: { metadata: { labels: { a: 'b' } }, status: { phase: 'Failed' } } },
      merge,
    );
    expect(emu.get('pods', 'default', 'p')!.status!.phase).toBe('Running'); // ignored on the main resource
    await core.patchNamespacedPodStatus(
      { name: 'p', namespace: 'default', body: { status: { phase: 'Failed' } } },
      merge,
    );
    expect(emu.get('pods', 'default', 'p')!.status!.phase).toBe('Failed');
    const immutable = await apiError(
      core.patchNamespacedPod(
        { name: 'p', namespace: 'default', body: { spec: { serviceAccountName: 'other' } } },
        merge,
      ),
    );
    expect([immutable.code, immutable.body.message]).toEqual([
      422,
      expect.stringMatching(
        new RegExp(
          '^Pod "p" is invalid: spec: Forbidden: ' +
            'pod updates may not change fields other than `spec.containers\\[\\*\\].image`',
        ),
      ),
    ]);
  });

  it('reset restores a fresh cluster', async () => {
    await ok(['create', 'ns', 'tmp']);
    emu.setFaults({ errorRate: 1, verbs: ['create'] });
    emu.reset();
    expect(emu.get('ns', undefined, 'tmp')).toBeUndefined();
    expect(emu.list('ns').map((n) => n.metadata.name)).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
    expect(emu.journal()).toEqual([]);
    expect(await ok(['create', 'ns', 'tmp'])).toBe('namespace/tmp created\n'); // faults were cleared
  });
});

describe('MutatingWebhookConfiguration (pod-identity-webhook, as EKS installs it)', () => {
  const NAME = 'pod-identity-webhook';
  const hook = (name: string, extra: object = {}) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      {
        name: 'x.example.com',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        clientConfig: { url: 'https://127.0.0.1:9443/' },
        ...extra,
      },
    ],
  });

  it('kubectl discovers, gets, lists, creates and deletes it', async () => {
    expect((await ok(['api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'name'])).trim()).toBe(
      'mutatingwebhookconfigurations.admissionregistration.k8s.io',
    );
    const got = await json(['get', 'mutatingwebhookconfiguration', NAME]);
    expect([got.apiVersion, got.kind, got.metadata.namespace, got.metadata.uid]).toEqual([
      'admissionregistration.k8s.io/v1',
      'MutatingWebhookConfiguration',
      undefined,
      expect.stringMatching(/^[0-9a-f-]{36}$/),
    ]);
    expect(got.webhooks).toHaveLength(1);
    expect(got.webhooks[0]).toMatchObject({
      name: 'iam-for-pods.amazonaws.com',
      clientConfig: { url: 'https://127.0.0.1:23443/mutate' },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
    });
    const table = (await ok(['get', 'mutatingwebhookconfigurations'])).split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(table.slice(0, 2)).toEqual([
      ['NAME', 'WEBHOOKS', 'AGE'],
      [NAME, '1', expect.stringMatching(/^\d+s$/)],
    ]);
    expect(await ok(['create', '-f', '-'], JSON.stringify(hook('mine')))).toBe(
      'mutatingwebhookconfiguration.admissionregistration.k8s.io/mine created\n',
    );
    expect(await ok(['delete', 'mutatingwebhookconfiguration', 'mine'])).toBe(
      'mutatingwebhookconfiguration.admissionregistration.k8s.io "mine" deleted\n',
    );
    const bad = await kubectl(
      ['create', '-f', '-'],
      JSON.stringify(hook('bad', { name: 'short.name', sideEffects: undefined })),
    );
    expect(bad.stderr).toBe(
      'The MutatingWebhookConfiguration "bad" is invalid: \n' +
        '* webhooks[0].name: Invalid value: "short.name": ' +
        'should be a domain with at least three segments separated by dots\n' +
        '* webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun\n',
    );
  });

  it('client-node reads it; a deleted one is 404 until reset seeds it again', async () => {
    const api = kc.makeApiClient(AdmissionregistrationV1Api);
    const got = await api.readMutatingWebhookConfiguration({ name: NAME });
    expect(got.webhooks!.map((w) => [w.name, w.clientConfig.url, w.rules![0]!.operations])).toEqual([
      ['iam-for-pods.amazonaws.com', 'https://127.0.0.1:23443/mutate', ['CREATE']],
    ]);
    expect((await api.listMutatingWebhookConfiguration()).items.map((c) => c.metadata!.name)).toEqual([NAME]);
    await api.createMutatingWebhookConfiguration({ body: hook('mine') });
    await api.deleteMutatingWebhookConfiguration({ name: NAME });
    const gone = await apiError(api.readMutatingWebhookConfiguration({ name: NAME }));
    expect([gone.code, gone.body.message]).toEqual([
      404,
      `mutatingwebhookconfigurations.admissionregistration.k8s.io "${NAME}" not found`,
    ]);
    emu.reset();
    expect((await api.listMutatingWebhookConfiguration()).items.map((c) => c.metadata!.name)).toEqual([NAME]);
  });

  it('a forbid rule makes just this resource 403 ("not readable")', async () => {
    emu.setForbidden([{ resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'list'] }]);
    const r = await kubectl(['get', 'mutatingwebhookconfiguration', NAME]);
    expect([r.code, r.stderr.trim()]).toEqual([
      1,
      `Error from server (Forbidden): mutatingwebhookconfigurations.admissionregistration.k8s.io "${NAME}" ` +
        `is forbidden: User "${USER}" cannot get resource "mutatingwebhookconfigurations" ` +
        'in API group "admissionregistration.k8s.io" at the cluster scope',
    ]);
    const denied = await apiError(
      kc.makeApiClient(AdmissionregistrationV1Api).readMutatingWebhookConfiguration({ name: NAME }),
    );
    expect([denied.code, denied.body.reason]).toEqual([403, 'Forbidden']);
    expect((await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })).metadata!.name).toBe(
      'default',
    );
  });

  it('without it, new pods get no AWS identity injected (as on a cluster whose webhook was removed)', async () => {
    const create = async (name: string) =>
      (
        await core.createNamespacedPod({
          namespace: 'default',
          body: { metadata: { name }, spec: { serviceAccountName: 'app', containers: [{ name: 'c', image: 'i' }] } },
        })
      ).spec!.containers[0]!.env;
    await core.createNamespacedServiceAccount({
      namespace: 'default',
      body: sa('app', 'default', { annotations: { 'eks.amazonaws.com/role-arn': ROLE } }),
    });
    expect(await create('with')).toContainEqual({ name: 'AWS_ROLE_ARN', value: ROLE });
    await ok(['delete', 'mutatingwebhookconfiguration', NAME]);
    expect(await create('without')).toBeUndefined();
  });
});

describe('DELETE with preconditions (issue 12)', () => {
  const token = () => makeEksToken({ clusterName: CLUSTER, secretAccessKey: SECRET });
  /** A DELETE with a DeleteOptions body, as client-go sends it; no client library in between. */
  function rawDelete(path: string, options?: unknown): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const payload = options === undefined ? undefined : JSON.stringify(options);
      const headers: Record<string, string> = { Authorization: `Bearer ${token()}`, Accept: 'application/json' };
      if (payload)
        Object.assign(headers, {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(payload)),
        });
      const req = request(`${emu.url}${path}`, { method: 'DELETE', headers, ca: emu.caPem }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body ? JSON.parse(body) : undefined }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
  const SA_PATH = '/api/v1/namespaces/default/serviceaccounts/app';
  const conflictStatus = (detail: string) => ({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    reason: 'Conflict',
    code: 409,
    message: `Operation cannot be fulfilled on serviceaccounts "app": Precondition failed: ${detail}`,
    details: { name: 'app', kind: 'serviceaccounts' },
  });

  it('a wrong uid or resourceVersion is a 409 Conflict with the apiserver Status, and nothing is deleted', async () => {
    const created = await core.createNamespacedServiceAccount({ namespace: 'default', body: sa('app', 'default') });
    const { uid, resourceVersion } = created.metadata!;
    const wrongUid = await rawDelete(SA_PATH, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { uid: 'not-the-uid' },
    });
    const wrongRv = await rawDelete(SA_PATH, { preconditions: { uid, resourceVersion: '1' } });
    expect([wrongUid.status, wrongUid.body]).toEqual([
      409,
      conflictStatus(`UID in precondition: not-the-uid, UID in object meta: ${uid}`),
    ]);
    expect([wrongRv.status, wrongRv.body]).toEqual([
      409,
      conflictStatus(`ResourceVersion in precondition: 1, ResourceVersion in object meta: ${resourceVersion}`),
    ]);
    expect(emu.get('sa', 'default', 'app')?.metadata.uid).toBe(uid);
  });

  it('matching preconditions delete: 200 with the deleted ServiceAccount; then 404 NotFound', async () => {
    const created = await core.createNamespacedServiceAccount({
      namespace: 'default',
      body: sa('app', 'default', { labels: { a: 'b' } }),
    });
    const { uid, resourceVersion } = created.metadata!;
    const deleted = await rawDelete(SA_PATH, { preconditions: { uid, resourceVersion } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'app', namespace: 'default', uid, resourceVersion, labels: { a: 'b' } },
    });
    expect(emu.get('sa', 'default', 'app')).toBeUndefined();
    const again = await rawDelete(SA_PATH, { preconditions: { uid } });
    expect([again.status, again.body]).toEqual([
      404,
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: 'serviceaccounts "app" not found',
        details: { name: 'app', kind: 'serviceaccounts' },
      },
    ]);
  });

  it('client-node preconditions (sent in the body): stale resourceVersion refused, current one deletes', async () => {
    const created = await core.createNamespacedServiceAccount({ namespace: 'default', body: sa('app', 'default') });
    const updated = await core.patchNamespacedServiceAccount(
      { name: 'app', namespace: 'default', body: { metadata: { labels: { v: '2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const stale = await apiError(
      core.deleteNamespacedServiceAccount({
        name: 'app',
        namespace: 'default',
        body: { preconditions: { resourceVersion: created.metadata!.resourceVersion } },
      }),
    );
    expect([stale.code, stale.body.reason, stale.body.message]).toEqual([
      409,
      'Conflict',
      'Operation cannot be fulfilled on serviceaccounts "app": Precondition failed: ' +
        `ResourceVersion in precondition: ${created.metadata!.resourceVersion}, ` +
        `ResourceVersion in object meta: ${updated.metadata!.resourceVersion}`,
    ]);
    const del = await core.deleteNamespacedServiceAccount({
      name: 'app',
      namespace: 'default',
      body: { preconditions: { uid: created.metadata!.uid, resourceVersion: updated.metadata!.resourceVersion } },
    });
    expect(del).toMatchObject({ metadata: { name: 'app', uid: created.metadata!.uid } });
    expect(emu.get('sa', 'default', 'app')).toBeUndefined();
  });

  it('other kinds: a Deployment answers a Success Status, a wrong uid 409 naming deployments.apps', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx']);
    const uid = emu.get('deploy', 'default', 'web')!.metadata.uid;
    const path = '/apis/apps/v1/namespaces/default/deployments/web';
    const refused = await rawDelete(path, { preconditions: { uid: 'x' } });
    expect([refused.status, refused.body.message, refused.body.details]).toEqual([
      409,
      'Operation cannot be fulfilled on deployments.apps "web": Precondition failed: ' +
        `UID in precondition: x, UID in object meta: ${uid}`,
      { name: 'web', group: 'apps', kind: 'deployments' },
    ]);
    const done = await rawDelete(path, { preconditions: { uid } });
    expect([done.status, done.body]).toEqual([
      200,
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'web', group: 'apps', kind: 'deployments', uid },
      },
    ]);
  });

  it('kubectl: delete sa; a missing one is NotFound; --raw DELETE with preconditions from a file', async () => {
    await ok(['create', 'sa', 'app']);
    expect(await ok(['delete', 'sa', 'app'])).toBe('serviceaccount "app" deleted\n');
    const missing = await kubectl(['delete', 'sa', 'app']);
    expect([missing.code, missing.stderr.trim()]).toEqual([
      1,
      'Error from server (NotFound): serviceaccounts "app" not found',
    ]);
    await ok(['create', 'sa', 'app']);
    const uid = emu.get('sa', 'default', 'app')!.metadata.uid;
    const dir = mkdtempSync(join(tmpdir(), 'delete-opts-'));
    const opts = (u: string) => {
      const f = join(dir, `${u}.json`);
      writeFileSync(f, JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: u } }));
      return f;
    };
    const refused = await kubectl(['delete', '--raw', SA_PATH, '-f', opts('wrong')]);
    expect([refused.code, refused.stderr.trim()]).toEqual([
      1,
      'Error from server (Conflict): Operation cannot be fulfilled on serviceaccounts "app": Precondition failed: ' +
        `UID in precondition: wrong, UID in object meta: ${uid}`,
    ]);
    const done = await kubectl(['delete', '--raw', SA_PATH, '-f', opts(uid!)]);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'app', uid } });
    expect(emu.get('sa', 'default', 'app')).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  });
});
