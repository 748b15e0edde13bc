// `npm run bench`: the bundle on Node 24, run as a GitHub runner runs it (inputs as INPUT_* with action.yml's
// defaults, GITHUB_OUTPUT, no KUBECONFIG: cluster access from DescribeCluster), against local emulators that
// answer with real-AWS-like latency (EMULATOR_LATENCY_MS, default iam=90,eks=60,sts=40,kube=15; BENCH_LATENCY_MS
// overrides it, "" = none). Scenarios, each on a fresh state, RUNS times, interleaved:
//   pod-identity fresh (add-on already ACTIVE, no role), its no-op rerun; IRSA fresh, its no-op rerun;
//   pod-identity on an existing role with a foreign trust statement (a trust merge).
// Per run, from the emulators' journals (each request's arrival and answer, monotonic ms, one clock for both):
//   depth     the longest chain of requests that had to wait for one another (B after A when B arrived after A
//             was answered), i.e. how many round trips in a row the run needed;
//   path      the largest sum of injected latencies along such a chain: no client can do the run faster;
//   start-up  process start -> its first request (`node -e 0` is printed too: what Node itself needs);
//   floor     path + start-up: the wall time if every request waited only for what it must;
//   idle      time after the first request with no request in flight (the program's own work and waits).
// Figures, not pass/fail: timings belong here, not in tests.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EKSClient, CreateAddonCommand } from '@aws-sdk/client-eks';
import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { isMutating } from '../emulators/aws/index.js';
import { runAction as runBundle } from '../__tests__/helpers/run-action.js';
import { NODE24, SYSTEM_NODE } from './nodes.js';
import { startEmulators, type Emulators } from '../emulators/index.js';

const LATENCY = process.env.BENCH_LATENCY_MS ?? 'iam=90,eks=60,sts=40,kube=15';
process.env.EMULATOR_LATENCY_MS = LATENCY; // read by both emulators when they start (the python one inherits it)
const LATENCY_MS: Record<string, number> = Object.fromEntries(
  LATENCY.split(',')
    .filter(Boolean)
    .map((p) => p.split('=').map((x) => x.trim()))
    .map(([k, v]) => [k!.toLowerCase(), Number(v)]),
);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** Node 24, as GitHub runs the action (`runs.using: node24`); BENCH_NODE=system measures this machine's own node. */
const NODE = process.env.BENCH_NODE === 'system' ? SYSTEM_NODE : NODE24;
const BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const CLUSTER = 'bench';
const ROLE = 'bench-role';
const POLICY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const nowMs = () => Number(process.hrtime.bigint()) / 1e6; // CLOCK_MONOTONIC, as the journals

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
  const aws = (await emu.aws.journal()).map((j) => ({
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
      ...(await emu.aws.journal()).map((j) => `${j.service} ${j.operation} ${j.status}`),
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

/** Start-up figures: bundle size, cold start to a bad-input error vs `node -e 0`, emulator start. */
async function startup(): Promise<{ lines: string[]; bare: number }> {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
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
      `  both emulators (moto + Kubernetes) start and stop: median ${emulators.toFixed(0)} ms (5 runs)`,
      '',
    ],
  };
}

async function main(): Promise<void> {
  const { lines, bare } = await startup();
  const emu = await startEmulators();
  const samples = new Map<string, Sample[]>();
  const add = (label: string, s: Sample) => samples.set(label, [...(samples.get(label) ?? []), s]);
  try {
    for (let i = 0; i < RUNS; i++) {
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
          const r = await runBundle(inputs, { node: NODE, env: emu.programEnv() });
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
  } finally {
    await emu.stop();
  }
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
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exit(1);
});
