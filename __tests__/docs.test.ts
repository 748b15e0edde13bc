import { readFileSync } from 'node:fs';
import { withTables } from '../scripts/action-docs.js';

test('README inputs/outputs tables are generated from action.yml and current (npm run docs)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(withTables(readme)).toBe(readme);
  // No input is required by itself any more: cluster-name and service-account are, unless bindings is given.
  expect(readme).toContain('| `cluster-name` |  | Name of the EKS cluster. Required unless `bindings` is given;');
  expect(readme).toContain('| `bindings` |  | Many bindings in one run');
});
