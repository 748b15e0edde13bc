// Runs the program in this process, through the entry every shell calls (runOn in src/main.ts), with a test
// platform that speaks as the GitHub shell does and records what it is given. What a test sees is the ActionRun
// runAction (the bundle in a process of its own) returns: exit code, stdout with the runner's log commands, the
// outputs, the job summary, the changes. The AWS SDK and the Kubernetes client go to the emulators over real HTTP.
//
// What differs from the bundle, and how it is bridged:
//  - Inputs default from action.yml, as the runner does (the platform reads them, trimmed, like core.getInput).
//  - The AWS SDK reads its endpoint and credentials from process.env, and src/time.ts the time scale: for the
//    length of a run process.env is exactly the environment the bundle would get (PATH, HOME, GITHUB_ACTIONS and
//    the run's `env`), restored afterwards; so is the working directory when `cwd` is given. Runs at the same
//    time (Promise.all) must share both.
//  - Anything written to process.stdout/stderr or the console meanwhile (the bundle's stdout/stderr) is recorded
//    as the run's stdout/stderr.
//  - Provenance and the summary's run link come from the run's GITHUB_* variables, as @actions/github's context
//    reads them when the bundle starts (in this process that context was made once, from jest's environment).
// The GitHub shell itself (src/platform/github.ts) and the bundle are covered by the files that spawn it:
// bundle, local-action, octopus-script, runner-protocol, and the NODE24 case of e2e-pod-identity.
import { mkdtempSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  GITHUB_REPOSITORY_TAG,
  GITHUB_RUN_TAG,
  GITHUB_WORKFLOW_TAG,
  provenanceTags,
} from '../../src/core/ownership.js';
import type { InputName } from '../../src/inputs/spec.js';
import { run, runOn } from '../../src/main.js';
import type { Platform } from '../../src/platform/types.js';
import { actionDefaults, runnerStep, type ActionRun } from './run-action.js';

export interface InProcessOptions {
  /** The run's environment over PATH, HOME and GITHUB_ACTIONS=true (emu.programEnv(), the time scale, ...). */
  env?: NodeJS.ProcessEnv;
  /** The working directory for the run (relative manifest paths); unchanged when not given. */
  cwd?: string;
}

/** The same call as runAction(inputs, { env, cwd }), in this process. */
export async function runInProcess(inputs: Record<string, string>, opts: InProcessOptions = {}): Promise<ActionRun> {
  const values: Record<string, string> = { ...actionDefaults(), ...inputs };
  const env: NodeJS.ProcessEnv = {
    PATH: ambient.PATH,
    HOME: ambient.HOME,
    GITHUB_ACTIONS: 'true',
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const record = { stdout: '', stderr: '', outputs: {} as Record<string, string>, summary: '', failed: false };
  const say = (line: string) => (record.stdout += `${line}${EOL}`);
  const command = (name: string, message: string) => say(`::${name}::${escapeData(message)}`);
  const github = githubRun(env);
  const appendSummary = (markdown: string) => (record.summary += `${markdown}${EOL}${github.runLink}${EOL}`);

  const platform: Platform = {
    name: 'github',
    readInput: (name: InputName) => (values[name] ?? '').trim(),
    log: {
      info: say,
      warn: (m) => command('warning', m),
      notice: say,
      debug: (m) => command('debug', m),
      async group(title, fn) {
        command('group', title);
        try {
          return await fn();
        } finally {
          command('endgroup', '');
        }
      },
    },
    setOutputs(outputs) {
      for (const [name, value] of Object.entries(outputs)) if (value !== undefined) record.outputs[name] = value;
    },
    async writeSummary(markdown) {
      appendSummary(markdown);
    },
    async fail(message) {
      record.failed = true;
      command('error', message);
      appendSummary(`### ❌ eks-pod-iam failed${EOL}${EOL}${message}`);
    },
    provenance: github.provenance,
  };

  const leave = enter(env, opts.cwd, record);
  try {
    await runOn(platform, env);
  } finally {
    leave();
  }
  const { outputs } = record;
  return {
    code: record.failed ? 1 : 0,
    stdout: record.stdout,
    stderr: record.stderr,
    outputs,
    summary: record.summary,
    changes: outputs.changes ? JSON.parse(outputs.changes) : [],
  };
}

/**
 * The program as the bundle's entry runs it (`run(argv, env)` in src/main.ts), in this process, with the real shell
 * it selects: GitHub (no args: INPUT_* variables, GITHUB_OUTPUT and step-summary files), Octopus
 * (EKS_POD_IAM_PLATFORM=octopus) or the CLI (`args`). The same environment runAction gives the bundle, and the same
 * ActionRun back: the shell's exit code, what it printed, the GITHUB_OUTPUT file's outputs, the summary file.
 * For what the shells print (secrets.test); the bundle itself is still run by a few cases of each file.
 */
export async function runShell(
  inputs: Record<string, string>,
  opts: { env?: NodeJS.ProcessEnv; args?: string[] } = {},
): Promise<ActionRun> {
  // One summary file for every run of this process: @actions/core's summary keeps the first path it is given for
  // good (module state the bundle starts afresh), so each run's step uses that same file, emptied first.
  const step = runnerStep(inputs, opts.env, { base: ambient, summaryFile: SHELL_SUMMARY });
  const { env, dir } = step;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];

  const record = { stdout: '', stderr: '' };
  const leave = enter(env, dir, record);
  const exitCode = process.exitCode;
  const listeners = new Set(process.listeners('unhandledRejection'));
  let code: number;
  try {
    process.exitCode = undefined;
    await run(opts.args ?? [], process.env);
    code = Number(process.exitCode ?? 0);
  } finally {
    process.exitCode = exitCode;
    // run() adds a safety net per call; one run's must not outlive it.
    for (const l of process.listeners('unhandledRejection'))
      if (!listeners.has(l)) process.off('unhandledRejection', l);
    leave();
  }
  const { outputs, summary } = step.finish();
  return {
    code,
    stdout: record.stdout,
    stderr: record.stderr,
    outputs,
    summary,
    changes: outputs.changes ? JSON.parse(outputs.changes) : [],
  };
}

/** @actions/core's escaping of a log command's message. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** What src/platform/github.ts derives from @actions/github's context, from the run's environment. */
function githubRun(env: NodeJS.ProcessEnv): { provenance: Record<string, string>; runLink: string } {
  const runId = parseInt(env.GITHUB_RUN_ID ?? '', 10);
  const repo = env.GITHUB_REPOSITORY;
  if (!runId || !repo) return { provenance: {}, runLink: '' };
  const url = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${repo}/actions/runs/${runId}`;
  const parts = [env.GITHUB_WORKFLOW, `run [${runId}](${url})`, env.GITHUB_SHA?.slice(0, 7)];
  return {
    provenance: provenanceTags({
      [GITHUB_REPOSITORY_TAG]: repo,
      [GITHUB_WORKFLOW_TAG]: env.GITHUB_WORKFLOW,
      [GITHUB_RUN_TAG]: url,
    }),
    runLink: `\n<sub>${parts.filter(Boolean).join(' · ')}</sub>\n`,
  };
}

// --- The process-wide part of a run: process.env and the output streams ---------------------------------------

/** jest's environment, as this file found it (restored after every run). */
const ambient: NodeJS.ProcessEnv = { ...process.env };
const SHELL_SUMMARY = join(mkdtempSync(join(tmpdir(), 'eks-pod-iam-shell-')), 'summary');

interface Recorder {
  stdout: string;
  stderr: string;
}
const active = new Set<Recorder>();
let activeEnv = '';
let restore: (() => void) | undefined;

function enter(env: NodeJS.ProcessEnv, cwd: string | undefined, recorder: Recorder): () => void {
  const key = JSON.stringify([cwd, Object.entries(env).sort(([a], [b]) => a.localeCompare(b))]);
  if (active.size && key !== activeEnv)
    throw new Error('runInProcess: runs at the same time need the same environment (it is process-wide)');
  if (!active.size) {
    activeEnv = key;
    restore = takeOver(env, cwd);
  }
  active.add(recorder);
  return () => {
    active.delete(recorder);
    if (!active.size) {
      restore?.();
      restore = undefined;
    }
  };
}

/** Gives the runs process.env and the output streams; returns what puts jest's back. */
function takeOver(env: NodeJS.ProcessEnv, cwd: string | undefined): () => void {
  const saved = { ...process.env };
  const savedCwd = process.cwd();
  if (cwd) process.chdir(cwd);
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, env);

  const to = (stream: 'stdout' | 'stderr') => (text: unknown) => {
    const s = typeof text === 'string' ? text : Buffer.from(text as Uint8Array).toString('utf8');
    for (const r of active) r[stream] += s;
  };
  // What is replaced, as property descriptors (own, or none: inherited), to put back exactly.
  const patched: [object, string, PropertyDescriptor | undefined][] = [];
  const replace = (target: object, key: string, value: unknown) => {
    patched.push([target, key, Object.getOwnPropertyDescriptor(target, key)]);
    Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
  };
  // As a stream does: the callback (last argument) once written; jest waits for it before exiting.
  const recordTo =
    (stream: 'stdout' | 'stderr') =>
    (chunk: unknown, ...rest: unknown[]) => {
      to(stream)(chunk);
      const done = rest.at(-1);
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    };
  replace(process.stdout, 'write', recordTo('stdout'));
  replace(process.stderr, 'write', recordTo('stderr'));
  for (const m of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const) {
    const stream = m === 'warn' || m === 'error' || m === 'trace' ? 'stderr' : 'stdout';
    replace(console, m, (...args: unknown[]) =>
      to(stream)(`${args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ')}\n`),
    );
  }

  return () => {
    for (const [target, key, descriptor] of patched.reverse())
      if (descriptor) Object.defineProperty(target, key, descriptor);
      else delete (target as Record<string, unknown>)[key];
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, saved);
    if (cwd) process.chdir(savedCwd);
  };
}
