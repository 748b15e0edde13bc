// `eks-pod-iam --help`: every option with its one-line description (the first sentence of action.yml's) and its
// default, from the bundle too, where no action.yml lies next to it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { INPUT_DEFAULTS, INPUT_NAMES } from '../src/inputs/spec.js';
import { usage } from '../src/platform/cli.js';
import { OPTION_SUMMARIES } from '../src/platform/cli-help.js';
import { runProcess } from './helpers/process.js';
import { BUNDLE, SYSTEM_NODE } from './helpers/run-action.js';

const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
};

/** A description's first sentence: up to the first full stop followed by a capital, a backtick, or the end. */
const firstSentence = (d: string) => {
  const text = d.trim().replace(/\s+/g, ' ');
  return /^(.*?\.)(?= [A-Z`]|$)/.exec(text)?.[1] ?? text;
};

test("each option's summary is the first sentence of its action.yml description", () => {
  expect(Object.keys(OPTION_SUMMARIES)).toEqual(INPUT_NAMES);
  for (const [name, input] of Object.entries(action.inputs))
    expect([name, OPTION_SUMMARIES[name as keyof typeof OPTION_SUMMARIES]]).toEqual([
      name,
      firstSentence(input.description),
    ]);
});

test('--help gives every option its description and its default (or when it is required)', () => {
  const help = usage().split('\n');
  for (const name of INPUT_NAMES) {
    const at = help.findIndex((l) => l === `  --${name}` || l.startsWith(`  --${name} (`));
    expect([name, at >= 0]).toEqual([name, true]);
    const dflt = INPUT_DEFAULTS[name];
    if (name === 'cluster-name' || name === 'service-account')
      expect(help[at]).toBe(`  --${name} (required unless --bindings)`);
    else expect(help[at]).toBe(dflt ? `  --${name} (default: ${dflt})` : `  --${name}`);
    expect(help[at + 1]).toBe(`      ${firstSentence(action.inputs[name]!.description)}`);
  }
});

test('the bundle prints the same --help, without action.yml beside it', async () => {
  const r = await runProcess(SYSTEM_NODE, [BUNDLE, '--help'], { cwd: '/', env: { PATH: process.env.PATH } });
  expect([r.code, r.stderr]).toEqual([0, '']);
  expect(r.stdout).toBe(usage());
  expect(r.stdout).toContain(`  --wait-timeout (default: 600)\n      ${OPTION_SUMMARIES['wait-timeout']}`);
});
