// The README's inputs and outputs tables, generated from action.yml (the single source of truth), and its table of
// policy presets, generated from their data (presets-table.ts). `npm run docs` rewrites them;
// __tests__/docs.test.ts fails when the README is not current.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { withPresetsTable } from './presets-table.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BEGIN = '<!-- action-docs:begin (generated from action.yml by `npm run docs`) -->';
const END = '<!-- action-docs:end -->';

interface Action {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const cell = (s: string) =>
  s
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();

export function actionTables(actionYml = readFileSync(`${ROOT}action.yml`, 'utf8')): string {
  const action = parse(actionYml) as Action;
  const inputs = Object.entries(action.inputs).map(
    ([name, i]) =>
      `| \`${name}\` | ${i.required ? '**required**' : i.default ? `\`${i.default}\`` : ''} | ${cell(i.description)} |`,
  );
  const outputs = Object.entries(action.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`);
  return [
    BEGIN,
    '### Inputs',
    '',
    '| input | default | description |',
    '|---|---|---|',
    ...inputs,
    '',
    '### Outputs',
    '',
    '| output | description |',
    '|---|---|',
    ...outputs,
    END,
  ].join('\n');
}

export function withTables(readme: string, tables = actionTables()): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error('README.md has no action-docs markers');
  return withPresetsTable(readme.slice(0, start) + tables + readme.slice(end + END.length));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = `${ROOT}README.md`;
  writeFileSync(path, withTables(readFileSync(path, 'utf8')));
}
