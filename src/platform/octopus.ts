// Octopus Deploy shell: inputs from the same INPUT_* variables the step template's script sets,
// outputs and failure as Octopus service messages on stdout.
import type { Platform } from './types.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const say = (line: string) => process.stdout.write(`${line}\n`);

export function serviceMessage(name: string, attrs: Record<string, string>): string {
  const body = Object.entries(attrs).map(([k, v]) => `${k}='${b64(v)}'`).join(' ');
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
  };
}
