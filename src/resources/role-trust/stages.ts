// The role room's stage of a plan: per role — every binding of the run that uses it, present or absent — its
// creation or tags and boundary, its policies, what removing its absent bindings takes of it, and its one trust
// write folded from what all its bindings want. Runs after the absent bindings' own parts (their associations and
// service accounts go before their role's trust is taken back: Ready.removals).
import { bindingKey, type BindingConfig } from '../../inputs/config.js';
import type { ChangeList } from '../../core/changes.js';
import { isAbsent, type Planning } from '../../core/planning.js';
import type { RemovalRecords } from '../../core/removal-record.js';
import { roleOwner, scopeOf } from '../../core/scopes.js';
import type { PlanRun, RemovalDone } from '../../core/stages.js';
import { clusterKeyOf, groupBy } from '../../core/state.js';
import type { ObservedRole } from '../../core/types.js';
import { settleTargetPolicy } from '../role-policies/fold.js';
import { planPolicies } from '../role-policies/plan.js';
import { planPoliciesRemoval } from '../role-policies/remove.js';
import { targetTrustId } from '../target-role/fold.js';
import { foldRoleTrust, roleTrustRef, type TrustIntent } from './fold.js';
import { planRole, type RoleGroup, type RoleMember } from './plan.js';
import { planRoleDeletion, planTrustRemoval } from './remove.js';

/** Fills Ready.roles: per role, the changes its bindings must wait for. */
export function planRoles(run: PlanRun): void {
  const live = run.live();
  const present = run.present();
  for (const group of roleGroups(live, run.plan)) {
    const keys = group.members.map((m) => bindingKey(m.config));
    const scoped = run.out.in(scopeOf(roleOwner(group.name), keys, clusterKeyOf(group.members[0]!.config)));
    try {
      run.ready.roles.set(group.name, planOneRole(run, group, present, scoped));
    } catch (e) {
      run.fail(keys, e);
    }
  }
}

function planOneRole(run: PlanRun, group: RoleGroup, present: BindingConfig[], out: ChangeList): string[] {
  const { name } = group;
  const { ready } = run;
  const role = run.state.roles.get(name) as ObservedRole | null;
  const adding = group.members.filter((m) => !isAbsent(m.config));
  const removing = group.members.filter((m) => isAbsent(m.config));
  const after = [...new Set(adding.flatMap((m) => ready.providers.get(m.providerArn ?? '') ?? []))];
  const kept = { ...group, members: adding, ref: adding.length ? roleRefOf(present, run.plan, name) : group.ref };
  const created = adding.length ? planRole(kept, role, after, out, run.provenance) : [];
  if (adding.length) planPolicies(kept, role, role ? after : created, out, ready.managedPolicies.get(name));
  if (removing.length) {
    const removed = ready.removals.get(name) ?? { after: [], unlessAdding: [] };
    planRoleRemoval(name, role, { removing, adding }, removed, out, run.removals);
  }
  // The eks-pod-iam-target policy is settled once its removed bindings' revocations are in (role-policies' stage).
  if (!removing.some((m) => m.config.mode === 'pod-identity' && m.config.targetRoleArn))
    settleTargetPolicy(name, role, out);
  if (!role) return created;
  // The role's one trust write, folded from what its bindings want; theirs wait for it when it lets them in.
  const trust = foldRoleTrust(name, role, out.intents<TrustIntent>(roleTrustRef(name)));
  const ids = out.settle(roleTrustRef(name), trust.changes);
  return trust.adds ? ids : [];
}

/**
 * The role's part of removing its absent bindings (`adding`: its bindings this run keeps, already planned): the
 * trust taken back — in the one trust write that also carries the role's added bindings — and, for a role
 * eks-pod-iam created that has nothing left, its policies and the role itself.
 */
function planRoleRemoval(
  name: string,
  role: ObservedRole | null,
  { removing, adding }: { removing: RoleMember[]; adding: RoleMember[] },
  done: RemovalDone,
  out: ChangeList,
  records: RemovalRecords,
): void {
  const { after } = done;
  const removal = planTrustRemoval(name, role, removing, adding, after, out, done.unlessAdding);
  if (removal.deleteRole && role) {
    const cleared = planPoliciesRemoval(role, after, out);
    // Before the role goes, its grants leave the target roles' trust (a deleted role's ARN shows as a unique ID there).
    const targets = removing.flatMap((m) =>
      m.config.mode === 'pod-identity' && m.config.targetRoleArn ? [targetTrustId(m.config.targetRoleArn)] : [],
    );
    planRoleDeletion(name, removal.removed, [...after, ...cleared, ...targets], out);
  }
  for (const m of removing)
    records.rolePlanned(bindingKey(m.config), {
      roleDeleted: removal.deleteRole,
      roleKept: !!role && !removal.deleteRole,
      trustKept: removal.kept.some((k) => JSON.stringify(k) === JSON.stringify(m.binding)),
    });
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
