// The removal half of the plan (state: absent): each absent binding's own parts first (association — with `addon`,
// through the add-on's one write —, service account), then per role the trust taken back — in the one trust write
// that also carries the role's added bindings — and, for a role eks-pod-iam created that has nothing left, its
// policies and the role itself.
import { bindingKey, type BindingConfig, type BindingKey } from '../inputs/config.js';
import type { ChangeList } from '../core/changes.js';
import type { ObservedRole } from '../core/types.js';
import { planAssociationRemoval } from '../resources/association/remove.js';
import { planPoliciesRemoval } from '../resources/role-policies/remove.js';
import type { RoleMember } from '../resources/role-trust/plan.js';
import { planRoleDeletion, planTrustRemoval } from '../resources/role-trust/remove.js';
import { planServiceAccountRemoval } from '../resources/service-account/remove.js';
import { planRemovalRestarts } from '../resources/workloads/remove.js';
import { targetTrustId } from '../resources/target-role/fold.js';
import type { RemovalIntent, Resolved } from '../core/planning.js';
import { observedFor, type RunState } from '../core/state.js';

/**
 * The binding's own removals; returns the ids its role's trust change must wait for. `addonWrite`: with `addon`,
 * the id of the add-on's association write (planned with the add-on's other bindings, planAddonBindings).
 */
export function planBindingRemoval(
  state: RunState,
  b: BindingConfig,
  resolved: Resolved,
  out: ChangeList,
  intents: Map<BindingKey, RemovalIntent>,
  addonWrite?: string,
): string[] {
  const key = bindingKey(b);
  const { config, roleArn } = resolved;
  const observed = observedFor(state, b, key);
  // `addon`: the association the add-on owns leaves through the add-on's write; any other is removed as usual.
  const owner = config.addon ? observed.ownerAddon?.installed?.arn : undefined;
  const direct = (observed.associations ?? []).filter((a) => !owner || a.ownerArn !== owner);
  const ids = config.mode === 'pod-identity' ? planAssociationRemoval(config, roleArn, direct, out) : [];
  if (addonWrite) ids.push(addonWrite);
  const sa = planServiceAccountRemoval(config, roleArn, observed.serviceAccount, out);
  intents.set(key, {
    roleDeleted: false,
    roleKept: !!observed.role,
    trustKept: false,
    serviceAccountDeleted: sa.deleted,
  });
  return [...ids, ...sa.ids];
}

/**
 * Once the removal is planned (its association or add-on write, annotation, trust, target): pods still carrying the
 * identity are rolled out after all of it (restart-workloads), or named in a warning.
 */
export function planStalePods(
  state: RunState,
  b: BindingConfig,
  resolved: Resolved,
  intent: RemovalIntent | undefined,
  out: ChangeList,
): void {
  const key = bindingKey(b);
  const observed = observedFor(state, b, key);
  if (!observed.pods) return;
  const after = out.changes.filter((c) => c.serves.includes(key)).map((c) => c.id);
  planRemovalRestarts(
    resolved.config,
    resolved.roleArn,
    { ...observed, serviceAccountGone: observed.serviceAccount === null || !!intent?.serviceAccountDeleted },
    after,
    out,
  );
}

/** The role's part of removing its absent bindings (`present`: its bindings this run keeps, already planned). */
export function planRoleRemoval(
  name: string,
  role: ObservedRole | null,
  absent: RoleMember[],
  present: RoleMember[],
  done: { after: string[]; unlessAdding: string[] },
  out: ChangeList,
  intents: Map<BindingKey, RemovalIntent>,
): void {
  const { after } = done;
  const removal = planTrustRemoval(name, role, absent, present, after, out, done.unlessAdding);
  if (removal.deleteRole && role) {
    const cleared = planPoliciesRemoval(role, after, out);
    // Before the role goes, its grants leave the target roles' trust (a deleted role's ARN shows as a unique ID there).
    const targets = absent.flatMap((m) =>
      m.config.mode === 'pod-identity' && m.config.targetRoleArn ? [targetTrustId(m.config.targetRoleArn)] : [],
    );
    planRoleDeletion(name, removal.removed, [...after, ...cleared, ...targets], out);
  }
  for (const m of absent) {
    const intent = intents.get(bindingKey(m.config));
    if (!intent) continue;
    intent.roleDeleted = removal.deleteRole;
    intent.roleKept = !!role && !removal.deleteRole;
    intent.trustKept = removal.kept.some((k) => JSON.stringify(k) === JSON.stringify(m.binding));
  }
}
