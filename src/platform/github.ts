// GitHub Actions shell: inputs and outputs through the runner's protocol (runner.ts).
import { EOL } from 'node:os';
import * as runner from './runner.js';
import type { Platform } from './types.js';

export function githubPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  // Every summary, of a success or a failure, ends with the link to the run that wrote it.
  const appendSummary = (markdown: string) => runner.appendSummary(`${markdown}${EOL}${runLink(env)}${EOL}`, env);
  return {
    name: 'github',
    readInput: (name) => runner.getInput(name, env),
    log: {
      info: runner.info,
      warn: runner.warning,
      notice: runner.info,
      debug: runner.debug,
      group: runner.group,
    },
    setOutputs(outputs) {
      for (const [name, value] of Object.entries(outputs)) if (value !== undefined) runner.setOutput(name, value, env);
    },
    async writeSummary(markdown) {
      // No summary file (outside a runner) writes nothing; one that cannot be written does not fail a done binding.
      try {
        appendSummary(markdown);
      } catch (e) {
        runner.warning(`The job summary was not written: ${(e as Error).message}`); // the binding itself is done
      }
    },
    fail(message) {
      runner.setFailed(message);
      // The summary is where a platform team looks first; a failed run says why there too.
      try {
        appendSummary(`### ❌ eks-pod-iam failed${EOL}${EOL}${message}`);
      } catch {
        // the error annotation above already carries the message
      }
    },
  };
}

/** Which workflow run made the change, for the audit trail a platform team keeps of its summaries. */
export function runLink(env: NodeJS.ProcessEnv): string {
  const { GITHUB_RUN_ID: runId, GITHUB_REPOSITORY: repo } = env;
  if (!runId || !repo) return '';
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const parts = [env.GITHUB_WORKFLOW, `run [${runId}](${server}/${repo}/actions/runs/${runId})`, env.GITHUB_SHA?.slice(0, 7)];
  return `\n<sub>${parts.filter(Boolean).join(' · ')}</sub>\n`;
}
