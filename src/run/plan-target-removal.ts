// The target-role half of removal (state: absent with `target-role-arn`): per target role, one trust change taking
// out its absent bindings' grants (amending the one its present bindings' grants made, if any), after their
// associations are deleted and before any of their roles is (IAM shows a deleted role's ARN in a trust policy as
// an unrecognisable unique ID: the grant could no longer be found). Then, per role eks-pod-iam created that stays,
// one write of its eks-pod-iam-target policy without the targets no association of it uses any more.
import type { ChangeList } from '../core/changes.js';
import { MANAGED_TAG, TARGET_POLICY_NAME } from '../core/ownership.js';
import type { ObservedRole, UnreadRegion } from '../core/types.js';
import { describeUnread } from '../resources/region-scan/unread.js';
import { bindingKey, type BindingConfig, type BindingKey } from '../inputs/config.js';
import { planTargetRevoke } from '../resources/role-policies/revoke.js';
import { settleTargetPolicy, targetPolicyRef } from '../resources/role-policies/fold.js';
import { planTargetTrustRemoval, type TargetRemoval } from '../resources/target-role/remove.js';
import { targetOwner } from '../resources/target-role/fold.js';
import { isAbsent } from '../core/planning.js';
import type { Planning } from '../core/planning.js';
import { roleOwner, scopeOf } from '../core/scopes.js';
import { clusterKeyOf, groupBy, isFailed, observedFor, type ClusterKey, type RunState } from '../core/state.js';

export function planTargetRemovals(
  state: RunState,
  plan: Planning,
  out: ChangeList,
  fail: (keys: BindingKey[], e: unknown) => void,
): void {
  const leaving = state.run.bindings.filter(
    (b) => isAbsent(b) && b.mode === 'pod-identity' && b.targetRoleArn && plan.resolved.has(bindingKey(b)),
  );
  // Only the deletions of bindings still planned: a failed binding's association stays, and so does its grant.
  const deletes = out.changes.flatMap((c) =>
    c.op.kind === 'delete-association' && c.serves.every((k) => plan.resolved.has(k))
      ? [{ c, id: c.op.associationId }]
      : [],
  );
  const deleted = new Set(deletes.map((d) => d.id));
  // Every association the run observed and keeps uses its role, target and external ID, whichever region it is in.
  const kept = [...state.bindings.values()].flatMap((own) =>
    isFailed(own) ? [] : (own.associations ?? []).filter((a) => !deleted.has(a.associationId)),
  );
  const known = new Set(kept.flatMap((a) => (a.externalId ? [a.externalId] : [])));
  const revokes: Revoke[] = [];
  for (const [arn, members] of groupBy(leaving, (b) => b.targetRoleArn!)) {
    const keys = members.map(bindingKey);
    const scoped = out.in(scopeOf(targetOwner(arn), keys, clusterKeyOf(members[0]!)));
    const removals = members.map((b): TargetRemoval => {
      const key = bindingKey(b);
      const mine = deletes.filter((d) => d.c.target.binding === key);
      const association = observedFor(state, b, key).associations?.find((a) =>
        mine.some((d) => d.id === a.associationId),
      );
      if (association?.targetRoleArn && association.targetRoleArn !== arn)
        scoped.warn(
          `The association of ${key} names target role ${association.targetRoleArn}, not ${arn}: its grant in the ` +
            `trust of ${association.targetRoleArn} is not taken out (give that "target-role-arn" to remove it).`,
        );
      return {
        roleArn: plan.resolved.get(key)!.roleArn,
        externalId: association?.targetRoleArn === arn ? association.externalId : undefined,
        after: mine.map((d) => d.c.id),
      };
    });
    try {
      const target = observedFor(state, members[0]!, keys[0]!).targetRole;
      const intents = planTargetTrustRemoval(arn, target, removals, deleted, scoped, known);
      members.forEach((b, i) => {
        const intent = plan.removals.get(bindingKey(b));
        if (intent) intent.target = intents[i];
      });
      const users = target?.users && [
        ...target.users.filter((u) => !deleted.has(u.associationId)),
        ...kept.filter((a) => a.targetRoleArn === arn),
      ];
      const revoke = revocable(state, arn, users, members, removals, plan);
      // A region not read may hold an association of the role using the target: the policy keeps it.
      if (target?.unreadRegions?.length) warnKeptTarget(arn, revoke, target.unreadRegions, scoped);
      else revokes.push(...revoke);
    } catch (e) {
      fail(keys, e);
    }
  }
  for (const [name, rs] of groupBy(revokes, (r) => r.role.name)) {
    const keys = [...new Set(rs.map((r) => r.key))];
    const scope = scopeOf(roleOwner(name), keys, rs[0]!.clusterKey);
    const after = [...new Set(rs.flatMap((r) => r.after))];
    if (!planTargetRevoke(rs[0]!.role, [...new Set(rs.map((r) => r.arn))], after, out.in(scope))) continue;
    for (const k of keys) {
      const intent = plan.removals.get(k)?.target;
      if (intent) intent.revoked = true;
    }
  }
  // Every role of a removed binding with a target: its eks-pod-iam-target policy's one write (planRun left it).
  for (const name of new Set(
    state.run.bindings.filter((b) => isAbsent(b) && b.targetRoleArn).map((b) => b.role.name),
  )) {
    const role = state.roles.get(name);
    if (!out.isSettled(targetPolicyRef(name))) settleTargetPolicy(name, !role || isFailed(role) ? null : role, out);
  }
}

function warnKeptTarget(arn: string, revoke: Revoke[], unread: UnreadRegion[], out: ChangeList): void {
  for (const name of new Set(revoke.map((r) => r.role.name)))
    out.warn(
      `Target role ${arn} stays in the ${TARGET_POLICY_NAME} policy of role ${name}: the associations of ` +
        `${describeUnread(unread)} could not be read, and one there may still use it. A run that can read every ` +
        'region takes it out.',
    );
}

/** A target a removed binding's role may lose from its eks-pod-iam-target policy. */
interface Revoke {
  role: ObservedRole;
  arn: string;
  key: BindingKey;
  clusterKey: ClusterKey;
  after: string[];
}

/**
 * The target leaves the policy of a removed binding's role only when that role is eks-pod-iam's and stays (one
 * being deleted takes the policy with it), no binding of this run keeps the target for it, and the associations
 * naming the target were read (`users`, with the associations the run keeps: not read means kept, the safe side)
 * and none left names the role with the target.
 */
function revocable(
  state: RunState,
  arn: string,
  users: { roleArn: string }[] | undefined,
  members: BindingConfig[],
  removals: TargetRemoval[],
  plan: Planning,
): Revoke[] {
  if (!users) return [];
  return members.flatMap((b, i): Revoke[] => {
    const role = state.roles.get(b.role.name);
    if (!role || isFailed(role) || role.tags[MANAGED_TAG] !== 'true') return [];
    if (plan.removals.get(bindingKey(b))?.roleDeleted) return [];
    const kept = state.run.bindings.some((p) => !isAbsent(p) && p.role.name === role.name && p.targetRoleArn === arn);
    if (kept || users.some((u) => u.roleArn === role.arn)) return [];
    const key = bindingKey(b);
    return [{ role, arn, key, clusterKey: clusterKeyOf(b), after: removals[i]!.after }];
  });
}
