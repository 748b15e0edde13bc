// The GitHub runner's side of an action's contract: INPUT_* variables, workflow commands on stdout, and the
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Written to the format @actions/core emits (a test holds the two
// byte for byte). @actions/core itself cannot be loaded just for these: its index imports its OIDC client,
// so undici (400 KB) with it, which cost a GitHub run about 50 ms of a 250 ms start.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

/** As core.getInput: `INPUT_` + the name upper-cased with spaces as underscores, trimmed; '' when unset. */
export function getInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** `::command::message` on stdout, with the message escaped so it stays one line. */
export function issueCommand(command: string, message = ''): void {
  process.stdout.write(`::${command}::${escapeData(message)}${EOL}`);
}

export const info = (message: string) => void process.stdout.write(message + EOL);
export const debug = (message: string) => issueCommand('debug', message);
export const warning = (message: string) => issueCommand('warning', message);

export async function group<T>(title: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', title);
  try {
    return await fn();
  } finally {
    issueCommand('endgroup');
  }
}

/** As core.setFailed: an error annotation, and the step's exit code 1. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', message);
}

/** As core.setOutput: a heredoc entry in GITHUB_OUTPUT, delimited by a fresh random token. */
export function setOutput(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) {
    // Runners older than GITHUB_OUTPUT read the (deprecated) command instead.
    process.stdout.write(EOL);
    process.stdout.write(`::set-output name=${escapeProperty(name)}::${escapeData(value)}${EOL}`);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`Output ${name} contains its own delimiter.`);
  appendToFile(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'GITHUB_OUTPUT');
}

/** Appends Markdown to the job summary (GITHUB_STEP_SUMMARY); nothing when the runner gives no such file. */
export function appendSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file) appendToFile(file, markdown, 'GITHUB_STEP_SUMMARY');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function appendToFile(file: string, text: string, variable: string): void {
  // The runner creates these files; one that is missing means the variable points somewhere wrong.
  if (!existsSync(file)) throw new Error(`${variable} names ${file}, which does not exist.`);
  appendFileSync(file, text, { encoding: 'utf8' });
}
