// Terminal shell: `eks-pod-iam --cluster-name x --service-account y ...`.
// Logs go to stderr and outputs to stdout as name=value lines, so the output can be piped.
import { INPUT_DEFAULTS, INPUT_NAMES, type InputName } from '../inputs/spec.js';
import { InputError } from '../inputs/validate.js';
import { OPTION_SUMMARIES } from './cli-help.js';
import type { Platform } from './types.js';

const BOOLEAN_INPUTS = new Set(
  INPUT_NAMES.filter((n) => INPUT_DEFAULTS[n] === 'true' || INPUT_DEFAULTS[n] === 'false'),
);

export class UsageError extends Error {}

/** Parses `--name value`, `--name=value` and bare boolean flags (`--dry-run`). */
function parseArgs(argv: readonly string[]): Map<InputName, string> {
  const values = new Map<InputName, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m)
      throw new UsageError(
        `Unexpected argument ${JSON.stringify(arg)}: options look like --cluster-name my-cluster (see --help).`,
      );
    const name = m[1] as InputName;
    if (!INPUT_NAMES.includes(name)) throw new UsageError(`Unknown option --${m[1]} (see --help for the inputs).`);
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (BOOLEAN_INPUTS.has(name) && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new InputError(name, 'needs a value after --' + name + '.');
      else value = argv[++i]!;
    }
    values.set(name, values.has(name) && name === 'policy-arns' ? `${values.get(name)}\n${value}` : value);
  }
  return values;
}

/** One option of --help: its name, when it is required or its default, then its summary from action.yml. */
function optionHelp(n: InputName): string {
  const required = n === 'cluster-name' || n === 'service-account';
  const when = required ? ' (required unless --bindings)' : INPUT_DEFAULTS[n] ? ` (default: ${INPUT_DEFAULTS[n]})` : '';
  return `  --${n}${when}\n      ${OPTION_SUMMARIES[n]}`;
}

export function usage(): string {
  const lines = INPUT_NAMES.map(optionHelp);
  return [
    'Usage: eks-pod-iam --cluster-name NAME --service-account NAME (--role-name NAME | --role-arn ARN) [options]',
    '       eks-pod-iam --bindings file://bindings.yml [--cluster-name NAME] [options]',
    '',
    'With --bindings (a YAML or JSON list of bindings, inline or file://path), the other binding options are',
    "defaults for the manifest's items, and --cluster-name runs only that cluster's items.",
    '',
    'Options (the action inputs):',
    ...lines,
    '',
  ].join('\n');
}

export function cliPlatform(argv: readonly string[]): Platform {
  const err = (m: string) => process.stderr.write(`${m}\n`);
  const values = parseArgs(argv);
  return {
    name: 'cli',
    readInput: (name) => values.get(name),
    log: {
      info: err,
      warn: (m) => err(`warning: ${m}`),
      notice: (m) => err(`* ${m}`),
      debug: (m) => {
        if (process.env.EKS_POD_IAM_DEBUG === 'true') err(`debug: ${m}`);
      },
      async group(title, fn) {
        err(`== ${title}`);
        return fn();
      },
    },
    setOutputs(outputs) {
      for (const [name, value] of Object.entries(outputs))
        if (value !== undefined) process.stdout.write(`${name}=${value}\n`);
    },
    async writeSummary() {
      // The log already says everything in a terminal.
    },
    fail(message) {
      err(`error: ${message}`);
      process.exitCode = 1;
    },
    provenance: {}, // a terminal names no pipeline run
  };
}
