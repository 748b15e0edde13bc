// Every preset's data file, imported statically so the bundle carries them (ncc inlines JSON imports), each checked
// against the PresetData shape on load. One import and one entry per preset: add both for a new preset.
import certManager from './data/cert-manager.json' with { type: 'json' };
import externalDns from './data/external-dns.json' with { type: 'json' };
import { asPresetData } from './shape.js';
import type { PresetData } from './types.js';

const FILES: Record<string, unknown> = {
  'cert-manager': certManager,
  'external-dns': externalDns,
};

/** Preset name → data, in the interface's order (the error text lists the known names in this order). */
export const CATALOG: ReadonlyMap<string, PresetData> = new Map(
  Object.entries(FILES).map(([file, json]) => {
    const data = asPresetData(`${file}.json`, json);
    if (data.name !== file) throw new Error(`preset data ${file}.json: "name" is "${data.name}"`);
    return [file, data];
  }),
);
