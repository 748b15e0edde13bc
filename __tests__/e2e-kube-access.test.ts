// How the program reaches Kubernetes (issue 10): through client-node on every path, a timeout on every request,
// one keep-alive connection rather than a handshake per request, and an EKS token renewed before it expires.
// The program in process (helpers/run-in-process.ts) against the emulators; what reached the API server is read
// from its journal.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import type { RequestEntry } from '../emulators/kube/server.js';
import { clearJournals, kubectl } from './helpers/judge.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'access';
let emu: Emulators;

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  const template = {
    metadata: { labels: { app: 'api' } },
    spec: { serviceAccountName: 'api', containers: [{ name: 'c', image: 'busybox' }] },
  };
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'apps' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template },
  });
  await clearJournals(emu);
});
afterEach(async () => {
  await Promise.all([emu.kube.setFaults(null), emu.kube.setEksTokenMaxAge(null)]);
});

const inputs = (over: Record<string, string> = {}) => ({
  'cluster-name': CLUSTER,
  namespace: 'apps',
  'service-account': 'api',
  'role-name': 'access-role',
  ...over,
});
const run = (over: Record<string, string> = {}, scale = '0.01') =>
  runInProcess(inputs(over), { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: scale } });
const ok = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
/** Requests to the API itself (not the emulator's control routes, which are not journaled anyway). */
const apiRequests = (journal: RequestEntry[]) => journal.filter((j) => j.path.startsWith('/api'));

const irsa = { mode: 'irsa', 'restart-workloads': 'true' };

describe('the EKS token is renewed before it expires', () => {
  // The emulator accepts a token for LIFETIME after its X-Amz-Date (EKS: 15 minutes); the time scale shrinks the
  // program's idea of 15 minutes to the same LIFETIME. Creating the service account takes longer than that (a slow
  // API server), so the reread and the restart that follow it need a new token.
  const LIFETIME_MS = 3000;
  const SCALE = String(LIFETIME_MS / (15 * 60 * 1000));
  const slowCreate = { delayMs: LIFETIME_MS + 500, verbs: ['create'], resources: ['serviceaccounts'] };

  beforeEach(async () => {
    await emu.kube.setEksTokenMaxAge(LIFETIME_MS);
    await emu.kube.setFaults(slowCreate);
  });

  test('a run that outlives its first token: several tokens, every request authorised, the work done', async () => {
    const r = await run(irsa, SCALE);
    ok(r);
    const journal = apiRequests(await emu.kube.journal());
    const refused = journal.filter((j) => j.status === 401).map((j) => `${j.method} ${j.path}: ${j.authError}`);
    expect(refused).toEqual([]);
    expect(
      journal
        .filter((j) => !(j.status < 400 || (j.status === 404 && j.method === 'GET')))
        .map((j) => `${j.method} ${j.path} ${j.status}`),
    ).toEqual([]);
    const created = journal.findIndex((j) => j.method === 'POST' && j.resource === 'serviceaccounts');
    const after = journal.slice(created + 1);
    expect(after.map((j) => `${j.method} ${j.resource}`)).toEqual(expect.arrayContaining(['PATCH deployments']));
    // Requests after the slow one carry a token signed after the first one.
    const tokens = [...new Set(journal.map((j) => j.token))];
    expect(tokens.length).toBeGreaterThan(1);
    expect(after.every((j) => j.token !== journal[0]!.token)).toBe(true);
    expect(new Set(journal.map((j) => j.tokenSignedAt)).size).toBe(tokens.length);
    const sa = await kubectl(emu, CLUSTER, ['get', 'sa', 'api', '-n', 'apps', '-o', 'json']);
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(r.outputs['role-arn']);
    const deployment = await kubectl(emu, CLUSTER, ['get', 'deployment', 'api', '-n', 'apps', '-o', 'json']);
    expect(deployment.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
  }, 60_000);

  test('the same run with one fixed token (a kubeconfig holding it) is refused once the token expires', async () => {
    // What would happen without renewal: the emulator really refuses tokens older than LIFETIME.
    const r = await run({ ...irsa, kubeconfig: emu.kubeconfigFor(CLUSTER) }, SCALE);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/refused our credentials \(401 Unauthorized\) when trying to /);
    const refused = apiRequests(await emu.kube.journal()).filter((j) => j.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((j) => /expired/.test(j.authError ?? ''))).toBe(true);
  }, 60_000);
});

test('a hung API server fails the run with one line naming the server and the call, not a hang', async () => {
  // Every request has a timeout (30 s, shrunk by the time scale to its 5 s floor here); this read never gets an
  // answer in time.
  await emu.kube.setFaults({ delayMs: 8_000, verbs: ['get'], resources: ['serviceaccounts'] });
  const r = await run({ mode: 'irsa' });
  expect(r.code).toBe(1);
  const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
  expect(errors).toEqual([
    expect.stringMatching(
      new RegExp(
        String.raw`^::error::The Kubernetes API at https:\/\/127\.0\.0\.1:\d+ did not answer within 5s ` +
          String.raw`when trying to read service account apps\/api`,
      ),
    ),
  ]);
  // Nothing was written: the run stopped at observing.
  expect((await emu.kube.journal()).filter((j) => j.isWrite)).toEqual([]);
}, 60_000);

test('requests share keep-alive connections, through a generated token and through a kubeconfig alike', async () => {
  for (const over of [{}, { kubeconfig: emu.kubeconfigFor(CLUSTER) }] as Record<string, string>[]) {
    await emu.kube.clearJournal();
    ok(await run({ ...irsa, ...over }));
    const journal = apiRequests(await emu.kube.journal());
    const connections = new Set(journal.map((j) => j.connection));
    // Observing reads concurrently (a connection each); later calls reuse them instead of a new handshake each
    // (client-node's own default: a new agent, so a new connection, for every request).
    expect(journal.length).toBeGreaterThan(6);
    expect(connections.size).toBeLessThan(journal.length);
    await emu.reset();
    await emu.createCluster(CLUSTER);
    await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  }
}, 60_000);
