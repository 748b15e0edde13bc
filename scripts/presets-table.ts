// The README's table of policy presets, generated from their data files (src/presets/data/*.json) so that it cannot
// go stale: `npm run docs` writes it with the inputs tables; __tests__/docs.test.ts fails when it is not current.
import { PRESET_NAMES, presetInfo } from '../src/presets/index.js';
import { samplePreset } from './preset-sample.js';

export const PRESETS_BEGIN = '<!-- presets:begin (generated from src/presets/data by `npm run docs`) -->';
export const PRESETS_END = '<!-- presets:end -->';

interface Param {
  kind: string;
  required?: boolean;
  default?: unknown;
  description?: string;
}

const cell = (s: string) =>
  s
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();

function parameters(params: Record<string, Param>): string {
  const list = Object.entries(params).map(([key, p]) => {
    const need = p.required && p.default === undefined ? ' (required)' : '';
    // Said once: most descriptions already say what the default means.
    const said = /default/i.test(p.description ?? '');
    const dflt = p.default !== undefined && !said ? `; default \`${[p.default].flat().map(String).join(', ')}\`` : '';
    return `\`${key}\`${need}: ${p.description ?? p.kind}${dflt}`;
  });
  return list.length ? list.join('<br/>') : 'none';
}

function policies(name: string): string {
  const p = samplePreset(name);
  const managed = p.awsManagedPolicyArns.map((arn) => `AWS managed \`${arn.split('/').pop()}\``);
  const made = p.document ? [`made: \`<role>-${name}\``] : [];
  return [...managed, ...made].join('<br/>');
}

export function presetsTable(): string {
  const rows = PRESET_NAMES.map((name) => {
    const info = presetInfo(name)!;
    const { project, version, source } = info.upstream;
    return (
      `| \`${name}\` | ${cell(info.purpose)} | [${cell(project)} ${cell(version)}](${source}) | ` +
      `${cell(parameters(info.parameters))} | ${policies(name)} |`
    );
  });
  return [
    PRESETS_BEGIN,
    '| preset | for | upstream (source, version) | parameters | policy |',
    '|---|---|---|---|---|',
    ...rows,
    PRESETS_END,
  ].join('\n');
}

/** The README with its presets table regenerated. */
export function withPresetsTable(readme: string, table = presetsTable()): string {
  const start = readme.indexOf(PRESETS_BEGIN);
  const end = readme.indexOf(PRESETS_END);
  if (start < 0 || end < 0) throw new Error('README.md has no presets markers');
  return readme.slice(0, start) + table + readme.slice(end + PRESETS_END.length);
}
