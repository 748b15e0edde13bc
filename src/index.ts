// The bundle's entrypoint (dist/index.js): the GitHub Action, the Octopus step and the CLI all start here.
import { run } from './main.js';

await run();
