// Starts the emulators for the run: one set (moto and the Kubernetes API server) per jest worker, so files on
// different workers never share state. Each set's connection is published as EKS_POD_IAM_EMULATORS_<worker id>;
// worker-emulators.js points a file at its worker's set, where connectEmulators() finds it.
// Plain JS: jest imports global setup natively, so the TypeScript helper is loaded through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup(globalConfig) {
  if (globalThis.emulators) return; // the e2e and emulators projects share one setup
  const { EMULATORS_ENV, startEmulators } = await tsImport('../../emulators/index.ts', import.meta.url);
  // In band (one worker) the tests run in this process as worker 1.
  const workers = Math.max(1, globalConfig.maxWorkers ?? 1);
  const sets = await Promise.all(Array.from({ length: workers }, () => startEmulators()));
  globalThis.emulators = sets;
  sets.forEach((set, i) => (process.env[`${EMULATORS_ENV}_${i + 1}`] = set.connection()));
  process.env[EMULATORS_ENV] = sets[0].connection();
}
