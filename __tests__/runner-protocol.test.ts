// src/platform/runner.ts speaks the runner's protocol without @actions/core (which drags undici in).
// Here both are driven with the same awkward values and must produce the same bytes.
import * as core from '@actions/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as runner from '../src/platform/runner.js';

const AWKWARD = ['plain', '', '  padded  ', 'multi\nline\r\nvalue', '100% done', 'a::b,c:d', 'ünïcødé ✓', '%0A literal', 'x'.repeat(5000)];

let dir: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-protocol-'));
});
afterEach(() => {
  process.env = { ...saved };
  process.exitCode = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** What fn printed on stdout. */
async function stdoutOf(fn: () => unknown): Promise<string> {
  const original = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  return out;
}

const sameDelimiters = (s: string) => s.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_X');

test('inputs are read as core.getInput reads them', () => {
  const env = { 'INPUT_ROLE-NAME': '  r  ', INPUT_CLUSTER_NAME: 'spaces become underscores', 'INPUT_POLICY-ARNS': 'a\nb\n', INPUT_EMPTY: '' };
  process.env = { ...saved, ...env };
  for (const name of ['role-name', 'cluster name', 'policy-arns', 'empty', 'missing'])
    expect([name, runner.getInput(name, env)]).toEqual([name, core.getInput(name)]);
});

test('outputs are the same heredoc entries in GITHUB_OUTPUT', () => {
  const ours = join(dir, 'ours');
  const theirs = join(dir, 'theirs');
  writeFileSync(ours, '');
  writeFileSync(theirs, '');
  for (const [i, value] of AWKWARD.entries()) {
    runner.setOutput(`out-${i}`, value, { GITHUB_OUTPUT: ours });
    process.env.GITHUB_OUTPUT = theirs;
    core.setOutput(`out-${i}`, value);
  }
  expect(sameDelimiters(readFileSync(ours, 'utf8'))).toBe(sameDelimiters(readFileSync(theirs, 'utf8')));
  expect(readFileSync(ours, 'utf8')).toContain('multi\nline\r\nvalue');
});

test('without GITHUB_OUTPUT, outputs are the set-output command', async () => {
  delete process.env.GITHUB_OUTPUT;
  for (const value of AWKWARD) {
    const ours = await stdoutOf(() => runner.setOutput('role-arn', value, {}));
    expect(ours).toBe(await stdoutOf(() => core.setOutput('role-arn', value)));
  }
});

test('log lines, annotations and groups are the same commands', async () => {
  for (const message of AWKWARD) {
    expect(await stdoutOf(() => runner.info(message))).toBe(await stdoutOf(() => core.info(message)));
    expect(await stdoutOf(() => runner.warning(message))).toBe(await stdoutOf(() => core.warning(message)));
    expect(await stdoutOf(() => runner.debug(message))).toBe(await stdoutOf(() => core.debug(message)));
    const inGroup = () => Promise.resolve(message.length);
    expect(await stdoutOf(() => runner.group(message, inGroup))).toBe(await stdoutOf(() => core.group(message, inGroup)));
  }
});

test('a group is closed when its body fails, as core.group closes it', async () => {
  const failing = () => Promise.reject(new Error('boom'));
  const ours = await stdoutOf(() => runner.group('g', failing).catch(() => undefined));
  expect(ours).toBe(await stdoutOf(() => core.group('g', failing).catch(() => undefined)));
  expect(ours).toContain('::endgroup::');
});

test('failure is the same error annotation and exit code 1', async () => {
  for (const message of AWKWARD) {
    process.exitCode = undefined;
    const ours = await stdoutOf(() => runner.setFailed(message));
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(ours).toBe(await stdoutOf(() => core.setFailed(message)));
    expect(process.exitCode).toBe(1);
  }
});

test('the job summary is appended as core.summary appends it', async () => {
  const ours = join(dir, 'ours.md');
  const theirs = join(dir, 'theirs.md');
  writeFileSync(ours, '# before\n');
  writeFileSync(theirs, '# before\n');
  runner.appendSummary('| a | b |\n|---|---|\n| 1 | 2 |\n', { GITHUB_STEP_SUMMARY: ours });
  process.env.GITHUB_STEP_SUMMARY = theirs;
  await core.summary.addRaw('| a | b |\n|---|---|\n| 1 | 2 |\n').write();
  expect(readFileSync(ours, 'utf8')).toBe(readFileSync(theirs, 'utf8'));
});

test('a GITHUB_OUTPUT that does not exist is an error naming the variable', () => {
  expect(() => runner.setOutput('x', 'y', { GITHUB_OUTPUT: join(dir, 'nope') })).toThrow(/GITHUB_OUTPUT/);
});
