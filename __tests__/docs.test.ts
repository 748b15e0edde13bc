import { readFileSync } from 'node:fs';
import { withTables } from '../scripts/action-docs.js';

test('README inputs/outputs tables are generated from action.yml and current (npm run docs)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(withTables(readme)).toBe(readme);
  expect(readme).toContain('| `cluster-name` | **required** |');
});
