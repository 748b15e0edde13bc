// `npm run demo`: the program's main job, locally. Starts the emulators, creates a demo EKS cluster, and runs
// the bundled action as a new user would — dry run, apply, rerun — in both modes, printing plan and result.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulators, type Emulators } from '../emulators/index.js';
import { SYSTEM_NODE } from './nodes.js';

const BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const CLUSTER = 'demo';

function banner(title: string): void {
  process.stdout.write(`\n\x1b[1m━━ ${title}\x1b[0m\n`);
}

/** Runs the bundle through its CLI shell; its log (stderr) and outputs (stdout) are shown as they come. */
function action(emu: Emulators, args: string[]): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_NODE, [BUNDLE, ...args], {
      env: { ...process.env, ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const outputs = Object.fromEntries(
        out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      for (const [k, v] of Object.entries(outputs)) if (k !== 'changes') process.stdout.write(`  output ${k} = ${v}\n`);
      if (code === 0) resolve(outputs);
      else reject(new Error(`the action failed (exit ${code})`));
    });
  });
}

/** What a new user does: look at the plan, apply it, and see that a rerun has nothing left to change. */
async function dryRunApplyRerun(emu: Emulators, mode: string, args: string[]): Promise<void> {
  banner(`${mode} — dry run: what would change`);
  await action(emu, [...args, '--dry-run']);
  banner(`${mode} — apply`);
  await action(emu, args);
  banner(`${mode} — rerun: nothing left to change`);
  await expectNoChange(await action(emu, args));
}

async function main(): Promise<void> {
  const started = Date.now();
  banner('Starting the local emulators (moto for IAM/STS/EKS, a Kubernetes API server)');
  const emu = await startEmulators();
  try {
    process.stdout.write(`  AWS: ${emu.aws.endpoint}   Kubernetes: ${emu.kube.url}   (${Date.now() - started} ms)\n`);
    await emu.createCluster(CLUSTER);
    await emu.aws.setAddonBehaviour({ readsUntilActive: 2 });

    const podIdentity = [
      '--cluster-name',
      CLUSTER,
      '--namespace',
      'octopus-worker-awsagentworker',
      '--service-account',
      'octopus-agent-scripts',
      '--role-name',
      'octopus-worker',
      '--policy-arns',
      'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      '--tags',
      'team=platform',
    ];
    await dryRunApplyRerun(emu, 'Pod Identity', podIdentity);

    // IRSA: the Octopus agent's Helm chart created the service account; we only annotate it.
    await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'octopus-agent-mycluster' } });
    await emu.kube.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'octopus-agent-scripts',
        namespace: 'octopus-agent-mycluster',
        labels: { 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: { 'meta.helm.sh/release-name': 'mycluster' },
      },
    });
    const irsa = [
      '--mode',
      'irsa',
      '--cluster-name',
      CLUSTER,
      '--namespace',
      'octopus-agent-mycluster',
      '--service-account',
      'octopus-agent-scripts',
      '--role-name',
      'octopus-agent-irsa',
      '--policy-arns',
      'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      '--create-service-account',
      'false',
    ];
    await dryRunApplyRerun(emu, 'IRSA', irsa);

    const sa = await emu.kube.get('serviceaccounts', 'octopus-agent-mycluster', 'octopus-agent-scripts');
    banner('Result');
    process.stdout.write(`  service account annotations: ${JSON.stringify(sa?.metadata?.annotations)}\n`);
    process.stdout.write(`  demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await emu.stop();
  }
}

async function expectNoChange(outputs: Record<string, string>): Promise<void> {
  if (outputs.changed !== 'false') throw new Error(`the rerun changed something: ${outputs.changes}`);
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${(e as Error).message}\n`);
  process.exit(1);
});
