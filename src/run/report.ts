// What the user reads: one line per observed resource, changes grouped by resource, and the Markdown
// report (the job summary on GitHub, the log's report on Octopus) with a diagram of the binding.
import type { Config } from '../inputs/config.js';
import type { OutputName } from '../inputs/spec.js';
import { roleArnFor } from '../core/resolve.js';
import { MANAGED_TAG } from '../core/ownership.js';
import { parsePolicy, statementsOf } from '../core/policy-doc.js';
import { AGENT_ADDON } from '../resources/addon/kind.js';
import { ROLE_ARN_ANNOTATION } from '../resources/service-account/plan.js';
import type { Change, Observed } from '../core/types.js';
import { ADDON } from '../resources/addon/kind.js';
import { ASSOCIATION } from '../resources/association/kind.js';
import { MANAGED_POLICY } from '../resources/managed-policy/kind.js';
import { OIDC_PROVIDER } from '../resources/oidc-provider/kind.js';
import { ROLE } from '../resources/role-trust/kind.js';
import { SERVICE_ACCOUNT } from '../resources/service-account/kind.js';
import { TARGET_TRUST } from '../resources/target-role/kind.js';
import { bindingKey, type BindingKey, type RunConfig } from '../inputs/config.js';
import type { RunPlan } from '../core/planning.js';
import { accountOf, roleNameOf } from '../arn.js';
import { presetPolicyArns, wantedPolicies } from '../resources/managed-policy/wanted.js';
import { presetsTable } from './report-presets.js';
import {
  clusterKeyOf,
  configOf,
  groupBy,
  isFailed,
  observedFor,
  wantedPoliciesOf,
  type RunState,
} from '../core/state.js';
import type { Check } from './verify.js';

export function describeObserved(config: Config, o: Observed): string[] {
  const role = o.role;
  const lines = [`cluster ${config.clusterName}: ${o.cluster.arn}`];
  if (role) {
    const statements = statementsOf(parsePolicy(role.trust)).length;
    const attached = config.policyArns.length ? `, ${role.attachedPolicyArns.length} attached policies` : '';
    lines.push(`${ROLE} ${role.name}: exists, ${statements} trust statement(s)${attached}`);
  } else lines.push(`${ROLE} ${config.role.name}: does not exist`);
  for (const w of wantedPolicies(config, o.accountId)) {
    const p = o.managedPolicies?.[w.arn];
    if (p === undefined) continue;
    const state = !p
      ? 'does not exist'
      : `exists, default version ${p.defaultVersionId} of ${p.versions.length}` +
        `${p.tags[MANAGED_TAG] === 'true' ? '' : ', not made by eks-pod-iam'}`;
    const preset = w.preset ? ` (preset ${w.preset.name} ${w.preset.version})` : '';
    lines.push(`${MANAGED_POLICY} ${w.name}${preset}: ${state}`);
  }
  if (config.mode === 'pod-identity' && o.cluster.autoMode)
    lines.push(`${ADDON} ${AGENT_ADDON}: not needed (EKS Auto Mode has the agent built in)`);
  else if (o.addon !== undefined) lines.push(`${ADDON} ${AGENT_ADDON}: ${o.addon ? o.addon.status : 'not installed'}`);
  if (o.ownerAddon) {
    const { name, installed, version } = o.ownerAddon;
    const bound = installed?.associations.map((a) => `${a.serviceAccount} → ${a.roleArn}`).join(', ');
    const state = installed ? `${installed.status} ${version}, associations: ${bound || 'none'}` : 'not installed';
    lines.push(`${ADDON} ${name}: ${version ? state : 'no such add-on'}`);
  }
  if (o.associations) {
    const bound = o.associations
      .map((a) => `${a.associationId} → ${a.roleArn}${a.targetRoleArn ? ` → target ${a.targetRoleArn}` : ''}`)
      .join(', ');
    lines.push(`${ASSOCIATION}: ${bound || 'none'}`);
  }
  const target = o.targetRole;
  if (config.targetRoleArn && target) {
    const state = !target.readable
      ? `cannot be read (${target.why})`
      : target.role
        ? `exists, ${statementsOf(parsePolicy(target.role.trust)).length} trust statement(s)`
        : 'does not exist';
    lines.push(`${TARGET_TRUST} ${config.targetRoleArn}: ${state}`);
  }
  if (o.oidcProvider !== undefined) {
    const p = o.oidcProvider;
    lines.push(`${OIDC_PROVIDER}: ${p ? `${p.arn} (client IDs ${p.clientIds.join(', ')})` : 'does not exist'}`);
  }
  if (o.serviceAccount !== undefined) {
    const annotation = o.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
    const state = o.serviceAccount
      ? `exists${annotation ? `, ${ROLE_ARN_ANNOTATION}=${annotation}` : ''}`
      : o.namespaceExists
        ? 'does not exist'
        : 'does not exist (nor its namespace)';
    lines.push(`${SERVICE_ACCOUNT} ${config.namespace}/${config.serviceAccount}: ${state}`);
    const pods = o.pods ? o.pods.length : 'cannot be listed with these credentials (stale pods are not checked)';
    lines.push(`pods running as it: ${pods}`);
  }
  if (o.workloads)
    lines.push(`workloads running as it: ${o.workloads.map((w) => `${w.kind}/${w.name}`).join(', ') || 'none'}`);
  return lines;
}

/** Changes by resource, resources in plan order. */
export const groupByResource = (changes: readonly Change[]): Map<string, Change[]> =>
  groupBy(changes, (c) => c.resource);

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const label = (s: string) => s.replace(/"/g, "'");

/** Every binding's observation, each shared resource said once. */
export function describeState(state: RunState): string[] {
  const lines = new Set<string>();
  for (const b of state.run.bindings) {
    const key = bindingKey(b);
    const failure = [
      state.clusters.get(clusterKeyOf(b)),
      state.roles.get(b.role.name),
      state.bindings.get(key),
      b.targetRoleArn ? state.targets?.get(b.targetRoleArn) : undefined,
      ...wantedPoliciesOf(state, b).map((w) => state.policies?.get(w.arn)),
    ].find(isFailed);
    if (failure) lines.add(`${key}: cannot be read: ${failure.error.message}`);
    else {
      if (state.run.bindings.length > 1) lines.add(`binding ${key}:`);
      for (const line of describeObserved(configOf(state.run, b), observedFor(state, b, key))) lines.add(line);
    }
  }
  return [...lines];
}

/** Mermaid: service account → association or annotation → role → policies. */
export function diagram(config: Config, providerArn: string | undefined, o: Observed): string {
  const roleName = roleNameOf(roleArnFor(config, o));
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
    if (config.addon) lines.push(`  owner["add-on<br/>${label(config.addon)}"] -- owns --> assoc`);
  } else {
    lines.push(
      `  sa -- "${ROLE_ARN_ANNOTATION}" --> role`,
      `  oidc["OIDC provider<br/>${label(providerArn?.split('/').slice(1).join('/') ?? '')}"] -.-> role`,
    );
  }
  const arns = [...new Set([...config.policyArns, ...presetPolicyArns(config, o.accountId)])];
  arns.forEach((arn, i) => lines.push(`  role --> p${i}["${label(arn.split('/').pop() ?? arn)}"]`));
  if (config.inlinePolicy) lines.push('  role --> inline["inline policy eks-pod-iam"]');
  if (config.mode === 'pod-identity' && config.targetRoleArn)
    lines.push(`  role -- "sts:AssumeRole" --> target["target role<br/>${label(config.targetRoleArn)}"]`);
  wantedPolicies(config, o.accountId).forEach((w, i) =>
    lines.push(`  role --> managed${i || ''}["${w.preset ? 'preset policy' : 'managed policy'}<br/>${label(w.name)}"]`),
  );
  lines.push('```');
  return lines.join('\n');
}

const result = (c: Check, dryRun: boolean) =>
  c.ok === undefined ? 'skipped' : c.ok ? '✅ pass' : dryRun ? '⏳ fixed by the plan' : '❌ fail';

function changesTable(changes: readonly Change[], dryRun: boolean): string[] {
  if (changes.length === 0) return ['Everything already matched: no change.'];
  return [
    dryRun ? 'Changes a real run would make:' : 'Changes made:',
    '',
    '| resource | action | detail |',
    '|---|---|---|',
    ...changes.map((c) => `| ${cell(c.resource)} | ${cell(c.action)} | ${cell(c.detail)} |`),
  ];
}

function checksTable(checks: readonly Check[], dryRun: boolean): string[] {
  return [
    '| check | result | detail |',
    '|---|---|---|',
    ...checks.map((c) => `| ${cell(c.name)} | ${result(c, dryRun)} | ${cell(c.detail)} |`),
  ];
}

type Outputs = Partial<Record<OutputName, string>>;

/** The Markdown report: the job summary on GitHub, the log's report on Octopus. */
export function summarize(
  run: RunConfig,
  plan: RunPlan,
  checks: Map<BindingKey, Check[]>,
  outputs: Outputs,
  final: RunState,
): string {
  const single = run.bindings.length === 1 && run.bindings[0]!.index === undefined;
  return single ? summarizeOne(run, plan, checks, outputs, final) : summarizeMany(run, plan, checks, final);
}

function summarizeOne(
  run: RunConfig,
  plan: RunPlan,
  checks: Map<BindingKey, Check[]>,
  outputs: Outputs,
  final: RunState,
) {
  const b = run.bindings[0]!;
  const key = bindingKey(b);
  const config = configOf(run, b);
  const subject = `\`${config.namespace}/${config.serviceAccount}\` in \`${config.clusterName}\``;
  const what = config.state === 'absent' ? `remove the ${config.mode} binding of` : `${config.mode} for`;
  const lines = [`### eks-pod-iam: ${what} ${subject}${run.dryRun ? ' (dry run)' : ''}`, ''];
  lines.push(...changesTable(plan.changes, run.dryRun), '', ...checksTable(checks.get(key) ?? [], run.dryRun));
  if (plan.warnings.length) lines.push('', ...plan.warnings.map((w) => `> ⚠️ ${w.message}`));
  const resolved = plan.resolved.get(key);
  lines.push(...presetsTable(run, final));
  // A removed binding has nothing left to draw.
  if (resolved && config.state !== 'absent')
    lines.push('', diagram(config, resolved.providerArn, observedFor(final, b, key, resolved.providerArn)));
  lines.push('', '| output | value |', '|---|---|');
  for (const [k, v] of Object.entries(outputs))
    if (k !== 'changes' && k !== 'bindings' && v) lines.push(`| ${k} | \`${cell(v)}\` |`);
  return `${lines.join('\n')}\n`;
}

/** Many bindings: per cluster a table (binding, role, what changed, checks) and a diagram; detail folded. */
function summarizeMany(run: RunConfig, plan: RunPlan, checks: Map<BindingKey, Check[]>, final: RunState) {
  const clusters = [...new Set(run.bindings.map(clusterKeyOf))];
  const failedCount = run.bindings.filter((b) => plan.failures.has(bindingKey(b))).length;
  const lines = [
    `### eks-pod-iam: ${run.bindings.length} bindings in ${clusters.length} ` +
      `cluster${clusters.length === 1 ? '' : 's'}` +
      `${run.dryRun ? ' (dry run)' : ''}`,
    '',
    `${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}${run.dryRun ? ' planned' : ''}` +
      `${failedCount ? `, ${failedCount} binding${failedCount === 1 ? '' : 's'} failed` : ''}.`,
  ];
  if (run.skipped.length) lines.push('', `Skipped (other clusters): ${run.skipped.map((k) => `\`${k}\``).join(', ')}`);
  lines.push(...presetsTable(run, final));
  for (const clusterKey of clusters) {
    const members = run.bindings.filter((b) => clusterKeyOf(b) === clusterKey);
    lines.push('', `#### Cluster \`${members[0]!.clusterName}\` (${members[0]!.region})`, '');
    lines.push('| binding | mode | role | changes | checks |', '|---|---|---|---|---|');
    for (const b of members) {
      const key = bindingKey(b);
      const own = plan.changes.filter((c) => c.serves.includes(key));
      const cs = checks.get(key) ?? [];
      const failure = plan.failures.get(key);
      const verdict = failure
        ? `❌ ${cell(failure)}`
        : `${cs.filter((c) => c.ok).length}/${cs.filter((c) => c.ok !== undefined).length} pass`;
      const role = roleNameOf(plan.resolved.get(key)?.roleArn ?? b.role.name);
      const what = own.map((c) => `${c.resource} ${c.action}`).join(', ') || 'none';
      const mode = b.state === 'absent' ? `${b.mode} (absent)` : b.mode;
      lines.push(`| \`${b.namespace}/${b.serviceAccount}\` | ${mode} | ${cell(role)} | ${cell(what)} | ${verdict} |`);
    }
    const warnings = plan.warnings.filter(
      (w) => members.some((b) => w.about === bindingKey(b)) || w.about === members[0]!.clusterName,
    );
    if (warnings.length) lines.push('', ...warnings.map((w) => `> ⚠️ ${cell(w.about)}: ${w.message}`));
    lines.push(
      '',
      clusterDiagram(
        members.map((b) => configOf(run, b)),
        plan,
      ),
    );
    for (const b of members) {
      const key = bindingKey(b);
      const own = plan.changes.filter((c) => c.serves.includes(key));
      lines.push('', `<details><summary>${b.namespace}/${b.serviceAccount}</summary>`, '');
      lines.push(...changesTable(own, run.dryRun), '', ...checksTable(checks.get(key) ?? [], run.dryRun));
      lines.push('', '</details>');
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Mermaid for a cluster: service accounts → roles → policies. */
function clusterDiagram(configs: Config[], plan: RunPlan): string {
  const lines = ['```mermaid', 'flowchart LR'];
  const roles = new Map<string, number>();
  const policies = new Map<string, number>();
  configs.forEach((c, i) => {
    const resolved = plan.resolved.get(bindingKey(c));
    const roleName = roleNameOf(resolved?.roleArn ?? c.role.name);
    if (!roles.has(roleName)) {
      roles.set(roleName, roles.size);
      lines.push(`  r${roles.get(roleName)}["IAM role<br/>${label(roleName)}"]`);
    }
    const via = c.mode === 'pod-identity' ? 'association' : 'annotation';
    const edge = c.state === 'absent' ? `-. removed .->` : `-- ${via} -->`;
    lines.push(`  sa${i}["${label(`${c.namespace}/${c.serviceAccount}`)}"] ${edge} r${roles.get(roleName)}`);
    if (c.state === 'absent') return;
    const account = resolved && accountOf(resolved.roleArn);
    const made = wantedPolicies(c, account).map((w) => w.name);
    for (const arn of new Set([...c.policyArns, ...presetPolicyArns(c, account), ...made])) {
      const edge = `${roleName}|${arn}`;
      if (policies.has(edge)) continue;
      policies.set(edge, policies.size);
      lines.push(`  r${roles.get(roleName)} --> p${policies.get(edge)}["${label(arn.split('/').pop() ?? arn)}"]`);
    }
  });
  lines.push('```');
  return lines.join('\n');
}
