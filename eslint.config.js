// ESLint (flat config): @eslint/js recommended and typescript-eslint recommended with type information, so the
// async mistakes that matter in this code (a floating or misused promise, an await on a non-promise) are caught.
// Formatting is Prettier's (`npm run format`); the one layout rule here is the line length Prettier cannot
// enforce on strings and template literals. Every rule turned off below says why.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'build/', 'coverage/', 'octopus-step-templates/', '.emulators/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Prettier breaks code at 120 columns but leaves long strings and template literals whole: split those by
      // hand. (Core `max-len` is deprecated in favour of @stylistic/max-len, and kept in ESLint until v11.)
      'max-len': ['error', { code: 120, ignoreUrls: true }],
      // `const { kind: _k, ...rest } = o` drops keys on purpose; `_`-prefixed parameters are unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Off: an `async` function without `await` is how this code implements a Promise-returning interface
      // (the Kubernetes client's auth hook, log.group callbacks, the emulators' remote proxies), and it turns a
      // synchronous throw into a rejection, which callers rely on. no-floating-promises, no-misused-promises and
      // await-thenable (all on) catch the async mistakes that matter.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The shape of src/: modules small enough to read whole, and a module graph without cycles.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these two, import-x skips .ts files as foreign: it would resolve the imports but never read the
      // modules they lead to, and so see no cycle at all.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // The TypeScript resolver maps the `.js` suffix of an ESM import to the `.ts` file beside it, as tsc's
      // NodeNext resolution does; without it every relative import would be unresolved and no cycle seen.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      // A cycle makes module order matter: a value imported from a module that has not run yet fails when used,
      // and which module runs first depends on the entry point (the bundle, jest, tsx). Type-only imports are
      // erased at compile time, cannot make such a cycle, and are not followed.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Past these sizes a file or a function stops being readable in one go: split by meaning. A rare
      // exception says why in place: `// eslint-disable-next-line max-lines-per-function -- <why>`.
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // Tests read the JSON that the aws CLI, kubectl and the emulators print (`awsCli(...).Roles.map((r: any) =>
    // ...)`) and assert on it with expect(): a wrong shape fails the assertion, so typing every response would
    // add casts, not safety. Off for tests only; src/, emulators/ and scripts/ keep these rules.
    files: ['__tests__/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The few plain JS files (this config, jest's config and global setup) are outside tsconfig.json: lint them
    // without type information, with the Node globals they use.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
