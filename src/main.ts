import { InvalidInputs, parseRun } from './inputs/parse.js';
import { selectPlatform } from './platform/select.js';
import type { Platform } from './platform/types.js';
import { oneLine } from './errors.js';

/**
 * Runs the program in whichever host started it. Never throws: failures end through the platform.
 * `argv`: the program's arguments (src/index.ts passes process.argv's); none when called as an action's
 * entrypoint module (`npx @github/local-action . src/main.ts .env` calls run() with no arguments).
 */
export async function run(argv?: readonly string[], env = process.env): Promise<void> {
  const selected = selectPlatform(argv, env);
  if ('help' in selected) {
    process.stdout.write(selected.help);
    return;
  }
  if (selected instanceof Error) {
    process.stderr.write(`error: ${selected.message}\n`);
    process.exitCode = 2;
    return;
  }
  // A safety net: a promise that fails unobserved must still end the run with its cause, not a bare exit.
  process.on('unhandledRejection', (e) => void selected.fail(oneLine(e)));
  await runOn(selected, env);
}

/** One run on a given platform: what the shells call, and what the tests call in process with a recording one. */
export async function runOn(platform: Platform, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    const { config, warnings } = parseRun(platform.readInput, { env });
    for (const w of warnings) platform.log.warn(w);
    // Loaded only now: the AWS SDKs are most of the bundle, and bad input is refused before any of them loads.
    const { reconcile } = await import('./run/reconcile.js');
    const result = await reconcile(config, platform.log, env, platform.provenance);
    platform.setOutputs(result.outputs);
    // A failure leads the summary (where a platform team looks first); the report of every binding follows.
    if (result.failure) await platform.fail(result.failure);
    await platform.writeSummary(result.summary);
  } catch (e) {
    if (e instanceof InvalidInputs && e.problems.length > 1)
      for (const p of e.problems) platform.log.info(`  - ${p.message}`);
    await platform.fail(oneLine(e));
  }
}
