// Runs the committed bundle the way a GitHub runner does: inputs as INPUT_* (defaults from action.yml),
// outputs through GITHUB_OUTPUT, the summary through GITHUB_STEP_SUMMARY, AWS through AWS_ENDPOINT_URL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { NODE24, SYSTEM_NODE } from '../../scripts/nodes.js';
import { runProcess } from './process.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLE = join(ROOT, 'dist/index.js');
export { NODE24, SYSTEM_NODE };

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};

/** Every input with its action.yml default ('' for none), as a runner passes them. */
export function actionDefaults(): Record<string, string> {
  return Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? '']));
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  changes: { resource: string; action: string; detail: string; binding: string }[];
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  node?: string;
  /** Extra arguments (for the CLI shell); none = the GitHub shell. */
  args?: string[];
  cwd?: string;
  /** Another bundle than dist/index.js (the bench compares two builds). */
  bundle?: string;
}

/** Parses the runner's GITHUB_OUTPUT file format (name<<DELIMITER ... DELIMITER). */
export function parseGithubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== m[2]) value.push(lines[i]!);
      out[m[1]!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const [k, ...v] = lines[i]!.split('=');
      out[k!] = v.join('=');
    }
  }
  return out;
}

/** What a runner gives a step: RUNNER_TEMP, GITHUB_OUTPUT and step-summary files, the inputs as INPUT_*. */
export interface RunnerStep {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The outputs and the summary the step wrote; the step's files are removed. */
  finish(): { outputs: Record<string, string>; summary: string };
}

/**
 * A step's environment: PATH and HOME of `base`, the runner's variables, the inputs over action.yml's defaults,
 * then `extra`. `summaryFile`: a summary file of the caller's (emptied first) instead of one in the step's dir.
 */
export function runnerStep(
  inputs: Record<string, string>,
  extra: NodeJS.ProcessEnv = {},
  { base = process.env, summaryFile }: { base?: NodeJS.ProcessEnv; summaryFile?: string } = {},
): RunnerStep {
  const dir = mkdtempSync(join(tmpdir(), 'eks-pod-iam-run-'));
  const outputFile = join(dir, 'output');
  const summary = summaryFile ?? join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summary, '');
  const env: NodeJS.ProcessEnv = {
    PATH: base.PATH,
    HOME: base.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: dir,
  };
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs }))
    env[`INPUT_${name.toUpperCase()}`] = value;
  Object.assign(env, extra);
  return {
    dir,
    env,
    finish() {
      const written = {
        outputs: parseGithubOutput(readFileSync(outputFile, 'utf8')),
        summary: readFileSync(summary, 'utf8'),
      };
      rmSync(dir, { recursive: true, force: true });
      return written;
    },
  };
}

export async function runAction(inputs: Record<string, string>, opts: RunOptions = {}): Promise<ActionRun> {
  const step = runnerStep(inputs, opts.env);
  const { code, stdout, stderr } = await runProcess(
    opts.node ?? SYSTEM_NODE,
    [opts.bundle ?? BUNDLE, ...(opts.args ?? [])],
    {
      env: step.env,
      cwd: opts.cwd ?? step.dir,
    },
  );
  const { outputs, summary } = step.finish();
  return { code, stdout, stderr, outputs, summary, changes: outputs.changes ? JSON.parse(outputs.changes) : [] };
}
