import { cliPlatform, usage, UsageError } from './cli.js';
import { githubPlatform } from './github.js';
import { octopusPlatform } from './octopus.js';
import type { Platform } from './types.js';

/**
 * Octopus when its step template says so; the CLI when given arguments; GitHub Actions otherwise
 * (the runner passes inputs as INPUT_* variables and no arguments).
 */
export async function selectPlatform(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Platform | { help: string } | UsageError> {
  if (env.EKS_POD_IAM_PLATFORM === 'octopus') return octopusPlatform(env);
  if (env.EKS_POD_IAM_PLATFORM === 'github' || argv.length === 0) return githubPlatform(env);
  if (argv.includes('--help') || argv.includes('-h')) return { help: usage() };
  try {
    return cliPlatform(argv);
  } catch (e) {
    return e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
}
