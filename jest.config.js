// Jest runs our TypeScript as native ES modules (the runtime deps are ESM-only), type-stripped by esbuild
// (__tests__/setup/esbuild-transform.js; `npm run typecheck` is the type gate). Measured against ts-jest
// (transpile-only) on `npm run unit`: 16 s against 28 s with an empty jest cache, 10 s against 15 s with a full one.
//
// Four projects:
//  - unit: in this process only, no emulators; these files run in parallel (`npm run unit`).
//  - spawn: files that start processes of their own (the bundle, scripts through tsx, the Octopus step's bash),
//    still without emulators: the bundle-level smoke tests of each shell.
//  - e2e: against the emulators (moto and the Kubernetes API server). Global setup starts one set per jest
//    worker (__tests__/setup/worker-emulators.js points each file at its worker's set), so two e2e files can
//    run side by side without sharing state; each file resets its set per test.
//  - emulators: the emulators' own tests, judged with the aws CLI and kubectl (`npm run test:emulators`).
// `npm test` runs unit, spawn and e2e; .ci/run runs the emulators project too.

import { availableParallelism } from 'node:os';

const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': '<rootDir>/__tests__/setup/esbuild-transform.js',
  },
};

/** The files that need the emulators: every e2e-*, and these. */
const E2E = ['e2e-*', 'local-action', 'permissions', 'removal-ops', 'secrets'].map(
  (f) => `<rootDir>/__tests__/${f}.test.ts`,
);
const EMULATORS = ['<rootDir>/__tests__/emulator-*.test.ts'];
/** The files that start processes but need no emulators. */
const SPAWN = ['bundle', 'cli-help', 'octopus-script', 'preset-diff', 'runner-protocol', 'workflows'].map(
  (f) => `<rootDir>/__tests__/${f}.test.ts`,
);

const withEmulators = {
  ...base,
  globalSetup: '<rootDir>/__tests__/setup/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/setup/global-teardown.js',
  setupFiles: ['<rootDir>/__tests__/setup/worker-emulators.js'],
};

/** @type {import('jest').Config} */
export default {
  testTimeout: 60000,
  // Both cores of a small machine: e2e files wait on the emulators much of the time.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...[...E2E, ...EMULATORS, ...SPAWN].map(glob)],
    },
    { ...base, displayName: 'spawn', testMatch: SPAWN },
    { ...withEmulators, displayName: 'e2e', testMatch: E2E },
    { ...withEmulators, displayName: 'emulators', testMatch: EMULATORS },
  ],
};

/** testPathIgnorePatterns takes regular expressions, testMatch globs. */
function glob(pattern) {
  return pattern.replace('<rootDir>/', '/').replace(/\./g, '\\.').replace(/\*/g, '[^/]*').concat('$');
}
