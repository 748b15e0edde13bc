import { readFileSync } from 'node:fs';
import { withTables } from '../scripts/action-docs.js';
import { PRESETS_BEGIN, PRESETS_END } from '../scripts/presets-table.js';
import { PRESET_NAMES, presetInfo } from '../src/presets/index.js';

test('README inputs/outputs tables are generated from action.yml and current (npm run docs)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(withTables(readme)).toBe(readme);
  // No input is required by itself any more: cluster-name and service-account are, unless bindings is given.
  expect(readme).toContain('| `cluster-name` |  | Name of the EKS cluster. Required unless `bindings` is given;');
  expect(readme).toContain('| `bindings` |  | Many bindings in one run');
});

test('README presets table: generated from the presets data (npm run docs), every preset with its upstream', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf(PRESETS_BEGIN), readme.indexOf(PRESETS_END));
  const rows = table.split('\n').filter((l) => l.startsWith('| `'));
  expect(rows.map((r) => r.split('`')[1])).toEqual([...PRESET_NAMES]);
  for (const name of PRESET_NAMES) {
    const { version, source } = presetInfo(name)!.upstream;
    const row = rows.find((r) => r.startsWith(`| \`${name}\``))!;
    expect(row).toContain(version);
    expect(row).toContain(`(${source})`);
    expect(row).toMatch(/AWS managed|made: `<role>-/);
  }
});
