// The lint rules that keep src/ in shape catch what they are there for. import-x's no-cycle in particular fails
// silently when its settings are off (it then resolves nothing and reports no cycle), so a cycle is made here and
// must be reported; and the size limits must hold in src/.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });
const ruleIds = (results: ESLint.LintResult[]) => results.flatMap((r) => r.messages.map((m) => m.ruleId));

test('an import that closes a cycle in src is reported (src/arn.ts importing the entry point back)', async () => {
  const arn = readFileSync(`${ROOT}src/arn.ts`, 'utf8');
  const withCycle = `import { run } from './main.js';\nexport const entry = run;\n${arn}`;
  const results = await eslint.lintText(withCycle, { filePath: `${ROOT}src/arn.ts` });
  expect(ruleIds(results)).toContain('import-x/no-cycle');
  // The file as it is has none.
  expect(ruleIds(await eslint.lintText(arn, { filePath: `${ROOT}src/arn.ts` }))).not.toContain('import-x/no-cycle');
});

test('a file over 300 lines and a function over 80 lines in src are reported', async () => {
  const body = Array.from({ length: 81 }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const long = `export function long(): number {\n${body}\n  return v0;\n}\n${'\n'.repeat(230)}`;
  const results = await eslint.lintText(long, { filePath: `${ROOT}src/time.ts` });
  expect(ruleIds(results)).toEqual(expect.arrayContaining(['max-lines', 'max-lines-per-function']));
});
