// The bundle's entrypoint (dist/index.js): the GitHub Action, the Octopus step and the CLI all start here.
import module from 'node:module';
import { run } from './main.js';

// Node >= 22 caches compiled code between runs (a job that runs several steps starts faster); 20 has no such API.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// Bundled dependencies (client-node's HTTP stack) use deprecated Node APIs; users cannot act on those warnings.
process.noDeprecation = true;

await run(process.argv.slice(2));
