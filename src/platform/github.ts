// GitHub Actions shell: inputs and outputs through @actions/core, as the runner expects.
import type { Platform } from './types.js';

/** @actions/core (with its HTTP client) is loaded only on GitHub, keeping the CLI's start fast. */
export async function githubPlatform(): Promise<Platform> {
  const core = await import('@actions/core');
  return {
    name: 'github',
    readInput: (name) => core.getInput(name),
    log: {
      info: (m) => core.info(m),
      warn: (m) => core.warning(m),
      notice: (m) => core.info(m),
      debug: (m) => core.debug(m),
      group: (title, fn) => core.group(title, fn),
    },
    setOutputs(outputs) {
      for (const [name, value] of Object.entries(outputs)) if (value !== undefined) core.setOutput(name, value);
    },
    async writeSummary(markdown) {
      // Outside a runner there is no summary file; that is not a failure of the run.
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).addRaw(await runLink(), true).write();
    },
    fail: (message) => core.setFailed(message),
  };
}

/** Which workflow run made the change, for the audit trail a platform team keeps of its summaries. */
async function runLink(): Promise<string> {
  if (!process.env.GITHUB_RUN_ID || !process.env.GITHUB_REPOSITORY) return '';
  const { context } = await import('@actions/github').catch(() => ({ context: undefined }));
  if (!context?.runId) return '';
  const { owner, repo } = context.repo;
  return `\n<sub>${context.workflow} · run [${context.runId}](${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}) · ${(context.sha ?? '').slice(0, 7)}</sub>\n`;
}
