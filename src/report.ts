// The Markdown report of a run: the job summary on GitHub, the log's report on Octopus.
import type { Config } from './inputs/config.js';
import type { OutputName } from './inputs/spec.js';
import type { Plan } from './plan/types.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function summarize(config: Config, p: Plan, outputs: Partial<Record<OutputName, string>>): string {
  const title = `### eks-pod-iam: ${config.mode} for \`${config.namespace}/${config.serviceAccount}\` in \`${config.clusterName}\`${config.dryRun ? ' (dry run)' : ''}`;
  const lines = [title, ''];
  if (p.changes.length === 0) lines.push('Everything already matched: no change.');
  else {
    lines.push(config.dryRun ? 'Changes a real run would make:' : 'Changes made:', '', '| resource | action | detail |', '|---|---|---|');
    for (const c of p.changes) lines.push(`| ${cell(c.resource)} | ${cell(c.action)} | ${cell(c.detail)} |`);
  }
  if (p.warnings.length) lines.push('', ...p.warnings.map((w) => `> ⚠️ ${w}`));
  lines.push('', '| output | value |', '|---|---|');
  for (const [k, v] of Object.entries(outputs)) if (k !== 'changes' && v) lines.push(`| ${k} | \`${cell(v)}\` |`);
  return `${lines.join('\n')}\n`;
}
