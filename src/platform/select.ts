import { cliPlatform, usage, UsageError } from './cli.js';
import { githubPlatform } from './github.js';
import { octopusPlatform } from './octopus.js';
import type { Platform } from './types.js';

/**
 * Octopus when its step template says so (EKS_POD_IAM_PLATFORM=octopus). GitHub Actions when started the way a
 * runner starts an action: with no arguments and INPUT_* variables (with GITHUB_ACTIONS=true or, on a runner that
 * does not set it, without), or as a module (`argv` undefined: run() called by @github/local-action, whose own
 * arguments are in process.argv). The CLI when given arguments, also inside a workflow's `run:` step (where
 * GITHUB_ACTIONS is true too: the arguments are what the user asked for).
 */
export function selectPlatform(
  argv: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
): Platform | { help: string } | UsageError {
  if (env.EKS_POD_IAM_PLATFORM === 'octopus') return octopusPlatform(env);
  if (env.EKS_POD_IAM_PLATFORM === 'github' || !argv?.length) return githubPlatform();
  if (argv.includes('--help') || argv.includes('-h')) return { help: usage() };
  try {
    return cliPlatform(argv);
  } catch (e) {
    return e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
}
