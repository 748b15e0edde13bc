// Jest's TypeScript transform: esbuild, type-stripping only (`npm run typecheck` is the type gate), to ES modules.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { transformSync, version } from 'esbuild';

const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: 'esnext', // the Node that runs jest; an older target drops `with { type: 'json' }` from imports
  sourcemap: 'external',
};
// Jest caches what a transform returns: the key changes with this file and esbuild's version.
const SELF = createHash('sha256')
  .update(readFileSync(new URL(import.meta.url)))
  .update(version)
  .digest('hex');

export default {
  getCacheKey(source, filename, { configString }) {
    return createHash('sha256').update(SELF).update(source).update(filename).update(configString).digest('hex');
  },
  process(source, filename) {
    const { code, map } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code, map };
  },
};
