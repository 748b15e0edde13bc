// A preset as its data gives it, for the README table and the upstream comparison: every parameter at its default,
// and a required one without a default as a `<name>` placeholder; cluster, region and account as `*` (upstream
// documents write them as wildcards or placeholders, so `*` compares best).
import { expandPreset, presetInfo, type ExpandedPreset } from '../src/presets/index.js';

export function samplePreset(name: string, params: Record<string, string[]> = {}): ExpandedPreset {
  const info = presetInfo(name);
  if (!info) throw new Error(`unknown preset "${name}"`);
  const placeholders = Object.fromEntries(
    Object.entries(info.parameters as Record<string, { required?: boolean; default?: unknown }>)
      .filter(([, p]) => p.required && p.default === undefined)
      .map(([key]) => [key, [`<${key}>`]]),
  );
  const ctx = { partition: 'aws', region: '*', accountId: '*', clusterName: '*' };
  return expandPreset({ name, params: { ...placeholders, ...params } }, ctx);
}
