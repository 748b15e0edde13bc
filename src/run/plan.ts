// The whole plan: desired state (the bindings) against observed state, as one list of changes. Pure: no I/O.
// Shared things are planned once: per cluster the add-on and the OIDC provider, per role one trust change
// carrying every binding of the role; then each binding's own association, service account and restarts.
// A binding that cannot be planned fails alone (with the bindings that share what failed); the rest go on.
import { bindingKey, type BindingConfig } from '../inputs/config.js';
import { ChangeList, PlanError } from '../core/changes.js';
import type { Change } from '../core/types.js';
import { addonBindingPolicies } from '../resources/addon/associations.js';
import { planAssociation, settleAssociation } from '../resources/association/plan.js';
import { foreignPolicy } from '../resources/managed-policy/plan.js';
import { PRESET_TAG, presetPolicyArns, presetTags } from '../resources/managed-policy/wanted.js';
import { planServiceAccount, settleNamespace } from '../resources/service-account/plan.js';
import { planRestarts } from '../resources/workloads/plan.js';
import { planIrsaRecordFor, planSubjectRemovals, planUnannotateFor } from './migrate.js';
import { planAddonBindings } from './plan-addon.js';
import { inReadingOrder } from './plan-order.js';
import { planStalePods } from './plan-removal.js';
import { planOwnRemovals, planRoles } from './plan-roles.js';
import { planClusters, planManagedPolicies } from './plan-shared.js';
import { planTargetRemovals } from './plan-target-removal.js';
import { planTargets } from './plan-targets.js';
import { isAbsent, type Fail, type Planning, type RunPlan } from '../core/planning.js';
import { bindingFor, roleArnFor } from '../core/resolve.js';
import { bindingScope, roleOwner, scopeOf } from '../core/scopes.js';
import {
  clusterKeyOf,
  configOf,
  failureOf,
  observedFor,
  roleAccountIn,
  wantedPoliciesOf,
  type RunState,
} from '../core/state.js';

/** `provenance`: tags naming the pipeline run, put only on what this run creates (never rewritten). */
export function planRun(state: RunState, provenance: Readonly<Record<string, string>> = {}): RunPlan {
  const plan: Planning = {
    changes: [],
    warnings: [],
    addonWaits: [],
    resolved: new Map(),
    failures: new Map(),
    removals: new Map(),
  };
  const out = new ChangeList();
  const fail: Fail = (keys, e) => {
    if (!(e instanceof PlanError)) throw e;
    for (const k of keys) if (!plan.failures.has(k)) plan.failures.set(k, e.message);
    for (const k of keys) plan.resolved.delete(k);
  };
  const bindings = state.run.bindings;

  for (const b of bindings) resolve(state, b, plan);
  const live = () => bindings.filter((b) => plan.resolved.has(bindingKey(b)));
  const present = () => live().filter((b) => !isAbsent(b));

  const providerReady = planClusters(state, present(), out, plan, fail, provenance);
  const managed = planManagedPolicies(state, present(), out, fail, provenance);
  // Removal: each absent binding's own parts go first; its role's trust is taken back after them.
  const removalDone = planOwnRemovals(state, live().filter(isAbsent), present(), plan, out, fail);
  const roleReady = planRoles(state, { live: live(), present: present() }, plan, out, fail, {
    providerReady,
    managed,
    removalDone,
    provenance,
  });
  planAddonBindings(state, live(), plan, out, roleReady, fail);
  for (const b of present())
    planBinding(state, b, plan, out.in(bindingScope(b)), roleReady.get(b.role.name) ?? [], fail, provenance);
  planTargets(state, present(), plan, out, roleReady, fail);
  planTargetRemovals(state, plan, out, fail);
  for (const b of live().filter(isAbsent)) {
    const key = bindingKey(b);
    planStalePods(state, b, plan.resolved.get(key)!, plan.removals.get(key), out.in(bindingScope(b)));
  }
  planSubjectRemovals(state, present(), plan, out, roleReady, (name, members) =>
    out.in(scopeOf(roleOwner(name), members.map(bindingKey), clusterKeyOf(members[0]!))),
  );

  for (const ref of out.pending('namespace')) settleNamespace(ref, (k) => plan.resolved.has(k), out);
  const unsettled = out.unsettled((k) => plan.resolved.has(k));
  if (unsettled.length) throw new Error(`The plan left intents about ${unsettled.join(', ')} unsettled`);
  // A change serves only the bindings still planned; one that serves none of them is not made.
  const planned = out.changes
    .map((c) => ({ ...c, serves: c.serves.filter((k) => plan.resolved.has(k)) }))
    .filter((c) => c.serves.length > 0);
  // A change waits only for changes planned (one that is not, e.g. a target's trust left as it is, is no wait).
  const ids = new Set(planned.map((c) => c.id));
  for (const c of planned) c.after = c.after.filter((id) => ids.has(id));
  plan.changes = inReadingOrder(planned);
  plan.warnings = out.warnings;
  // No add-on wait for a cluster none of whose pod-identity bindings is left to apply.
  const waiting = new Set(
    present()
      .filter((b) => b.mode === 'pod-identity')
      .map(clusterKeyOf),
  );
  plan.addonWaits = plan.addonWaits.filter((k) => waiting.has(k));
  return plan;
}


/** The role ARN, trust binding and provider of each binding whose observation succeeded. */
function resolve(state: RunState, b: BindingConfig, plan: Planning): void {
  const key = bindingKey(b);
  const failure = failureOf(state, b, key);
  if (failure) return void plan.failures.set(key, failure.message);
  const config = configOf(state.run, b);
  const observed = observedFor(state, b, key);
  // A same-named policy eks-pod-iam did not make: this binding fails before anything is written for it (a removal
  // never touches it, so it does not fail for it).
  const wanted = config.state === 'present' ? wantedPoliciesOf(state, b) : [];
  const foreign = wanted
    .map((w) => foreignPolicy(observed.managedPolicies?.[w.arn], presetTags(w)[PRESET_TAG]))
    .find(Boolean);
  if (foreign) return void plan.failures.set(key, foreign);
  try {
    const { binding, providerArn } = bindingFor(config, observed);
    const providerFailure = providerArn ? failureOf(state, b, key, providerArn) : undefined;
    if (providerFailure) return void plan.failures.set(key, providerFailure.message);
    // `addon`: the role gets the policies the add-on recommends when none is given (removal detaches what it finds);
    // presets: the AWS managed policies they name, attached like `policy-arns`.
    const given =
      observed.ownerAddon && config.state === 'present'
        ? addonBindingPolicies(config, observed.ownerAddon, observed.associations ?? [])
        : config.policyArns;
    const presetArns = config.state === 'present' ? presetPolicyArns(b, roleAccountIn(state, b)) : [];
    const policyArns = presetArns.length ? [...new Set([...given, ...presetArns])] : given;
    const resolved = policyArns === config.policyArns ? config : { ...config, policyArns };
    plan.resolved.set(key, { config: resolved, roleArn: roleArnFor(config, observed), binding, providerArn });
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
    plan.failures.set(key, e.message);
  }
}

/** The binding's own changes: its association, its namespace and service account, and workload restarts. */
function planBinding(
  state: RunState,
  b: BindingConfig,
  plan: Planning,
  out: ChangeList,
  roleReady: string[],
  fail: Fail,
  provenance: Readonly<Record<string, string>>,
): void {
  const key = bindingKey(b);
  const { config, roleArn } = plan.resolved.get(key)!;
  const observed = observedFor(state, b, key);
  try {
    // `addon`: the association is the add-on's (planAddonBindings), and so is the service account.
    if (config.mode === 'pod-identity' && !config.addon)
      planAssociation(config, roleArn, observed.associations ?? [], roleReady, out, provenance);
    if (observed.serviceAccount !== undefined && !config.addon)
      planServiceAccount(config, roleArn, observed.serviceAccount, observed.namespaceExists ?? true, roleReady, out);
    planIrsaRecordFor(config, observed, out);
    if (config.mode === 'pod-identity' && !config.addon) settleAssociation(key, observed.associations?.[0], out);
    planUnannotateFor(config, roleArn, observed, roleReady, out);
    if (observed.pods || observed.workloads) {
      // `addon`: the add-on's write of this binding's association is the binding's too (restarts come after it).
      const viaAddon = (c: Change) => !!config.addon && c.op.kind === 'addon-associations' && c.serves.includes(key);
      const own = out.changes.filter((c) => c.target.binding === key || viaAddon(c));
      const createdAt = observed.associations?.[0]?.createdAt;
      planRestarts(config, roleArn, observed.pods ?? [], observed.workloads, own, out, createdAt);
    }
  } catch (e) {
    fail([key], e);
  }
}
