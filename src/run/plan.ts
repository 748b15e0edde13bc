// The whole plan: desired state (the bindings) against observed state, as one list of changes. Pure: no I/O.
// Shared things are planned once: per cluster the add-on and the OIDC provider, per role one trust change
// carrying every binding of the role; then each binding's own association, service account and restarts.
// A binding that cannot be planned fails alone (with the bindings that share what failed); the rest go on.
import { bindingKey, type BindingConfig, type BindingKey, type Config } from '../inputs/config.js';
import { ChangeList, PlanError } from '../core/changes.js';
import type { Change, ObservedManagedPolicy, Warning } from '../core/types.js';
import { ADDON_ASSOCIATIONS_WRITE, addonBindingPolicies } from '../resources/addon/associations.js';
import { planAddon } from '../resources/addon/plan.js';
import { planAssociation, settleAssociation } from '../resources/association/plan.js';
import { foreignPolicy, planManagedPolicy } from '../resources/managed-policy/plan.js';
import { PRESET_TAG, presetPolicyArns, presetTags } from '../resources/managed-policy/wanted.js';
import { planOidcProvider } from '../resources/oidc-provider/plan.js';
import { planPolicies, type ManagedAttach } from '../resources/role-policies/plan.js';
import { settleTargetPolicy } from '../resources/role-policies/fold.js';
import { planRole, type RoleGroup } from '../resources/role-trust/plan.js';
import type { Binding } from '../resources/role-trust/trust.js';
import { foldRoleTrust, roleTrustRef, type TrustIntent } from '../resources/role-trust/fold.js';
import { planServiceAccount, settleNamespace } from '../resources/service-account/plan.js';
import { planRestarts } from '../resources/workloads/plan.js';
import { planIrsaRecordFor, planSubjectRemovals, planUnannotateFor } from './migrate.js';
import { isAbsent, planBindingRemoval, planRoleRemoval, planStalePods, type RemovalIntent } from './plan-removal.js';
import { inReadingOrder } from './plan-order.js';
import { planAddonBindings } from './plan-addon.js';
import { planTargetRemovals } from './plan-target-removal.js';
import { planTargets } from './plan-targets.js';
import { bindingFor, roleArnFor } from './resolve.js';
import { addonScope, bindingScope, scopeOf } from './scopes.js';
import {
  clusterKeyOf,
  configOf,
  failureOf,
  groupBy,
  isFailed,
  observedFor,
  roleAccountIn,
  wantedPoliciesOf,
  type ClusterKey,
  type RunState,
} from './state.js';

// The resolution and the one-binding wrapper live beside the planner; callers and tests import them from here.
export { PlanError };
export { bindingFor, providerArnFor, roleArnFor } from './resolve.js';

/** What a binding resolved to: the role its pods get, and (IRSA) the provider that vouches for them. */
export interface Resolved {
  config: Config;
  roleArn: string;
  binding: Binding;
  providerArn?: string;
}

export interface RunPlan {
  changes: Change[];
  warnings: Warning[];
  /** Clusters whose add-on must become ACTIVE before the run is done (created now, or still coming up). */
  addonWaits: ClusterKey[];
  /** The bindings that could be planned. */
  resolved: Map<BindingKey, Resolved>;
  /** The bindings that cannot be brought to the desired state, with the cause. */
  failures: Map<BindingKey, string>;
  /** state: absent — what each absent binding's removal leaves behind (what verification checks). */
  removals: Map<BindingKey, RemovalIntent>;
}

/** `provenance`: tags naming the pipeline run, put only on what this run creates (never rewritten). */
export function planRun(state: RunState, provenance: Readonly<Record<string, string>> = {}): RunPlan {
  const plan: RunPlan = {
    changes: [],
    warnings: [],
    addonWaits: [],
    resolved: new Map(),
    failures: new Map(),
    removals: new Map(),
  };
  const out = new ChangeList();
  const fail = (keys: BindingKey[], e: unknown) => {
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
  const removalDone = new Map<string, { after: string[]; unlessAdding: string[] }>();
  for (const b of live().filter(isAbsent)) {
    const key = bindingKey(b);
    try {
      const addonWrite = b.addon ? out.in(addonScope(b, [key])).ids([ADDON_ASSOCIATIONS_WRITE])[0] : undefined;
      // The add-on's write waits for the role's trust when a present binding of the add-on has the role.
      const shared = present().some(
        (p) => p.addon === b.addon && clusterKeyOf(p) === clusterKeyOf(b) && p.role.name === b.role.name,
      );
      const scoped = out.in(bindingScope(b));
      const ids = planBindingRemoval(
        state,
        b,
        plan.resolved.get(key)!,
        scoped,
        plan.removals,
        shared ? undefined : addonWrite,
      );
      const done = removalDone.get(b.role.name) ?? { after: [], unlessAdding: [] };
      done.after.push(...ids);
      if (shared && addonWrite) done.unlessAdding.push(addonWrite);
      removalDone.set(b.role.name, done);
    } catch (e) {
      fail([key], e);
    }
  }
  const roleReady = new Map<string, string[]>();
  for (const group of roleGroups(live(), plan)) {
    const keys = group.members.map((m) => bindingKey(m.config));
    const role = state.roles.get(group.name) as Parameters<typeof planRole>[1];
    const adding = group.members.filter((m) => !isAbsent(m.config));
    const removing = group.members.filter((m) => isAbsent(m.config));
    const after = [...new Set(adding.flatMap((m) => providerReady.get(m.providerArn ?? '') ?? []))];
    const scoped = out.in(scopeOf(`role:${group.name}`, keys, clusterKeyOf(group.members[0]!.config)));
    try {
      const kept = {
        ...group,
        members: adding,
        ref: adding.length ? roleRefOf(present(), plan, group.name) : group.ref,
      };
      const created = adding.length ? planRole(kept, role, after, scoped, provenance) : [];
      if (adding.length) planPolicies(kept, role, role ? after : created, scoped, managed.get(group.name));
      if (removing.length) {
        const removed = removalDone.get(group.name) ?? { after: [], unlessAdding: [] };
        planRoleRemoval(group.name, role, removing, adding, removed, scoped, plan.removals);
      }
      // The role's one trust write, folded from what its bindings want; theirs wait for it when it lets them in.
      const trust = role
        ? foldRoleTrust(group.name, role, scoped.intents<TrustIntent>(roleTrustRef(group.name)))
        : undefined;
      const ids = trust ? scoped.settle(roleTrustRef(group.name), trust.changes) : [];
      roleReady.set(group.name, role ? (trust!.adds ? ids : []) : created);
      // The eks-pod-iam-target policy is settled once its removed bindings' revocations are in (plan-target-removal).
      if (!removing.some((m) => m.config.mode === 'pod-identity' && m.config.targetRoleArn))
        settleTargetPolicy(group.name, role, scoped);
    } catch (e) {
      fail(keys, e);
    }
  }
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
    out.in(scopeOf(`role:${name}`, members.map(bindingKey), clusterKeyOf(members[0]!))),
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
function resolve(state: RunState, b: BindingConfig, plan: RunPlan): void {
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

/** Per cluster: the agent add-on (pod identity) and the OIDC providers (IRSA). Returns each provider's change ids. */
function planClusters(
  state: RunState,
  bindings: BindingConfig[],
  out: ChangeList,
  plan: RunPlan,
  fail: (keys: BindingKey[], e: unknown) => void,
  provenance: Readonly<Record<string, string>>,
): Map<string, string[]> {
  const providerReady = new Map<string, string[]>();
  for (const [clusterKey, members] of groupBy(bindings, clusterKeyOf)) {
    const cluster = state.clusters.get(clusterKey);
    if (!cluster || isFailed(cluster)) continue;
    const podIdentity = members.filter((b) => b.mode === 'pod-identity').map(bindingKey);
    const scoped = out.in(scopeOf(`cluster:${clusterKey}`, podIdentity, clusterKey, cluster.name));
    try {
      if (podIdentity.length && planAddon(cluster.name, cluster.addon, scoped)) plan.addonWaits.push(clusterKey);
    } catch (e) {
      fail(podIdentity, e);
    }
    const irsa = members.map(bindingKey).filter((k) => plan.resolved.get(k)?.providerArn);
    for (const [arn, keys] of groupBy(irsa, (k) => plan.resolved.get(k)!.providerArn!)) {
      const provider = state.providers.get(arn) as Parameters<typeof planOidcProvider>[4];
      const audiences = keys.map((k) => plan.resolved.get(k)!.config.audience);
      const providerOut = out.in(scopeOf(`provider:${arn}`, keys, clusterKey, cluster.name));
      providerReady.set(
        arn,
        planOidcProvider(cluster.name, cluster.info.issuer!, arn, audiences, provider, providerOut, provenance),
      );
    }
  }
  return providerReady;
}

/**
 * Each customer-managed policy (`managed-policy`, presets') once, however many bindings and roles give it (inputs
 * refuse two documents for one name); only for bindings that bind (`state: present`). Returns, per role, the
 * policies to attach and the changes the attach must wait for.
 */
function planManagedPolicies(
  state: RunState,
  bindings: BindingConfig[],
  out: ChangeList,
  fail: (keys: BindingKey[], e: unknown) => void,
  provenance: Readonly<Record<string, string>>,
): Map<string, ManagedAttach[]> {
  const attach = new Map<string, ManagedAttach[]>();
  const uses = bindings
    .filter((b) => b.state === 'present')
    .flatMap((b) => wantedPoliciesOf(state, b).map((wanted) => ({ b, wanted })));
  for (const [arn, ws] of groupBy(uses, (u) => u.wanted.arn)) {
    const bs = ws.map((u) => u.b);
    const keys = bs.map(bindingKey);
    const roles = [...new Set(bs.map((b) => b.role.name))];
    const policy = (state.policies?.get(arn) ?? null) as ObservedManagedPolicy | null;
    const scoped = out.in(scopeOf(`policy:${arn}`, keys, clusterKeyOf(bs[0]!)));
    try {
      const after = planManagedPolicy(ws[0]!.wanted, roles, policy, scoped, provenance);
      for (const role of roles) attach.set(role, [...(attach.get(role) ?? []), { arn, after }]);
    } catch (e) {
      fail(keys, e);
    }
  }
  return attach;
}

function roleGroups(bindings: BindingConfig[], plan: RunPlan): RoleGroup[] {
  return [...groupBy(bindings, (b) => b.role.name)].map(([name, bs]) => ({
    name,
    ref: roleRefOf(bs, plan, name),
    members: bs.map((b) => {
      const r = plan.resolved.get(bindingKey(b))!;
      return { config: r.config, binding: r.binding, providerArn: r.providerArn };
    }),
  }));
}

/**
 * How the role is given, for a role that does not exist yet: by `role-arn` (it must exist: an error) unless an item
 * gives it by `role-name` (it is created) and every `role-arn` of it names the role so created — as running the
 * items one by one would do, the `role-name` one first.
 */
function roleRefOf(all: BindingConfig[], plan: RunPlan, name: string): BindingConfig['role'] {
  const bs = all.filter((b) => b.role.name === name);
  const creator = bs.find((b) => b.role.kind === 'name');
  const created = creator && plan.resolved.get(bindingKey(creator))!.roleArn;
  const other = bs.find((b) => b.role.kind === 'arn' && b.role.arn !== created);
  return (other ?? creator ?? bs[0]!).role;
}

/** The binding's own changes: its association, its namespace and service account, and workload restarts. */
function planBinding(
  state: RunState,
  b: BindingConfig,
  plan: RunPlan,
  out: ChangeList,
  roleReady: string[],
  fail: (keys: BindingKey[], e: unknown) => void,
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
