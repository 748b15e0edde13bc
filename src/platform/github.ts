// GitHub Actions shell, on @actions/core (inputs, outputs, the job summary, log commands, failure) and
// @actions/github's context (which repository, workflow and run this is).
//
// Masking: nothing is passed to core.setSecret. The program never prints a credential in the first place (the
// EKS token is signed locally and handed only to the Kubernetes client; kubeconfig content is never logged), and
// setSecret would itself print the value on stdout (`::add-mask::<value>`) — verbatim in any log that is not a
// GitHub runner's, such as Octopus's (this bundle serves both) or a test that greps stdout for tokens.
// Secrets a workflow passes in (`${{ secrets.* }}`) are masked by the runner already.
import * as core from '@actions/core';
import { context } from '@actions/github';
import { EOL } from 'node:os';
import { GITHUB_REPOSITORY_TAG, GITHUB_RUN_TAG, GITHUB_WORKFLOW_TAG, provenanceTags } from '../core/ownership.js';
import type { Platform } from './types.js';

export function githubPlatform(): Platform {
  // Every summary, of a success or a failure, ends with the link to the run that wrote it. No summary file
  // (outside a runner) writes nothing; core.summary would throw for it.
  const appendSummary = async (markdown: string) => {
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(`${markdown}${EOL}${runLink()}${EOL}`).write();
  };
  return {
    name: 'github',
    // trimWhitespace explicit: local-action's stand-in trims only when asked.
    readInput: (name) => core.getInput(name, { trimWhitespace: true }),
    log: {
      info: core.info,
      warn: (m) => core.warning(m),
      notice: core.info,
      debug: core.debug,
      group: (title, fn) => core.group(title, fn),
    },
    setOutputs(outputs) {
      // Outputs go only to the GITHUB_OUTPUT file: core.setOutput's fallback without one, the `::set-output`
      // command, is deprecated and this program does not use it. @github/local-action (which sets
      // TARGET_ACTION_PATH) substitutes its own core.setOutput, which keeps the outputs without a file.
      if (!process.env.GITHUB_OUTPUT && !process.env.TARGET_ACTION_PATH) {
        core.warning('GITHUB_OUTPUT is not set (not a GitHub runner?): the outputs are only printed here.');
        for (const [name, value] of Object.entries(outputs)) if (value !== undefined) core.info(`${name}=${value}`);
        return;
      }
      for (const [name, value] of Object.entries(outputs)) if (value !== undefined) core.setOutput(name, value);
    },
    async writeSummary(markdown) {
      try {
        await appendSummary(markdown);
      } catch (e) {
        core.warning(`The job summary was not written: ${(e as Error).message}`); // the binding itself is done
      } finally {
        core.summary.emptyBuffer();
      }
    },
    async fail(message) {
      core.setFailed(message);
      // The summary is where a platform team looks first; a failed run says why there too.
      try {
        await appendSummary(`### ❌ eks-pod-iam failed${EOL}${EOL}${message}`);
      } catch {
        // the error annotation above already carries the message
      } finally {
        core.summary.emptyBuffer();
      }
    },
    provenance: githubProvenance(),
  };
}

/** The workflow run's address, when the runner says which run this is. */
function runUrl(): string | undefined {
  const repo = process.env.GITHUB_REPOSITORY;
  return context.runId && repo ? `${context.serverUrl}/${repo}/actions/runs/${context.runId}` : undefined;
}

/** Which repository, workflow and run created a resource; nothing outside a workflow run. */
function githubProvenance(): Record<string, string> {
  const url = runUrl();
  if (!url) return {};
  return provenanceTags({
    [GITHUB_REPOSITORY_TAG]: process.env.GITHUB_REPOSITORY,
    [GITHUB_WORKFLOW_TAG]: context.workflow,
    [GITHUB_RUN_TAG]: url,
  });
}

/** Which workflow run made the change, for the audit trail a platform team keeps of its summaries. */
function runLink(): string {
  const url = runUrl();
  if (!url) return '';
  const parts = [context.workflow, `run [${context.runId}](${url})`, context.sha?.slice(0, 7)];
  return `\n<sub>${parts.filter(Boolean).join(' · ')}</sub>\n`;
}
