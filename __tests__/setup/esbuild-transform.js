// Jest's TypeScript transform: esbuild, type-stripping only (`npm run typecheck` is the type gate), to ES modules.
import { transformSync } from 'esbuild';

export default {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
      sourcefile: filename,
      sourcemap: 'external',
    });
    return { code, map };
  },
};
