// The whole plan: desired state (the bindings) against observed state, as one list of changes. Pure: no I/O.
// Each binding is resolved (its role ARN, trust binding, provider, policies); then the rooms' stages run in the
// order src/resources/registry.ts lists them, and the plan is what they settled, serving the bindings left.
// A binding that cannot be planned fails alone (with the bindings that share what failed); the rest go on.
import { bindingKey, type BindingConfig } from '../inputs/config.js';
import { ChangeList, PlanError } from '../core/changes.js';
import { isAbsent, type Fail, type Planning, type RunPlan } from '../core/planning.js';
import { RemovalRecords } from '../core/removal-record.js';
import { bindingFor, roleArnFor } from '../core/resolve.js';
import { addonBindingPolicies } from '../resources/addon/associations.js';
import { foreignPolicy } from '../resources/managed-policy/plan.js';
import { PRESET_TAG, presetPolicyArns, presetTags } from '../resources/managed-policy/wanted.js';
import { bindingScope } from '../core/scopes.js';
import type { BindingPlan, BindingStep, ClusterStep, PlanRun, PlanStage, RemovalStep } from '../core/stages.js';
import {
  clusterKeyOf,
  configOf,
  failureOf,
  groupBy,
  isFailed,
  observedFor,
  roleAccountIn,
  wantedPoliciesOf,
  type RunState,
} from '../core/state.js';
import { PLAN_STAGES } from '../resources/registry.js';
import { inReadingOrder } from './plan-order.js';

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
  const run: PlanRun = {
    state,
    plan,
    out,
    fail,
    provenance,
    live,
    present: () => live().filter((b) => !isAbsent(b)),
    absent: () => live().filter(isAbsent),
    ready: {
      providers: new Map(),
      managedPolicies: new Map(),
      removals: new Map(),
      roles: new Map(),
      deletedAssociations: [],
      targetRevokes: [],
    },
    removals: new RemovalRecords(),
  };
  for (const stage of PLAN_STAGES) runStage(run, stage);

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
    run
      .present()
      .filter((b) => b.mode === 'pod-identity')
      .map(clusterKeyOf),
  );
  plan.addonWaits = plan.addonWaits.filter((k) => waiting.has(k));
  plan.removals = run.removals.records();
  return plan;
}

function runStage(run: PlanRun, stage: PlanStage): void {
  switch (stage.per) {
    case 'run':
      return stage.plan(run);
    case 'cluster':
      return forEachCluster(run, stage.steps);
    case 'absent binding':
      return forEachAbsent(run, stage.steps);
    case 'present binding':
      return forEachPresent(run, stage.steps);
  }
}

/** Per cluster of the present bindings (one whose observation failed has nothing planned). */
function forEachCluster(run: PlanRun, steps: readonly ClusterStep[]): void {
  for (const [clusterKey, members] of groupBy(run.present(), clusterKeyOf)) {
    const cluster = run.state.clusters.get(clusterKey);
    if (!cluster || isFailed(cluster)) continue;
    for (const step of steps) step.plan(run, cluster, members);
  }
}

/** Each absent binding's own parts; per role, what its trust write waits for of them (Ready.removals). */
function forEachAbsent(run: PlanRun, steps: readonly RemovalStep[]): void {
  for (const b of run.absent()) {
    try {
      const binding = bindingPlanOf(run, b);
      const parts = steps.map((step) => step.plan(run, binding));
      const done = run.ready.removals.get(b.role.name) ?? { after: [], unlessAdding: [] };
      done.after.push(...parts.flatMap((p) => p.after));
      done.unlessAdding.push(...parts.flatMap((p) => p.unlessAdding ?? []));
      run.ready.removals.set(b.role.name, done);
      run.removals.ownPartsPlanned(binding.key, {
        roleExists: !!binding.observed.role,
        serviceAccountDeleted: parts.some((p) => p.serviceAccountDeleted),
      });
    } catch (e) {
      run.fail([bindingKey(b)], e);
    }
  }
}

/** Each present binding's own changes, its rooms' steps in the order listed. */
function forEachPresent(run: PlanRun, steps: readonly BindingStep[]): void {
  for (const b of run.present()) {
    const binding = bindingPlanOf(run, b);
    try {
      for (const step of steps) step.plan(run, binding);
    } catch (e) {
      run.fail([binding.key], e);
    }
  }
}

function bindingPlanOf(run: PlanRun, b: BindingConfig): BindingPlan {
  const key = bindingKey(b);
  const { config, roleArn } = run.plan.resolved.get(key)!;
  return { b, key, config, roleArn, observed: observedFor(run.state, b, key), out: run.out.in(bindingScope(b)) };
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
