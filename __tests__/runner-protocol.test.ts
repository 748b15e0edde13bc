// What a GitHub runner receives from our GitHub shell (src/platform/github.ts, on @actions/core): the shell runs
// in a process of its own (helpers/github-shell.ts) and its GITHUB_OUTPUT file, job summary, stdout and exit
// code are read back the way the runner reads them, independently of @actions/core.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from './helpers/process.js';
import { BUNDLE, ROOT, SYSTEM_NODE } from './helpers/run-action.js';
import type { ShellScript } from './helpers/github-shell.js';

const TSX = join(ROOT, 'node_modules/.bin/tsx');
const DRIVER = join(ROOT, '__tests__/helpers/github-shell.ts');

const AWKWARD = [
  'plain',
  '',
  '  padded  ',
  'multi\nline\r\nvalue',
  '100% done',
  'a::b,c:d',
  'ünïcødé ✓',
  '%0A literal',
  '%25 and %0D',
  '::set-output name=x::y',
  'name<<EOF',
  '\nleading and trailing newlines\n',
  'x'.repeat(5000),
];

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'runner-protocol-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Received {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
  summary: string;
  provenance: Record<string, string>;
}

/** Runs the shell with `script` in a runner-like environment; returns what the runner would read. */
async function shell(script: ShellScript, env: NodeJS.ProcessEnv = {}): Promise<Received> {
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '# an earlier step\n');
  const file = join(dir, 'script.json');
  writeFileSync(file, JSON.stringify(script));
  const r = await runProcess(TSX, [DRIVER, file], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      ...env,
    },
  });
  const provenance = /^provenance=(.*)$/m.exec(r.stdout)?.[1];
  return {
    ...r,
    output: readFileSync(output, 'utf8'),
    summary: readFileSync(summary, 'utf8'),
    provenance: provenance ? JSON.parse(provenance) : undefined,
  };
}

/**
 * The runner's reading of GITHUB_OUTPUT (actions/runner FileCommandManager): `name<<DELIMITER` starts a value
 * that runs up to the newline (LF or CRLF) before a line that is exactly DELIMITER; `name=value` is one line.
 */
function runnerOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const line = () => {
    const lf = text.indexOf('\n', i);
    const end = lf < 0 ? text.length : lf;
    const s = text.slice(i, end > i && text[end - 1] === '\r' ? end - 1 : end);
    i = lf < 0 ? text.length : lf + 1;
    return s;
  };
  while (i < text.length) {
    const l = line();
    const heredoc = l.indexOf('<<');
    const eq = l.indexOf('=');
    if (heredoc > 0 && (eq < 0 || heredoc < eq)) {
      const [name, delimiter] = [l.slice(0, heredoc), l.slice(heredoc + 2)];
      const start = i;
      let end = start;
      for (;;) {
        if (i >= text.length) throw new Error(`no closing ${delimiter} for ${name}`);
        if (line() === delimiter) break;
        end = i - (text[i - 2] === '\r' ? 2 : 1); // the value so far, without the newline that ended this line
      }
      out[name] = end > start ? text.slice(start, end) : '';
    } else if (eq > 0) out[l.slice(0, eq)] = l.slice(eq + 1);
    else if (l !== '') throw new Error(`not an output line: ${JSON.stringify(l)}`);
  }
  return out;
}

/** The runner's unescaping of a workflow command's message (ActionCommand.Unescape, in its order). */
const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');

/** The workflow commands on stdout, as the runner parses each line; other lines are plain log. */
function commands(stdout: string): { command: string; message: string }[] {
  return stdout.split('\n').flatMap((l) => {
    const m = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(l);
    return m ? [{ command: m[1]!, message: unescapeData(m[2]!) }] : [];
  });
}

test('inputs are the INPUT_* variables, trimmed; multi-line values keep their lines', async () => {
  const inputsFile = join(dir, 'inputs.json');
  const r = await shell(
    { inputsFile },
    { 'INPUT_CLUSTER-NAME': '  prod  ', 'INPUT_POLICY-ARNS': 'arn:a\narn:b\n', INPUT_NAMESPACE: '' },
  );
  expect(r.code).toBe(0);
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
  expect(inputs['cluster-name']).toBe('prod');
  expect(inputs['policy-arns']).toBe('arn:a\narn:b');
  expect(inputs.namespace).toBe('');
  expect(inputs['role-name']).toBe('');
});

// Values with %, CR/LF, ::, delimiter look-alikes, 5000 characters.
test('GITHUB_OUTPUT is read back to exactly the values given', async () => {
  const outputs = Object.fromEntries(AWKWARD.map((v, i) => [`out-${i}`, v]));
  const r = await shell({ outputs });
  expect(r.code).toBe(0);
  expect(runnerOutputs(r.output)).toEqual(outputs);
  // Nothing on stdout that the runner would take as an output (the deprecated set-output command).
  expect(r.stdout).not.toMatch(/^::set-output/m);
});

test('without GITHUB_OUTPUT, no set-output command: a warning, and the outputs as plain log lines', async () => {
  const r = await shell({ outputs: { 'role-arn': 'arn:aws:iam::1:role/r' } }, { GITHUB_OUTPUT: '' });
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain('::set-output');
  expect(commands(r.stdout).map((c) => c.command)).toEqual(['warning']);
  expect(r.stdout).toContain('\nrole-arn=arn:aws:iam::1:role/r\n');
});

test('warnings and groups are commands whose messages come back whole, one line each', async () => {
  const r = await shell({
    warnings: AWKWARD.slice(0, 12),
    group: { title: 'multi\nline % title', lines: ['inside'], fail: true },
  });
  expect(r.code).toBe(0);
  const cmds = commands(r.stdout);
  expect(cmds.filter((c) => c.command === 'warning').map((c) => c.message)).toEqual(AWKWARD.slice(0, 12));
  // A group whose body fails is still closed.
  expect(cmds.filter((c) => c.command.endsWith('group'))).toEqual([
    { command: 'group', message: 'multi\nline % title' },
    { command: 'endgroup', message: '' },
  ]);
  expect(r.stdout).toContain('\ninside\n');
});

test('failure: exit code 1, one error annotation that reads back to the message, the summary says why', async () => {
  for (const message of [
    'Input "cluster-name" is required.',
    'multi\nline\r\nwith % and ::error:: inside',
    '%0A literal',
  ]) {
    const r = await shell({ fail: message });
    expect(r.code).toBe(1);
    const errors = commands(r.stdout).filter((c) => c.command === 'error');
    expect(errors).toEqual([{ command: 'error', message }]);
    expect(r.stdout.split('\n').filter((l) => l.includes('::error::'))).toHaveLength(1);
    expect(r.summary).toBe(`# an earlier step\n### ❌ eks-pod-iam failed\n\n${message}\n\n`);
  }
});

// Nothing is written without a summary file.
test('the job summary is appended after earlier steps, with a link to the run', async () => {
  const run = {
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://ghe.example.com',
    GITHUB_WORKFLOW: 'Deploy',
    GITHUB_SHA: 'abcdef1234567',
  };
  const r = await shell({ summary: '| a | b |\n|---|---|\n| 1 | 2 |' }, run);
  expect(r.code).toBe(0);
  expect(r.summary).toBe(
    '# an earlier step\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<sub>Deploy · run [4242](https://ghe.example.com/octo/app/actions/runs/4242) · abcdef1</sub>\n\n',
  );
  const none = await shell({ summary: 'x' }, { GITHUB_STEP_SUMMARY: '' });
  expect(none.code).toBe(0);
  expect(none.stdout).not.toContain('::warning');
});

test('a summary file that cannot be written is a warning, not a failure', async () => {
  const r = await shell({ summary: 'x' }, { GITHUB_STEP_SUMMARY: join(dir, 'no/such/dir/summary') });
  expect(r.code).toBe(0);
  expect(
    commands(r.stdout)
      .filter((c) => c.command === 'warning')
      .map((c) => c.message),
  ).toEqual([expect.stringMatching(/^The job summary was not written/)]);
});

test('a GITHUB_OUTPUT that does not exist fails the step', async () => {
  const r = await shell({ outputs: { x: 'y' } }, { GITHUB_OUTPUT: join(dir, 'nope') });
  expect(r.code).not.toBe(0);
});

test('provenance: the repository, workflow and run, as valid IAM tag values of at most 256 characters', async () => {
  const workflow = `Deploy (prod) #1 & ${'ü'.repeat(300)}`;
  const r = await shell(
    {},
    {
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_RUN_ID: '4242',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_WORKFLOW: workflow,
    },
  );
  expect(r.provenance).toEqual({
    'eks-pod-iam:github-repository': 'octo/app',
    'eks-pod-iam:github-workflow': `Deploy _prod_ _1 _ ${'ü'.repeat(256 - 19)}`,
    'eks-pod-iam:github-run': 'https://github.com/octo/app/actions/runs/4242',
  });
  expect((await shell({})).provenance).toEqual({});
});

describe('which shell the bundle is (no AWS: bad input is refused first)', () => {
  const bad = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: 'us-east-1',
    'INPUT_CLUSTER-NAME': 'bad name',
    'INPUT_SERVICE-ACCOUNT': 'api',
    'INPUT_ROLE-NAME': 'r',
  };
  const bundle = (args: string[], env: NodeJS.ProcessEnv) =>
    runProcess(SYSTEM_NODE, [BUNDLE, ...args], { cwd: dir, env: { ...bad, ...env } });

  test('no arguments on a runner that does not set GITHUB_ACTIONS: still the GitHub shell', async () => {
    const r = await bundle([], {});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error::Input "cluster-name"/m);
  });

  test('arguments, even in a workflow step (GITHUB_ACTIONS=true): the CLI', async () => {
    for (const env of [{}, { GITHUB_ACTIONS: 'true' }]) {
      const r = await bundle(['--cluster-name', 'bad name', '--service-account', 'api', '--role-name', 'r'], env);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: Input "cluster-name"/m);
    }
  });

  test('EKS_POD_IAM_PLATFORM=octopus: the Octopus shell, also on a runner', async () => {
    const r = await bundle([], { EKS_POD_IAM_PLATFORM: 'octopus', GITHUB_ACTIONS: 'true' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^##octopus\[resultMessage message='/m);
    expect(r.stdout).not.toContain('::error::');
  });
});
