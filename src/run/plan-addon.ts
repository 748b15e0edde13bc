// The add-on half of the plan (`addon`): the add-on's association write, for its present and absent bindings alike.
import type { ChangeList } from '../core/changes.js';
import { bindingKey, type BindingConfig, type BindingKey } from '../inputs/config.js';
import { planAddonAssociations } from '../resources/addon/associations.js';
import { refKey } from '../core/changes.js';
import { isAbsent } from '../core/planning.js';
import type { Planning } from '../core/planning.js';
import { addonOwner, addonScope, bindingScope } from '../core/scopes.js';
import { groupBy, observedFor, type RunState } from '../core/state.js';

/**
 * `addon`: per add-on, one write of its associations for all its bindings — the present ones once their roles trust
 * pods, the absent ones left out (their roles' trust is taken back after it: planBindingRemoval).
 */
export function planAddonBindings(
  state: RunState,
  bindings: BindingConfig[],
  plan: Planning,
  out: ChangeList,
  roleReady: Map<string, string[]>,
  fail: (keys: BindingKey[], e: unknown) => void,
): void {
  const viaAddon = bindings.filter((b) => b.addon);
  for (const [, members] of groupBy(viaAddon, (b) => refKey(addonOwner(b)))) {
    const keys = members.map(bindingKey);
    const first = members[0]!;
    const { ownerAddon } = observedFor(state, first, keys[0]!);
    const adding = members.filter((b) => !isAbsent(b));
    const after = [...new Set(adding.flatMap((b) => roleReady.get(b.role.name) ?? []))];
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
      for (const b of members.filter((m) => isAbsent(m) && write.removed.includes(m.serviceAccount))) {
        const intent = plan.removals.get(bindingKey(b));
        if (intent) intent.addonKept = write.kept;
      }
    } catch (e) {
      fail(keys, e);
    }
  }
}
