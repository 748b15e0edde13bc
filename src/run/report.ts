// What the user reads: one line per observed resource, changes grouped by resource, and the Markdown
// report (the job summary on GitHub, the log's report on Octopus) with a diagram of the binding.
import type { Config } from '../inputs/config.js';
import type { OutputName } from '../inputs/spec.js';
import { roleArnFor } from './plan.js';
import { parsePolicy, statementsOf } from '../core/policy-doc.js';
import { AGENT_ADDON } from '../resources/association/plan.js';
import { ROLE_ARN_ANNOTATION } from '../resources/service-account/plan.js';
import type { Change, Observed, Plan } from '../core/types.js';
import type { Check } from './verify.js';

export function describeObserved(config: Config, o: Observed): string[] {
  const role = o.role;
  const lines = [`cluster ${config.clusterName}: ${o.cluster.arn}`];
  if (role) {
    const statements = statementsOf(parsePolicy(role.trust)).length;
    const attached = config.policyArns.length ? `, ${role.attachedPolicyArns.length} attached policies` : '';
    lines.push(`iam-role ${role.name}: exists, ${statements} trust statement(s)${attached}`);
  } else lines.push(`iam-role ${config.role.name}: does not exist`);
  if (o.addon !== undefined) lines.push(`eks-addon ${AGENT_ADDON}: ${o.addon ? o.addon.status : 'not installed'}`);
  if (o.associations) {
    const bound = o.associations.map((a) => `${a.associationId} → ${a.roleArn}`).join(', ');
    lines.push(`pod-identity-association: ${bound || 'none'}`);
  }
  if (o.oidcProvider !== undefined) {
    const p = o.oidcProvider;
    lines.push(`iam-oidc-provider: ${p ? `${p.arn} (client IDs ${p.clientIds.join(', ')})` : 'does not exist'}`);
  }
  if (o.serviceAccount !== undefined) {
    const annotation = o.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
    const state = o.serviceAccount
      ? `exists${annotation ? `, ${ROLE_ARN_ANNOTATION}=${annotation}` : ''}`
      : o.namespaceExists
        ? 'does not exist'
        : 'does not exist (nor its namespace)';
    lines.push(`service-account ${config.namespace}/${config.serviceAccount}: ${state}`);
    const pods = o.pods ? o.pods.length : 'cannot be listed with these credentials (stale pods are not checked)';
    lines.push(`pods running as it: ${pods}`);
  }
  if (o.workloads)
    lines.push(`workloads running as it: ${o.workloads.map((w) => `${w.kind}/${w.name}`).join(', ') || 'none'}`);
  return lines;
}

/** Changes by resource, resources in plan order. */
export function groupByResource(changes: readonly Change[]): Map<string, Change[]> {
  const groups = new Map<string, Change[]>();
  for (const c of changes) groups.set(c.resource, [...(groups.get(c.resource) ?? []), c]);
  return groups;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const label = (s: string) => s.replace(/"/g, "'");

/** Mermaid: service account → association or annotation → role → policies. */
export function diagram(config: Config, p: Plan, o: Observed): string {
  const roleName = roleArnFor(config, o).split('/').pop();
  const lines = [
    '```mermaid',
    'flowchart LR',
    `  sa["ServiceAccount<br/>${label(`${config.namespace}/${config.serviceAccount}`)}"]`,
    `  role["IAM role<br/>${label(roleName ?? '')}"]`,
  ];
  if (config.mode === 'pod-identity') {
    const id = o.associations?.[0]?.associationId ?? 'association';
    lines.push(
      `  sa --> assoc["Pod Identity association<br/>${label(id)}"] --> role`,
      `  agent["${AGENT_ADDON}"] -.-> assoc`,
    );
  } else {
    lines.push(
      `  sa -- "${ROLE_ARN_ANNOTATION}" --> role`,
      `  oidc["OIDC provider<br/>${label(p.oidcProviderArn?.split('/').slice(1).join('/') ?? '')}"] -.-> role`,
    );
  }
  config.policyArns.forEach((arn, i) => lines.push(`  role --> p${i}["${label(arn.split('/').pop() ?? arn)}"]`));
  if (config.inlinePolicy) lines.push('  role --> inline["inline policy eks-pod-iam"]');
  lines.push('```');
  return lines.join('\n');
}

export function summarize(
  config: Config,
  p: Plan,
  checks: Check[],
  outputs: Partial<Record<OutputName, string>>,
  observed: Observed,
): string {
  const subject = `\`${config.namespace}/${config.serviceAccount}\` in \`${config.clusterName}\``;
  const lines = [`### eks-pod-iam: ${config.mode} for ${subject}${config.dryRun ? ' (dry run)' : ''}`, ''];
  if (p.changes.length === 0) lines.push('Everything already matched: no change.');
  else {
    lines.push(
      config.dryRun ? 'Changes a real run would make:' : 'Changes made:',
      '',
      '| resource | action | detail |',
      '|---|---|---|',
    );
    for (const c of p.changes) lines.push(`| ${cell(c.resource)} | ${cell(c.action)} | ${cell(c.detail)} |`);
  }
  lines.push('', '| check | result | detail |', '|---|---|---|');
  const result = (c: Check) =>
    c.ok === undefined ? 'skipped' : c.ok ? '✅ pass' : config.dryRun ? '⏳ fixed by the plan' : '❌ fail';
  for (const c of checks) lines.push(`| ${cell(c.name)} | ${result(c)} | ${cell(c.detail)} |`);
  if (p.warnings.length) lines.push('', ...p.warnings.map((w) => `> ⚠️ ${w}`));
  lines.push('', diagram(config, p, observed), '', '| output | value |', '|---|---|');
  for (const [k, v] of Object.entries(outputs)) if (k !== 'changes' && v) lines.push(`| ${k} | \`${cell(v)}\` |`);
  return `${lines.join('\n')}\n`;
}
