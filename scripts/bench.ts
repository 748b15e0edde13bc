// `npm run bench`: the bundle on Node 24, run as a GitHub runner runs it (inputs as INPUT_* with action.yml's
// defaults, GITHUB_OUTPUT, no KUBECONFIG: cluster access from DescribeCluster), against local emulators that
// answer with real-AWS-like latency (EMULATOR_LATENCY_MS, default iam=90,eks=60,sts=40,account=90,kube=15;
// BENCH_LATENCY_MS overrides it, "" = none). Scenarios, each on a fresh state, RUNS times, interleaved:
//   pod-identity fresh (add-on already ACTIVE, no role), its no-op rerun; IRSA fresh, its no-op rerun;
//   pod-identity on an existing role with a foreign trust statement (a trust merge).
// Many bindings in one run (input `bindings`, issue 11), each with its target printed and whether it is met:
//   20 pod-identity bindings on one cluster (add-on ACTIVE, 10 roles, 4 namespaces), fresh (vs the same 20 run one
//   by one, once) and its no-op rerun (calls per binding); 100 bindings against IAM allowing 10 writes per second
//   (wall vs IAM writes / 10 per s); a handful of bindings on a cluster whose add-on needs 20 s to become ACTIVE
//   (wall vs that wait, and when CreateAddon was sent). BENCH_MANY=0 skips them; BENCH_RUNS_SLOW (default
//   min(RUNS, 3)) is the number of runs of the two slow ones.
// Removal (issue 18): one binding (its role deleted), and five bindings of five roles in one run; BENCH_ONLY=removal
//   runs only these (and the start-up figures); BENCH_ONLY=single only the single-binding scenarios above.
// Per run, from the emulators' journals (each request's arrival and answer, monotonic ms, one clock for both):
//   depth     the longest chain of requests that had to wait for one another (B after A when B arrived after A
//             was answered), i.e. how many round trips in a row the run needed;
//   path      the largest sum of injected latencies along such a chain: no client can do the run faster;
//   start-up  process start -> its first request (`node -e 0` is printed too: what Node itself needs);
//   floor     path + start-up: the wall time if every request waited only for what it must;
//   idle      time after the first request with no request in flight (the program's own work and waits).
// Figures, not pass/fail: timings belong here, not in tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EKSClient, CreateAddonCommand } from '@aws-sdk/client-eks';
import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { isMutating } from '../emulators/aws/index.js';
import { runAction as runBundle } from '../__tests__/helpers/run-action.js';
import { NODE24, SYSTEM_NODE } from './nodes.js';
import { startEmulators, type Emulators } from '../emulators/index.js';

const LATENCY = process.env.BENCH_LATENCY_MS ?? 'iam=90,eks=60,sts=40,account=90,kube=15';
process.env.EMULATOR_LATENCY_MS = LATENCY; // read by both emulators when they start (the python one inherits it)
const LATENCY_MS: Record<string, number> = Object.fromEntries(
  LATENCY.split(',')
    .filter(Boolean)
    .map((p) => p.split('=').map((x) => x.trim()))
    .map(([k, v]) => [k!.toLowerCase(), Number(v)]),
);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** Runs of the two slow many-binding scenarios (100 bindings at 10 IAM writes/s; the add-on's 20 s). */
const RUNS_SLOW = Number(process.env.BENCH_RUNS_SLOW ?? Math.max(1, Math.min(RUNS, 3)));
const MANY = process.env.BENCH_MANY !== '0';
/** BENCH_ONLY=removal: the removal scenarios only (and the start-up figures). */
const REMOVAL_ONLY = process.env.BENCH_ONLY === 'removal';
/** BENCH_ONLY=proof: the proof-of-credentials scenarios only (and the start-up figures). */
const PROOF_ONLY = process.env.BENCH_ONLY === 'proof';
/** BENCH_ONLY=single: the single-binding scenarios only (fresh, rerun, trust merge), e.g. with BENCH_TRACE. */
const SINGLE_ONLY = process.env.BENCH_ONLY === 'single';
/** Node 24, as GitHub runs the action (`runs.using: node24`); BENCH_NODE=system measures this machine's own node. */
const NODE = process.env.BENCH_NODE === 'system' ? SYSTEM_NODE : NODE24;
/** BENCH_DIST: another build's dist/ directory (e.g. a copy of the one before a change), else this one's. */
const DIST = process.env.BENCH_DIST
  ? join(process.env.BENCH_DIST, '/')
  : fileURLToPath(new URL('../dist/', import.meta.url));
const BUNDLE = join(DIST, 'index.js');
const CLUSTER = 'bench';
const ROLE = 'bench-role';
const POLICY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const nowMs = () => Number(process.hrtime.bigint()) / 1e6; // CLOCK_MONOTONIC, as the journals
/**
 * What a GitHub runner sets for every step besides the inputs (run-action.ts sets GITHUB_ACTIONS, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, RUNNER_TEMP): with these the run tags what it creates with its provenance and links the run
 * in the summary, as on a runner. Without them the bench measured a run that took neither path.
 */
const RUNNER_ENV: NodeJS.ProcessEnv = {
  CI: 'true',
  GITHUB_REPOSITORY: 'acme/platform',
  GITHUB_REPOSITORY_OWNER: 'acme',
  GITHUB_WORKFLOW: 'deploy',
  GITHUB_WORKFLOW_REF: 'acme/platform/.github/workflows/deploy.yml@refs/heads/main',
  GITHUB_RUN_ID: '12345678901',
  GITHUB_RUN_NUMBER: '42',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_JOB: 'bind',
  GITHUB_ACTION: '__acme_eks-pod-iam',
  GITHUB_ACTOR: 'octocat',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
  GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  RUNNER_OS: 'Linux',
  RUNNER_ARCH: 'X64',
  RUNNER_NAME: 'GitHub Actions 1',
  RUNNER_ENVIRONMENT: 'github-hosted',
  // The webhook payload, which @actions/github's context reads when it loads.
  GITHUB_EVENT_PATH: join(tmpdir(), 'eks-pod-iam-bench-event.json'),
};
writeFileSync(
  RUNNER_ENV.GITHUB_EVENT_PATH!,
  JSON.stringify({
    ref: 'refs/heads/main',
    after: RUNNER_ENV.GITHUB_SHA,
    repository: { full_name: 'acme/platform', name: 'platform', owner: { login: 'acme' } },
    sender: { login: 'octocat' },
  }),
);

/**
 * Node's compile cache (src/index.ts enables it; it lives in os.tmpdir() unless NODE_COMPILE_CACHE says where) is
 * empty on a fresh runner: the bench's runs go without it (NODE_DISABLE_COMPILE_CACHE), else every run after the
 * first would start with the bundle already compiled, which a job's first step never does (and the start-up
 * measured would not be a runner's). BENCH_COMPILE_CACHE=warm keeps one for all.
 */
const COLD = process.env.BENCH_COMPILE_CACHE !== 'warm';
/** The program's environment: the emulators' credentials and endpoint, and what a runner sets. */
const runnerEnv = (emu: Emulators): NodeJS.ProcessEnv => ({
  ...RUNNER_ENV,
  ...emu.programEnv(),
  ...(COLD ? { NODE_DISABLE_COMPILE_CACHE: '1' } : {}),
});

interface Request {
  service: string;
  start: number;
  end: number;
  write: boolean;
}
interface Sample {
  ms: number;
  startup: number;
  aws: number;
  kube: number;
  awsWrites: number;
  kubeWrites: number;
  depth: number;
  path: number;
  idle: number;
  /** IAM writes IAM accepted, and the ones it answered 400 Throttling (the rate limit). */
  iamWrites: number;
  throttled: number;
  /** When each AWS operation was first sent, ms after process start (t0). */
  firstSent: Record<string, number>;
  /** AWS calls per operation. */
  ops: Record<string, number>;
}

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed (${code}): ${err}`)),
    );
  });
}

/**
 * Depth (longest chain of requests each arriving after the previous one was answered) and the largest latency sum
 * along such a chain.
 */
function chains(requests: Request[]): { depth: number; path: number } {
  const rs = [...requests].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  const path: number[] = [];
  rs.forEach((r, i) => {
    let d = 0;
    let p = 0;
    for (let j = 0; j < i; j++)
      if (rs[j]!.end <= r.start) {
        d = Math.max(d, depth[j]!);
        p = Math.max(p, path[j]!);
      }
    depth.push(d + 1);
    path.push(p + (LATENCY_MS[r.service] ?? 0));
  });
  return { depth: Math.max(0, ...depth), path: Math.max(0, ...path) };
}

/** Time between the first request's arrival and the last answer during which no request was in flight. */
function idle(requests: Request[]): number {
  const rs = [...requests].sort((a, b) => a.start - b.start);
  let gaps = 0;
  let reach = rs[0]?.end ?? 0;
  for (const r of rs) {
    if (r.start > reach) gaps += r.start - reach;
    reach = Math.max(reach, r.end);
  }
  return gaps;
}

async function measure(emu: Emulators, run: () => Promise<void>): Promise<Sample> {
  await Promise.all([emu.aws.clearJournal(), emu.kube.clearJournal()]);
  const t0 = nowMs();
  await run();
  const ms = nowMs() - t0;
  const journal = await emu.aws.journal();
  const aws = journal.map((j) => ({
    service: j.service,
    start: j.start,
    end: j.end,
    write: isMutating(j.operation),
  }));
  const kube = (await emu.kube.journal()).map((j) => ({
    service: 'kube',
    start: j.start,
    end: j.end ?? j.start,
    write: j.isWrite,
  }));
  const all = [...aws, ...kube];
  if (process.env.BENCH_TRACE) {
    const names = [
      ...journal.map((j) => `${j.service} ${j.operation} ${j.status}`),
      ...(await emu.kube.journal()).map((j) => `kube ${j.verb} ${j.resource ?? j.path} ${j.status}`),
    ];
    const rows = all.map((r, i) => ({ ...r, name: names[i]! })).sort((a, b) => a.start - b.start);
    const at = (t: number) => (t - t0).toFixed(0).padStart(5);
    const trace = rows.map((r) => `  ${at(r.start)} → ${at(r.end)}  ${r.name}`).join('\n');
    process.stderr.write(`${trace}\n  exit ${ms.toFixed(0)}\n\n`);
  }
  return {
    ms,
    startup: Math.min(...all.map((r) => r.start)) - t0,
    aws: aws.length,
    kube: kube.length,
    awsWrites: aws.filter((r) => r.write).length,
    kubeWrites: kube.filter((r) => r.write).length,
    ...chains(all),
    idle: idle(all),
    iamWrites: journal.filter((j) => j.service === 'iam' && isMutating(j.operation) && j.status < 400).length,
    throttled: journal.filter((j) => j.status === 400 && j.fault === 'throttle').length,
    ops: journal.reduce<Record<string, number>>(
      (acc, j) => ({ ...acc, [j.operation]: (acc[j.operation] ?? 0) + 1 }),
      {},
    ),
    firstSent: journal.reduce<Record<string, number>>(
      (acc, j) => ({ ...acc, [j.operation]: Math.min(acc[j.operation] ?? Infinity, j.start - t0) }),
      {},
    ),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function freshCluster(emu: Emulators): Promise<void> {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'apps' } });
}

interface Scenario {
  label: string;
  inputs: Record<string, string>;
  before?: (emu: Emulators) => Promise<void>;
  rerun?: string;
}

const withAddon = async (emu: Emulators) => {
  const eks = new EKSClient(emu.aws.clientConfig());
  // ACTIVE at once (readsUntilActive 0)
  await eks.send(new CreateAddonCommand({ clusterName: CLUSTER, addonName: 'eks-pod-identity-agent' }));
  eks.destroy();
};

const scenarios: Scenario[] = [
  {
    label: 'pod-identity, fresh (add-on ACTIVE, no role)',
    inputs: { 'create-service-account': 'false' },
    before: withAddon,
    rerun: 'pod-identity, no-op rerun',
  },
  { label: 'irsa, fresh', inputs: { mode: 'irsa', 'create-service-account': 'false' }, rerun: 'irsa, no-op rerun' },
  {
    label: 'pod-identity, existing role (trust merge)',
    inputs: { 'create-service-account': 'false' },
    before: async (emu) => {
      await withAddon(emu);
      const iam = new IAMClient(emu.aws.clientConfig());
      // a foreign statement to keep
      await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: EC2_TRUST }));
      iam.destroy();
    },
  },
];

// Many bindings (issue 11 "Speed").
const NAMESPACES = ['apps', 'web', 'jobs', 'data'];
const POLICIES = [
  POLICY,
  'arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess',
  'arn:aws:iam::aws:policy/AmazonSQSFullAccess',
  'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
  'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess',
];
type Binding = Record<'namespace' | 'service-account' | 'role-name' | 'policy-arns', string>;
/**
 * n pod-identity bindings on CLUSTER, n/2 roles: the first three quarters of the bindings share a role by three, the
 * rest have one each; each role one policy ARN; service accounts (created by the run) in four namespaces.
 */
function manyBindings(n: number): Binding[] {
  return Array.from({ length: n }, (_, i) => {
    const role = i < (3 * n) / 4 ? Math.floor(i / 3) : Math.ceil(n / 4) + i - Math.ceil((3 * n) / 4);
    return {
      namespace: NAMESPACES[i % NAMESPACES.length]!,
      'service-account': `sa-${i}`,
      'role-name': `bench-role-${role}`,
      'policy-arns': POLICIES[role % POLICIES.length]!,
    };
  });
}
/**
 * The independent bench's scenario (issue 19): n bindings in one namespace, each with a role of its own and one
 * policy ARN (S3 read-only), the service accounts created by the run.
 */
const ownRoles = (n: number): Binding[] =>
  Array.from({ length: n }, (_, i) => ({
    namespace: 'apps',
    'service-account': `own-${i}`,
    'role-name': `own-role-${i}`,
    'policy-arns': POLICY,
  }));
async function seedNamespaces(emu: Emulators): Promise<void> {
  for (const name of NAMESPACES)
    if (name !== 'apps') await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}
/** Bindings the run reports applied without an error (0 when it did not report them). */
function converged(r: { outputs: Record<string, string> }): number {
  try {
    return (JSON.parse(r.outputs.bindings ?? '[]') as { error?: string }[]).filter((b) => !b.error).length;
  } catch {
    return 0;
  }
}
const failure = (r: { code: number; stdout: string }) =>
  `exit ${r.code}: ${r.stdout
    .split('\n')
    .filter((l) => l.startsWith('::error'))
    .slice(0, 3)
    .join(' ')}`;

interface Many {
  samples: Map<string, Sample[]>;
  lines: string[];
}

async function many(emu: Emulators): Promise<Many> {
  const samples = new Map<string, Sample[]>();
  const add = (label: string, s: Sample) => samples.set(label, [...(samples.get(label) ?? []), s]);
  const problems: string[] = [];
  const runMany = async (items: Binding[], label: string, ok: number[]) => {
    const r = await runBundle(
      { 'cluster-name': CLUSTER, bindings: JSON.stringify(items) },
      { node: NODE, env: runnerEnv(emu), bundle: BUNDLE },
    );
    const n = r.code === 0 ? converged(r) : 0;
    ok.push(n);
    if (n !== items.length) problems.push(`  ${label}: ${n}/${items.length} converged (${failure(r)})`);
  };
  const L20 = '20 bindings, fresh (add-on ACTIVE)';
  const L20E = '20 bindings, a role each, fresh (issue 19)';
  const L20R = '20 bindings, no-op rerun';
  const L100 = `100 bindings, IAM 10 writes/s (${RUNS_SLOW} runs)`;
  const LADD = `5 bindings, add-on ACTIVE after 20s (${RUNS_SLOW} runs)`;
  const ok: Record<string, number[]> = { [L20]: [], [L20E]: [], [L20R]: [], [L100]: [], [LADD]: [] };
  const b20 = manyBindings(20);
  const b100 = manyBindings(100);
  const b5 = manyBindings(5);
  for (let i = 0; i < Math.max(RUNS, RUNS_SLOW); i++) {
    if (i < RUNS) {
      await freshCluster(emu);
      await withAddon(emu);
      await seedNamespaces(emu);
      add(L20, await measure(emu, () => runMany(b20, L20, ok[L20]!)));
      add(L20R, await measure(emu, () => runMany(b20, L20R, ok[L20R]!)));
      await freshCluster(emu);
      await withAddon(emu);
      add(L20E, await measure(emu, () => runMany(ownRoles(20), L20E, ok[L20E]!)));
    }
    if (i < RUNS_SLOW) {
      await freshCluster(emu);
      await withAddon(emu);
      await seedNamespaces(emu);
      await emu.aws.setIamWriteRateLimit(10);
      add(L100, await measure(emu, () => runMany(b100, L100, ok[L100]!)));
      await freshCluster(emu); // reset(): the rate limit back off
      await seedNamespaces(emu);
      await emu.aws.setAddonBehaviour({ secondsUntilActive: 20 });
      add(LADD, await measure(emu, () => runMany(b5, LADD, ok[LADD]!)));
    }
  }
  // The baseline: the same 20 bindings, each in a run of its own, one after the other (once: it takes a while).
  await freshCluster(emu);
  await withAddon(emu);
  await seedNamespaces(emu);
  const t = nowMs();
  for (const b of b20) {
    const r = await runBundle({ 'cluster-name': CLUSTER, ...b }, { node: NODE, env: runnerEnv(emu), bundle: BUNDLE });
    if (r.code !== 0) problems.push(`  20 sequential runs: ${b['service-account']} failed (${failure(r)})`);
  }
  const sequential = nowMs() - t;

  const m = (label: string, f: (x: Sample) => number) => median(samples.get(label)!.map(f));
  const met = (yes: boolean) => (yes ? 'met' : 'MISSED');
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const all = (label: string, n: number) => `${median(ok[label]!)}/${n} converged (${met(median(ok[label]!) === n)})`;
  const wall20 = m(L20, (x) => x.ms);
  const wallE = m(L20E, (x) => x.ms);
  const callsE = m(L20E, (x) => x.aws);
  const opsE = samples.get(L20E)!.map((x) => x.ops);
  const perOp = Object.keys(opsE[0] ?? {})
    .map((op) => `${op} ${median(opsE.map((o) => o[op] ?? 0))}`)
    .join(', ');
  const wallR = m(L20R, (x) => x.ms);
  const callsR = m(L20R, (x) => x.aws);
  const writesR = m(L20R, (x) => x.awsWrites + x.kubeWrites);
  const wall100 = m(L100, (x) => x.ms);
  const iamWrites = m(L100, (x) => x.iamWrites);
  const floor100 = (iamWrites / 10) * 1000;
  const wallAdd = m(LADD, (x) => x.ms);
  const createAddon = m(LADD, (x) => x.firstSent.CreateAddon ?? NaN);
  const before = m(LADD, (x) => Object.values(x.firstSent).filter((t) => t < (x.firstSent.CreateAddon ?? 0)).length);
  const first = samples.get(LADD)![0]!.firstSent;
  const beforeNames = Object.keys(first).filter((op) => first[op]! < (first.CreateAddon ?? 0));
  const lines = [
    'many bindings in one run (input `bindings`, one cluster; medians; targets from issue 11):',
    `  ${L20}: wall ${ms(wall20)} (target <= 3000 ms: ${met(wall20 <= 3000)}); ${all(L20, 20)}; ` +
      `the same 20 as 20 runs one after the other (measured once): ${ms(sequential)} = ` +
      `${(sequential / wall20).toFixed(1)}x`,
    `  ${L20E}: wall ${ms(wallE)} (target <= 3000 ms: ${met(wallE <= 3000)}); AWS calls ${callsE} = ` +
      `${(callsE / 20).toFixed(2)} per binding (target <= 6 per binding + 3 per cluster = 123: ` +
      `${met(callsE <= 123)}); ${all(L20E, 20)}`,
    `    AWS calls per operation: ${perOp}`,
    `  ${L20R}: wall ${ms(wallR)} (target <= 1000 ms: ${met(wallR <= 1000)}); writes ${writesR} ` +
      `(target 0: ${met(writesR === 0)}); AWS calls ${callsR} = ${(callsR / 20).toFixed(2)} per binding ` +
      `(target <= 3 per binding + 4 per cluster = 64: ${met(callsR <= 64)}); ${all(L20R, 20)}`,
    `  ${L100}: ${all(L100, 100)}; IAM writes ${iamWrites}, throttled answers ${m(L100, (x) => x.throttled)}, ` +
      `wall ${ms(wall100)}, floor (IAM writes / 10 per s) ${ms(floor100)}, ratio ${(wall100 / floor100).toFixed(2)} ` +
      `(target <= 1.5: ${met(wall100 <= 1.5 * floor100)})`,
    `  ${LADD}: wall ${ms(wallAdd)} = ${(wallAdd / 20000).toFixed(2)}x the 20 s wait (target <= 1.1: ` +
      `${met(wallAdd <= 22000)}); CreateAddon sent ${ms(createAddon)} after process start, ` +
      `${before} other AWS operation(s) sent before it (${beforeNames.join(', ')}: first run); ${all(LADD, 5)}`,
    ...(problems.length ? ['  failures:', ...problems.slice(0, 10)] : []),
    '',
  ];
  return { samples, lines };
}

// Removal (state: absent, issue 18): what deciding "is the role's plain Pod Identity statement still used?" costs,
// one binding and a manifest of five bindings of five roles, each role created by a run before (not measured).
const REMOVAL_1 = 'removal, 1 binding (role deleted)';
const REMOVAL_5 = 'removal, 5 bindings of 5 roles';
const removalItems = (n: number, state: string) =>
  Array.from({ length: n }, (_, i) => ({
    namespace: 'apps',
    'service-account': `rm-${i}`,
    'role-name': `bench-rm-${i}`,
    'create-service-account': 'true',
    state,
  }));

async function removals(emu: Emulators, add: (label: string, s: Sample) => void): Promise<void> {
  for (const [label, n] of [
    [REMOVAL_1, 1],
    [REMOVAL_5, 5],
  ] as const) {
    await freshCluster(emu);
    await withAddon(emu);
    const bindings = (state: string) => ({ 'cluster-name': CLUSTER, bindings: JSON.stringify(removalItems(n, state)) });
    const made = await runBundle(bindings('present'), { node: NODE, env: emu.programEnv() });
    if (made.code !== 0) throw new Error(`${label}: setting up failed (${made.code}): ${made.stdout}`);
    add(
      label,
      await measure(emu, async () => {
        const r = await runBundle(bindings('absent'), { node: NODE, env: emu.programEnv() });
        if (r.code !== 0) throw new Error(`${label}: the removal failed (${r.code}): ${r.stdout}`);
      }),
    );
  }
}

/** Start-up figures: bundle size, cold start to a bad-input error vs `node -e 0`, emulator start. */
async function startup(): Promise<{ lines: string[]; bare: number }> {
  const dist = DIST;
  const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
  const size = files.reduce((n, f) => n + statSync(dist + f).size, 0);
  const time = async (fn: () => Promise<unknown>, n = 11) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = nowMs();
      await fn().catch(() => undefined);
      xs.push(nowMs() - t);
    }
    return median(xs);
  };
  const badInput = await time(() =>
    exec(
      NODE,
      [BUNDLE, '--cluster-name', 'bad name', '--service-account', 'x', '--role-name', 'r', '--aws-region', 'us-east-1'],
      {},
    ),
  );
  const bare = await time(() => exec(NODE, ['-e', '0'], {}));
  // What a run compiles before its first request: the entry and the lazily loaded chunks (AWS SDK, Kubernetes).
  const chunks = files.map((f) => `import(${JSON.stringify(dist + f)})`).join(',');
  const load = (cache: string) =>
    time(() =>
      exec(NODE, ['--input-type=module', '-e', `await Promise.all([${chunks}])`], { NODE_COMPILE_CACHE: cache }),
    );
  const warmDir = mkdtempSync(join(tmpdir(), 'bench-cc-'));
  await load(warmDir);
  const [cold, warm] = [await load(''), await load(warmDir)];
  const version = (await exec(NODE, ['--version'], {})).trim();
  const emulators = await time(async () => (await startEmulators()).stop(), 5);
  return {
    bare,
    lines: [
      `start-up (${version}${NODE === NODE24 ? ', as GitHub runs actions' : ", this machine's node"}):`,
      `  bundle: ${files.length} files, ${(size / 1024 / 1024).toFixed(2)} MiB ` +
        `(${statSync(BUNDLE).size} bytes in dist/index.js, the rest loads lazily)`,
      `  node dist/index.js with bad input: median ${badInput.toFixed(0)} ms   ` +
        `node -e 0: median ${bare.toFixed(0)} ms   (11 runs each)`,
      `  compiling the bundle's ${files.length} files: without compile cache median ${cold.toFixed(0)} ms, ` +
        `with a warm one ${warm.toFixed(0)} ms; the runs below go ` +
        (COLD ? 'without one, as on a fresh runner' : 'with a warm one'),
      `  both emulators (moto + Kubernetes) start and stop: median ${emulators.toFixed(0)} ms (5 runs)`,
      '',
    ],
  };
}

// Proof of credentials (issue 20): the same runs with and without `verify-credentials: exchange`, the emulator
// making every trust and association change effective for the exchanges only 3 s after it was made.
const PROPAGATION_S = 3;
const PROOF_1 = 'pod-identity, fresh, no proof';
const PROOF_1E = 'pod-identity, fresh, exchange (3 s delay)';
const PROOF_20 = '20 bindings, fresh, no proof';
const PROOF_20E = '20 bindings, fresh, exchange (3 s delay)';

async function proofs(emu: Emulators, add: (label: string, s: Sample) => void): Promise<void> {
  const single = { 'cluster-name': CLUSTER, namespace: 'apps', 'service-account': 'api', 'role-name': ROLE };
  const many20 = { 'cluster-name': CLUSTER, bindings: JSON.stringify(manyBindings(20)) };
  for (const [label, inputs] of [
    [PROOF_1, single],
    [PROOF_1E, { ...single, 'verify-credentials': 'exchange' }],
    [PROOF_20, many20],
    [PROOF_20E, { ...many20, 'verify-credentials': 'exchange' }],
  ] as const) {
    await freshCluster(emu);
    await withAddon(emu);
    await seedNamespaces(emu);
    await emu.aws.setPropagationDelay(PROPAGATION_S);
    add(
      label,
      await measure(emu, async () => {
        const r = await runBundle(inputs, { node: NODE, env: runnerEnv(emu), bundle: BUNDLE });
        if (r.code !== 0) throw new Error(`${label}: the run failed (${r.code}): ${failure(r)}`);
      }),
    );
  }
}

function proofLines(samples: Map<string, Sample[]>): string[] {
  const wall = (label: string) => median(samples.get(label)!.map((x) => x.ms));
  const target = (label: string, base: string, slack: number) => {
    const limit = wall(base) + PROPAGATION_S * 1000 + slack;
    const met = wall(label) <= limit ? 'met' : 'MISSED';
    return (
      `  ${label}: wall ${wall(label).toFixed(0)} ms; target <= ${base} (${wall(base).toFixed(0)} ms) ` +
      `+ the delay + ${slack} ms = ${limit.toFixed(0)} ms: ${met}`
    );
  };
  return [
    `proof of credentials (verify-credentials: exchange; propagation delay ${PROPAGATION_S} s; medians):`,
    target(PROOF_1E, PROOF_1, 500),
    target(PROOF_20E, PROOF_20, 1000),
    '',
  ];
}

async function main(): Promise<void> {
  const { lines, bare } = await startup();
  const emu = await startEmulators();
  const samples = new Map<string, Sample[]>();
  const add = (label: string, s: Sample) => samples.set(label, [...(samples.get(label) ?? []), s]);
  let manyResult: Many | undefined;
  try {
    for (let i = 0; i < RUNS; i++) {
      if (!PROOF_ONLY && !SINGLE_ONLY) await removals(emu, add);
      if (!REMOVAL_ONLY && !SINGLE_ONLY) await proofs(emu, add);
      if (REMOVAL_ONLY || PROOF_ONLY) continue;
      for (const s of scenarios) {
        // Interleaved, so drift in the machine's load touches every scenario alike.
        await freshCluster(emu);
        await s.before?.(emu);
        const inputs = {
          'cluster-name': CLUSTER,
          namespace: 'apps',
          'service-account': 'api',
          'role-name': ROLE,
          'policy-arns': POLICY,
          ...s.inputs,
        };
        // emu.programEnv() has credentials and AWS_ENDPOINT_URL only, as on a runner; the emulated cluster's
        // endpoint and CA come back from DescribeCluster.
        const run = async () => {
          const r = await runBundle(inputs, { node: NODE, env: runnerEnv(emu), bundle: BUNDLE });
          if (r.code !== 0)
            throw new Error(
              `${s.label}: the action failed (${r.code}): ${r.stdout
                .split('\n')
                .filter((l) => l.startsWith('::error'))
                .join(' ')}`,
            );
        };
        add(s.label, await measure(emu, run));
        if (s.rerun) add(s.rerun, await measure(emu, run));
      }
    }
    if (MANY && !REMOVAL_ONLY && !PROOF_ONLY && !SINGLE_ONLY) manyResult = await many(emu);
  } finally {
    await emu.stop();
  }
  for (const [label, s] of manyResult?.samples ?? []) samples.set(label, s);
  const m = (s: Sample[], f: (x: Sample) => number) => median(s.map(f));
  // The table: a scenario column, then these columns, each right-aligned to its width.
  const columns: [heading: string, width: number][] = [
    ['wall', 6],
    ['start-up', 8],
    ['calls aws+kube', 14],
    ['writes aws+kube', 15],
    ['depth', 5],
    ['path', 6],
    ['floor', 6],
    ['wall/floor', 10],
    ['idle', 6],
  ];
  const row = (label: string, cells: string[]) =>
    `  ${label.padEnd(44)} ${cells.map((c, i) => c.padStart(columns[i]![1])).join(' ')}`;
  const ms = (n: number) => `${n.toFixed(0)}ms`;
  const node = NODE === NODE24 ? '24' : 'system';
  lines.push(
    `bindings (${RUNS} runs each, interleaved; medians; Node ${node}; latency ${LATENCY || 'none'} ms per request):`,
    '  depth = the longest chain of requests each sent after the previous one was answered; ' +
      'path = the largest sum of injected latencies along such a chain;',
    `  floor = path + start-up (process start -> first request; node -e 0 alone: ${bare.toFixed(0)} ms); ` +
      'idle = no request in flight after the first one',
    row(
      'scenario',
      columns.map(([heading]) => heading),
    ),
  );
  for (const [label, s] of samples) {
    const floor = m(s, (x) => x.path + x.startup);
    const wall = m(s, (x) => x.ms);
    lines.push(
      row(label, [
        ms(wall),
        ms(m(s, (x) => x.startup)),
        `${m(s, (x) => x.aws)}+${m(s, (x) => x.kube)}`,
        `${m(s, (x) => x.awsWrites)}+${m(s, (x) => x.kubeWrites)}`,
        String(m(s, (x) => x.depth)),
        ms(m(s, (x) => x.path)),
        ms(floor),
        (wall / floor).toFixed(2),
        ms(m(s, (x) => x.idle)),
      ]),
    );
  }
  if (!REMOVAL_ONLY && !SINGLE_ONLY) lines.push('', ...proofLines(samples));
  if (manyResult) lines.push('', ...manyResult.lines);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exit(1);
});
