// Independent real clients for judging end states: the aws CLI and kubectl.
import { execFile, spawnSync } from 'node:child_process';
import type { Emulators } from '../../emulators/index.js';
import { isMutating } from '../../emulators/aws/index.js';

export function awsCli(emu: Emulators, args: string[], region = 'us-east-1'): any {
  const r = spawnSync('aws', ['--endpoint-url', emu.aws.endpoint, '--region', region, '--output', 'json', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...emu.programEnv(region), AWS_PAGER: '' },
  });
  if (r.status !== 0) throw new Error(`aws ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}

/** Like awsCli, but returns the error text instead of throwing. */
export function awsCliError(emu: Emulators, args: string[], region = 'us-east-1'): string {
  const r = spawnSync('aws', ['--endpoint-url', emu.aws.endpoint, '--region', region, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...emu.programEnv(region) },
  });
  if (r.status === 0) throw new Error(`aws ${args.join(' ')} unexpectedly succeeded`);
  return r.stderr;
}

/** Asynchronous: the Kubernetes emulator runs in this process and must keep serving meanwhile. */
export function kubectl(emu: Emulators, cluster: string, args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      ['--kubeconfig', emu.kubeconfigFor(cluster), ...args],
      { encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr}`));
        else resolve(args.includes('json') ? JSON.parse(stdout) : stdout);
      },
    );
  });
}

/** Mutating AWS calls and Kubernetes writes since the journals were last cleared. */
export async function writes(emu: Emulators): Promise<{ aws: string[]; kube: string[]; awsCalls: string[] }> {
  const journal = await emu.aws.journal();
  return {
    awsCalls: journal.map((j) => j.operation),
    aws: journal.filter((j) => isMutating(j.operation)).map((j) => j.operation),
    kube: (await emu.kube.journal()).filter((j) => j.isWrite).map((j) => `${j.method} ${j.path}`),
  };
}

export async function clearJournals(emu: Emulators): Promise<void> {
  await Promise.all([emu.aws.clearJournal(), emu.kube.clearJournal()]);
}

/** The trust policy the aws CLI sees (it decodes IAM's URL-encoding itself). */
export function trustOf(emu: Emulators, role: string): { Statement: any[] } {
  return awsCli(emu, ['iam', 'get-role', '--role-name', role]).Role.AssumeRolePolicyDocument;
}

/**
 * The requests that reach the emulators in `ms` after a run returned: none, when the run left nothing behind (a
 * watch, a retry, a read it did not wait for). The program's waits are scaled down in tests, so this is long.
 */
export async function lateRequests(emu: Emulators, ms = 300): Promise<string[]> {
  const before = (await emu.aws.journal()).length;
  const kubeBefore = (await emu.kube.journal()).length;
  await new Promise((r) => setTimeout(r, ms));
  return [
    ...(await emu.aws.journal()).slice(before).map((j) => j.operation),
    ...(await emu.kube.journal()).slice(kubeBefore).map((j) => `${j.method} ${j.path}`),
  ];
}
