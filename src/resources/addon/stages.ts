// The add-on room's stages of a plan: per cluster the agent add-on (pod identity); with `addon`, per add-on one
// write of its associations for its present and absent bindings alike; and an absent binding's part of that write.
import { refKey } from '../../core/changes.js';
import { isAbsent } from '../../core/planning.js';
import { addonOwner, addonScope, bindingScope, scopeOf } from '../../core/scopes.js';
import type { BindingPlan, OwnRemoval, PlanRun } from '../../core/stages.js';
import { clusterKeyOf, groupBy, observedFor, type ClusterState } from '../../core/state.js';
import { bindingKey, type BindingConfig } from '../../inputs/config.js';
import { ADDON_ASSOCIATIONS_WRITE, planAddonAssociations } from './associations.js';
import { planAddon } from './plan.js';

/** The agent add-on of a cluster with pod-identity bindings; one still coming up is waited for. */
export function planAgentAddon(run: PlanRun, cluster: ClusterState, members: BindingConfig[]): void {
  const podIdentity = members.filter((b) => b.mode === 'pod-identity').map(bindingKey);
  const scoped = run.out.in(scopeOf({ kind: 'cluster', cluster: cluster.key }, podIdentity, cluster.key, cluster.name));
  try {
    if (podIdentity.length && planAddon(cluster.name, cluster.addon, scoped)) run.plan.addonWaits.push(cluster.key);
  } catch (e) {
    run.fail(podIdentity, e);
  }
}

/**
 * An absent binding's association leaves through its add-on's one write (planAddonBindings): its role's trust is
 * taken back after that write — unless a present binding of the add-on has the role too, whose write waits for the
 * trust; then only if the trust lets none in.
 */
export function addonWriteOfRemoval(run: PlanRun, { b }: BindingPlan): OwnRemoval {
  if (!b.addon) return { after: [] };
  const write = run.out.in(addonScope(b, [bindingKey(b)])).ids([ADDON_ASSOCIATIONS_WRITE])[0]!;
  const shared = run
    .present()
    .some((p) => p.addon === b.addon && clusterKeyOf(p) === clusterKeyOf(b) && p.role.name === b.role.name);
  return shared ? { after: [], unlessAdding: [write] } : { after: [write] };
}

/**
 * `addon`: per add-on, one write of its associations for all its bindings — the present ones once their roles trust
 * pods, the absent ones left out (their roles' trust is taken back after it: addonWriteOfRemoval).
 */
export function planAddonBindings(run: PlanRun): void {
  const { state, plan, out } = run;
  const viaAddon = run.live().filter((b) => b.addon);
  for (const [, members] of groupBy(viaAddon, (b) => refKey(addonOwner(b)))) {
    const keys = members.map(bindingKey);
    const first = members[0]!;
    const { ownerAddon } = observedFor(state, first, keys[0]!);
    const adding = members.filter((b) => !isAbsent(b));
    const after = [...new Set(adding.flatMap((b) => run.ready.roles.get(b.role.name) ?? []))];
    const roles = members.map((b) => ({
      ...b,
      roleArn: plan.resolved.get(bindingKey(b))!.roleArn,
      absent: isAbsent(b),
    }));
    try {
      const scoped = out.in(addonScope(first, keys));
      const warn = (m: BindingConfig, message: string) => out.in(bindingScope(m)).warn(message);
      const write = planAddonAssociations(first.clusterName, ownerAddon!, roles, after, scoped, warn);
      if (!write) continue;
      for (const b of members.filter((m) => isAbsent(m) && write.removed.includes(m.serviceAccount)))
        run.removals.addonWritten(bindingKey(b), write.kept);
    } catch (e) {
      run.fail(keys, e);
    }
  }
}
