// Drives the GitHub shell (src/platform/github.ts) in a process of its own, as a runner would see it:
// `tsx __tests__/helpers/github-shell.ts script.json`. The script names what to do, in this order.
import { readFileSync, writeFileSync } from 'node:fs';
import { githubPlatform } from '../../src/platform/github.js';
import { INPUT_NAMES } from '../../src/inputs/spec.js';

export interface ShellScript {
  /** Where to write the inputs the shell read, as JSON. */
  inputsFile?: string;
  outputs?: Record<string, string>;
  warnings?: string[];
  group?: { title: string; lines: string[]; fail?: boolean };
  summary?: string;
  fail?: string;
}

const script = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ShellScript;
const shell = githubPlatform();
if (script.inputsFile)
  writeFileSync(script.inputsFile, JSON.stringify(Object.fromEntries(INPUT_NAMES.map((n) => [n, shell.readInput(n)]))));
for (const w of script.warnings ?? []) shell.log.warn(w);
if (script.group) {
  const { title, lines, fail } = script.group;
  await shell.log
    .group(title, async () => {
      for (const l of lines) shell.log.info(l);
      if (fail) throw new Error('inside the group');
    })
    .catch(() => undefined);
}
if (script.outputs) shell.setOutputs(script.outputs);
if (script.summary !== undefined) await shell.writeSummary(script.summary);
if (script.fail !== undefined) await shell.fail(script.fail);
process.stdout.write(`provenance=${JSON.stringify(shell.provenance)}\n`);
