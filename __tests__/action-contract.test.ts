// action.yml is the single source of truth; the parser's table and the interface must agree with it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { INPUT_DEFAULTS, INPUT_NAMES, OUTPUT_NAMES } from '../src/inputs/spec.js';

const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
};

test('every input of action.yml is parsed, with the same default, and nothing else', () => {
  expect(Object.keys(action.inputs)).toEqual(INPUT_NAMES);
  for (const [name, input] of Object.entries(action.inputs)) {
    const ours = INPUT_DEFAULTS[name as keyof typeof INPUT_DEFAULTS];
    if (input.required) expect([name, ours]).toEqual([name, undefined]);
    else expect([name, input.default]).toEqual([name, ours]);
    expect(input.description.length).toBeGreaterThan(10);
  }
});

test('outputs are exactly those of the interface', () => {
  expect(Object.keys(action.outputs)).toEqual([...OUTPUT_NAMES]);
});

test('runs on node24 from the bundle', () => {
  expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  expect(action.branding.icon).toBeTruthy();
});
