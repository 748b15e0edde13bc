// The roles of a plan: each absent binding's own removals first (its role's trust is taken back after them), then
// per role — every binding of the run that uses it, present or absent — its creation or tags and boundary, its
// policies, its removals, and its one trust write folded from what all its bindings want. Pure.
import { bindingKey, type BindingConfig } from '../inputs/config.js';
import type { ChangeList } from '../core/changes.js';
import { ADDON_ASSOCIATIONS_WRITE } from '../resources/addon/associations.js';
import { settleTargetPolicy } from '../resources/role-policies/fold.js';
import { planPolicies, type ManagedAttach } from '../resources/role-policies/plan.js';
import { foldRoleTrust, roleTrustRef, type TrustIntent } from '../resources/role-trust/fold.js';
import { planRole, type RoleGroup } from '../resources/role-trust/plan.js';
import { planBindingRemoval, planRoleRemoval } from './plan-removal.js';
import { isAbsent, type Fail, type Planning } from '../core/planning.js';
import { addonScope, bindingScope, roleOwner, scopeOf } from '../core/scopes.js';
import { clusterKeyOf, groupBy, type RunState } from '../core/state.js';

/** Per role, what its trust write waits for of its absent bindings' own removals. */
export interface RemovalDone {
  after: string[];
  /** The add-on writes a present binding of the role also waits for: waited for only if the trust lets none in. */
  unlessAdding: string[];
}

/** Each absent binding's own parts (association or its add-on's write, service account); per role what they are. */
export function planOwnRemovals(
  state: RunState,
  absent: BindingConfig[],
  present: BindingConfig[],
  plan: Planning,
  out: ChangeList,
  fail: Fail,
): Map<string, RemovalDone> {
  const removalDone = new Map<string, RemovalDone>();
  for (const b of absent) {
    const key = bindingKey(b);
    try {
      const addonWrite = b.addon ? out.in(addonScope(b, [key])).ids([ADDON_ASSOCIATIONS_WRITE])[0] : undefined;
      // The add-on's write waits for the role's trust when a present binding of the add-on has the role.
      const shared = present.some(
        (p) => p.addon === b.addon && clusterKeyOf(p) === clusterKeyOf(b) && p.role.name === b.role.name,
      );
      const resolved = plan.resolved.get(key)!;
      const own = out.in(bindingScope(b));
      const ids = planBindingRemoval(state, b, resolved, own, plan.removals, shared ? undefined : addonWrite);
      const done = removalDone.get(b.role.name) ?? { after: [], unlessAdding: [] };
      done.after.push(...ids);
      if (shared && addonWrite) done.unlessAdding.push(addonWrite);
      removalDone.set(b.role.name, done);
    } catch (e) {
      fail([key], e);
    }
  }
  return removalDone;
}

interface RoleInputs {
  /** Per OIDC provider, the changes a role trusting it waits for. */
  providerReady: Map<string, string[]>;
  managed: Map<string, ManagedAttach[]>;
  removalDone: Map<string, RemovalDone>;
  provenance: Readonly<Record<string, string>>;
}

/** Returns, per role, the changes its bindings must wait for (its creation, or the trust write letting them in). */
export function planRoles(
  state: RunState,
  bindings: { live: BindingConfig[]; present: BindingConfig[] },
  plan: Planning,
  out: ChangeList,
  fail: Fail,
  inputs: RoleInputs,
): Map<string, string[]> {
  const roleReady = new Map<string, string[]>();
  for (const group of roleGroups(bindings.live, plan)) {
    const keys = group.members.map((m) => bindingKey(m.config));
    const scoped = out.in(scopeOf(roleOwner(group.name), keys, clusterKeyOf(group.members[0]!.config)));
    try {
      roleReady.set(group.name, planOneRole(state, group, bindings.present, plan, scoped, inputs));
    } catch (e) {
      fail(keys, e);
    }
  }
  return roleReady;
}

function planOneRole(
  state: RunState,
  group: RoleGroup,
  present: BindingConfig[],
  plan: Planning,
  out: ChangeList,
  { providerReady, managed, removalDone, provenance }: RoleInputs,
): string[] {
  const { name } = group;
  const role = state.roles.get(name) as Parameters<typeof planRole>[1];
  const adding = group.members.filter((m) => !isAbsent(m.config));
  const removing = group.members.filter((m) => isAbsent(m.config));
  const after = [...new Set(adding.flatMap((m) => providerReady.get(m.providerArn ?? '') ?? []))];
  const kept = { ...group, members: adding, ref: adding.length ? roleRefOf(present, plan, name) : group.ref };
  const created = adding.length ? planRole(kept, role, after, out, provenance) : [];
  if (adding.length) planPolicies(kept, role, role ? after : created, out, managed.get(name));
  if (removing.length) {
    const removed = removalDone.get(name) ?? { after: [], unlessAdding: [] };
    planRoleRemoval(name, role, removing, adding, removed, out, plan.removals);
  }
  // The eks-pod-iam-target policy is settled once its removed bindings' revocations are in (plan-target-removal).
  if (!removing.some((m) => m.config.mode === 'pod-identity' && m.config.targetRoleArn))
    settleTargetPolicy(name, role, out);
  if (!role) return created;
  // The role's one trust write, folded from what its bindings want; theirs wait for it when it lets them in.
  const trust = foldRoleTrust(name, role, out.intents<TrustIntent>(roleTrustRef(name)));
  const ids = out.settle(roleTrustRef(name), trust.changes);
  return trust.adds ? ids : [];
}

function roleGroups(bindings: BindingConfig[], plan: Planning): RoleGroup[] {
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
function roleRefOf(all: BindingConfig[], plan: Planning, name: string): BindingConfig['role'] {
  const bs = all.filter((b) => b.role.name === name);
  const creator = bs.find((b) => b.role.kind === 'name');
  const created = creator && plan.resolved.get(bindingKey(creator))!.roleArn;
  const other = bs.find((b) => b.role.kind === 'arn' && b.role.arn !== created);
  return (other ?? creator ?? bs[0]!).role;
}
