// Jest runs our TypeScript as native ES modules (the runtime deps are ESM-only),
// transpile-only: `npm run typecheck` is the type gate.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60000,
  // One set of emulators (moto and the Kubernetes API server) for the whole run; the end-to-end files
  // share it and reset it per test, so they run one at a time.
  globalSetup: '<rootDir>/__tests__/setup/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/setup/global-teardown.js',
  maxWorkers: 1,
};
