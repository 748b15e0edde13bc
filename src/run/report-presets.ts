// The report's presets: per binding that gives any, each preset's upstream version and source and the policies it
// is on the role as (AWS managed ones attached, or the customer-managed policy made from its document).
import { policyArn } from '../arn.js';
import { bindingKey, type RunConfig } from '../inputs/config.js';
import { expandedPresets } from '../resources/managed-policy/wanted.js';
import { roleAccountIn, type RunState } from '../core/state.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown lines (none when no binding gives a preset, or none of their accounts is known). */
export function presetsTable(run: RunConfig, state: Pick<RunState, 'clusters'>): string[] {
  const rows: string[] = [];
  for (const b of run.bindings) {
    const account = roleAccountIn(state, b);
    if (!account || b.state === 'absent' || b.presets.length === 0) continue;
    for (const p of expandedPresets(b, account)) {
      const made = p.document
        ? [`made \`${b.role.name}-${p.name}\` (${policyArn(b.partition, account, `${b.role.name}-${p.name}`)})`]
        : [];
      const policies = [...p.awsManagedPolicyArns.map((arn) => `AWS managed \`${arn}\``), ...made].join('<br/>');
      rows.push(`| \`${bindingKey(b)}\` | ${cell(p.name)} | [${cell(p.version)}](${p.source}) | ${cell(policies)} |`);
    }
  }
  if (rows.length === 0) return [];
  return ['', 'Presets:', '', '| binding | preset | upstream | policies |', '|---|---|---|---|', ...rows];
}
