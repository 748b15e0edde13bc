// Starts the emulators once for the whole run; test files reach them with connectEmulators().
// Plain JS: jest imports global setup natively, so the TypeScript helper is loaded through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { EMULATORS_ENV, startEmulators } = await tsImport('../../emulators/index.ts', import.meta.url);
  const emulators = await startEmulators();
  globalThis.emulators = emulators;
  process.env[EMULATORS_ENV] = emulators.connection();
}
