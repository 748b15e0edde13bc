// Octopus Deploy shell: inputs from the same INPUT_* variables the step template's script sets,
// outputs and failure as Octopus service messages on stdout.
import { OCTOPUS_PROJECT_TAG, OCTOPUS_SERVER_TAG, OCTOPUS_TASK_TAG, provenanceTags } from '../core/ownership.js';
import type { Platform } from './types.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const say = (line: string) => process.stdout.write(`${line}\n`);

function serviceMessage(name: string, attrs: Record<string, string>): string {
  const body = Object.entries(attrs)
    .map(([k, v]) => `${k}='${b64(v)}'`)
    .join(' ');
  return `##octopus[${name} ${body}]`;
}

export function octopusPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  return {
    name: 'octopus',
    readInput: (name) => env[`INPUT_${name.toUpperCase()}`],
    log: {
      info: say,
      warn: (m) => say(`##octopus[stdout-warning]\n${m}\n##octopus[stdout-default]`),
      notice: (m) => say(`##octopus[stdout-highlight]\n${m}\n##octopus[stdout-default]`),
      debug: (m) => {
        if (env.EKS_POD_IAM_DEBUG === 'true') say(`##octopus[stdout-verbose]\n${m}\n##octopus[stdout-default]`);
      },
      async group(title, fn) {
        say(`== ${title}`);
        return fn();
      },
    },
    setOutputs(outputs) {
      for (const [name, value] of Object.entries(outputs))
        if (value !== undefined) say(serviceMessage('setVariable', { name, value }));
    },
    async writeSummary(markdown) {
      say(markdown);
    },
    fail(message) {
      say(serviceMessage('resultMessage', { message }));
      process.exitCode = 1;
    },
    provenance: octopusProvenance(env),
  };
}

/**
 * The server, project and task that ran the step, which the step template's script passes from
 * #{Octopus.Web.ServerUri}, #{Octopus.Project.Name} and #{Octopus.Task.Id}; nothing when it does not.
 */
function octopusProvenance(env: NodeJS.ProcessEnv): Record<string, string> {
  if (!env.EKS_POD_IAM_OCTOPUS_TASK_ID) return {};
  return provenanceTags({
    [OCTOPUS_SERVER_TAG]: env.EKS_POD_IAM_OCTOPUS_SERVER_URI,
    [OCTOPUS_PROJECT_TAG]: env.EKS_POD_IAM_OCTOPUS_PROJECT,
    [OCTOPUS_TASK_TAG]: env.EKS_POD_IAM_OCTOPUS_TASK_ID,
  });
}
