// `npm run bench`: the action against the seed runbooks' aws CLI / kubectl calls, on one local emulator.
// For each mode, alternating, RUNS times: (A) the runbook's CLI calls on a fresh state, (B) `node dist/index.js`
// for the same binding on a fresh state, run as a GitHub runner runs it (inputs as INPUT_* with action.yml's
// defaults, GITHUB_OUTPUT, no KUBECONFIG: cluster access from DescribeCluster), (C) a no-op rerun. Where the
// mode talks to Kubernetes, (K) is B given the runbook's kubeconfig. Prints medians, API calls per run, B/A.
// Figures, not pass/fail: timings belong here, not in tests.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMutating } from '../emulators/aws/index.js';
import { runAction as runBundle } from '../__tests__/helpers/run-action.js';
import { NODE24, SYSTEM_NODE } from './nodes.js';
import { startEmulators, type Emulators } from '../emulators/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** Node 24, as GitHub runs the action (`runs.using: node24`); BENCH_NODE=system measures this machine's own node. */
const NODE = process.env.BENCH_NODE === 'system' ? SYSTEM_NODE : NODE24;
const BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const CLUSTER = 'bench';
const POLICY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const TRUST_PI = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] });

interface Sample { ms: number; calls: number; writes: number; kubeWrites: number }

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed (${code}): ${err}`))));
  });
}

async function measure(emu: Emulators, fn: () => Promise<unknown>): Promise<Sample> {
  await Promise.all([emu.aws.clearJournal(), emu.kube.clearJournal()]);
  const t = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const journal = await emu.aws.journal();
  return { ms, calls: journal.length, writes: journal.filter((j) => isMutating(j.operation)).length, kubeWrites: (await emu.kube.journal()).filter((j) => j.isWrite).length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function freshCluster(emu: Emulators): Promise<string> {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'apps' } });
  return emu.kubeconfigFor(CLUSTER);
}

const modes = {
  'pod-identity': {
    runbook: async (emu: Emulators) => {
      const aws = (...a: string[]) => exec('aws', ['--endpoint-url', emu.aws.endpoint, '--region', 'us-east-1', ...a], emu.programEnv());
      const role = JSON.parse(await aws('iam', 'create-role', '--role-name', 'bench-role', '--assume-role-policy-document', TRUST_PI)).Role.Arn as string;
      await aws('iam', 'attach-role-policy', '--role-name', 'bench-role', '--policy-arn', POLICY);
      await aws('eks', 'create-pod-identity-association', '--cluster-name', CLUSTER, '--namespace', 'apps', '--service-account', 'api', '--role-arn', role);
      await aws('eks', 'create-addon', '--cluster-name', CLUSTER, '--addon-name', 'eks-pod-identity-agent');
    },
    inputs: { 'create-service-account': 'false' },
    kube: false,
  },
  irsa: {
    runbook: async (emu: Emulators, kubeconfig: string) => {
      const aws = (...a: string[]) => exec('aws', ['--endpoint-url', emu.aws.endpoint, '--region', 'us-east-1', ...a], emu.programEnv());
      const issuer = JSON.parse(await aws('eks', 'describe-cluster', '--name', CLUSTER)).cluster.identity.oidc.issuer as string;
      const provider = JSON.parse(await aws('iam', 'create-open-id-connect-provider', '--url', issuer, '--client-id-list', 'sts.amazonaws.com')).OpenIDConnectProviderArn as string;
      const host = issuer.replace('https://', '');
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:sub`]: 'system:serviceaccount:apps:api', [`${host}:aud`]: 'sts.amazonaws.com' } } }] };
      const role = JSON.parse(await aws('iam', 'create-role', '--role-name', 'bench-role', '--assume-role-policy-document', JSON.stringify(trust))).Role.Arn as string;
      await aws('iam', 'attach-role-policy', '--role-name', 'bench-role', '--policy-arn', POLICY);
      await exec('kubectl', ['--kubeconfig', kubeconfig, 'annotate', 'sa', 'api', '-n', 'apps', `eks.amazonaws.com/role-arn=${role}`], {});
    },
    inputs: { mode: 'irsa', 'create-service-account': 'false' },
    kube: true,
  },
} as const;

/** Start-up figures: bundle size, cold start to a bad-input error vs `node -e 0`, emulator start. */
async function startup(): Promise<string[]> {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
  const size = files.reduce((n, f) => n + statSync(dist + f).size, 0);
  const time = async (fn: () => Promise<unknown>, n = 11) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      await fn().catch(() => undefined);
      xs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return median(xs);
  };
  const badInput = await time(() => exec(NODE, [BUNDLE, '--cluster-name', 'bad name', '--service-account', 'x', '--role-name', 'r', '--aws-region', 'us-east-1'], {}));
  const bare = await time(() => exec(NODE, ['-e', '0'], {}));
  const version = (await exec(NODE, ['--version'], {})).trim();
  const emulators = await time(async () => (await startEmulators()).stop(), 5);
  return [
    `start-up (${version}${NODE === NODE24 ? ', as GitHub runs actions' : ', this machine\'s node'}):`,
    `  bundle: ${files.length} files, ${(size / 1024 / 1024).toFixed(2)} MiB (${statSync(BUNDLE).size} bytes in dist/index.js, the rest loads lazily)`,
    `  node dist/index.js with bad input: median ${badInput.toFixed(0)} ms   node -e 0: median ${bare.toFixed(0)} ms   (11 runs each)`,
    `  both emulators (moto + Kubernetes) start and stop: median ${emulators.toFixed(0)} ms (5 runs)`,
    '',
  ];
}

async function main(): Promise<void> {
  const lines: string[] = await startup();
  const emu = await startEmulators();
  try {
    for (const [mode, m] of Object.entries(modes)) {
      const inputs = { 'cluster-name': CLUSTER, namespace: 'apps', 'service-account': 'api', 'role-name': 'bench-role', 'policy-arns': POLICY, ...m.inputs };
      // emu.programEnv() has credentials and AWS_ENDPOINT_URL only, as on a runner; the emulated cluster's
      // endpoint and CA come back from DescribeCluster.
      const runAction = async (kubeconfig?: string) => {
        const r = await runBundle(inputs, { node: NODE, env: { ...emu.programEnv(), ...(kubeconfig && { KUBECONFIG: kubeconfig }) } });
        if (r.code !== 0) throw new Error(`the action failed (${r.code}): ${r.stdout.split('\n').filter((l) => l.startsWith('::error')).join(' ')}`);
      };
      const samples: Record<'A' | 'B' | 'C' | 'K', Sample[]> = { A: [], B: [], C: [], K: [] };
      for (let i = 0; i < RUNS; i++) {
        // Alternate, so drift in the machine's load touches both sides alike.
        let kubeconfig = await freshCluster(emu);
        samples.A.push(await measure(emu, () => m.runbook(emu, kubeconfig)));
        await freshCluster(emu);
        samples.B.push(await measure(emu, () => runAction()));
        samples.C.push(await measure(emu, () => runAction()));
        if (!m.kube) continue;
        kubeconfig = await freshCluster(emu);
        samples.K.push(await measure(emu, () => runAction(kubeconfig)));
      }
      const row = (label: string, s: Sample[]) =>
        `  ${label.padEnd(34)} median ${median(s.map((x) => x.ms)).toFixed(0).padStart(5)} ms   AWS calls ${median(s.map((x) => x.calls))}   AWS writes ${median(s.map((x) => x.writes))}   Kubernetes writes ${median(s.map((x) => x.kubeWrites))}`;
      const ratio = (s: Sample[]) => (median(s.map((x) => x.ms)) / median(samples.A.map((x) => x.ms))).toFixed(3);
      lines.push(`${mode} (${RUNS} runs each, alternating):`, row('A  runbook (aws CLI, kubectl)', samples.A), row('B  node dist/index.js, fresh', samples.B), row('C  node dist/index.js, no-op rerun', samples.C));
      if (m.kube) lines.push(row('K  as B, given the kubeconfig', samples.K));
      lines.push(`  B/A = ${ratio(samples.B)}${m.kube ? `   K/A = ${ratio(samples.K)}` : ''}`, '');
    }
  } finally {
    await emu.stop();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exit(1);
});
