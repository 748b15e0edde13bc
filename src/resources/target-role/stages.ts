// The target-role room's stages of a plan (`target-role-arn`): per target role one trust change — its present
// bindings' grants, once every association naming it is written; then its absent bindings' grants taken out
// (amending that one change, if any), after their associations are deleted and before any of their roles is (IAM
// shows a deleted role's ARN in a trust policy as an unrecognisable unique ID: the grant could no longer be found).
// The targets their roles may lose from their eks-pod-iam-target policy go on to the role-policies room.
import { MANAGED_TAG, TARGET_POLICY_NAME } from '../../core/ownership.js';
import { isAbsent } from '../../core/planning.js';
import { scopeOf } from '../../core/scopes.js';
import type { PlanRun, TargetRevoke } from '../../core/stages.js';
import { clusterKeyOf, groupBy, isFailed, observedFor } from '../../core/state.js';
import type { TargetGrant, UnreadRegion } from '../../core/types.js';
import type { ChangeList } from '../../core/changes.js';
import { bindingKey, type BindingConfig } from '../../inputs/config.js';
import { associationRef } from '../association/plan.js';
import { describeUnread } from '../region-scan/unread.js';
import { settleTargetTrust, targetOwner } from './fold.js';
import { planTargetTrust } from './plan.js';
import { planTargetTrustRemoval, type TargetRemoval } from './remove.js';

/**
 * Per target role, once every association naming it is written: its trust lets each association's role in with
 * that association's external ID (known now, or answered by the association's write).
 */
export function planTargets(run: PlanRun): void {
  const { state, plan, out } = run;
  const targeted = run.present().filter((b) => b.mode === 'pod-identity' && b.targetRoleArn);
  for (const [arn, members] of groupBy(targeted, (b) => b.targetRoleArn!)) {
    const keys = members.map(bindingKey);
    const after: string[] = [];
    const grants = members.map((b): TargetGrant => {
      const key = bindingKey(b);
      const written = out
        .settled(associationRef(key))
        .find((c) => c.op.kind === 'create-association' || c.op.kind === 'update-association');
      after.push(...(run.ready.roles.get(b.role.name) ?? []), ...(written ? [written.id] : []));
      const current = observedFor(state, b, key).associations?.[0];
      // A new association, or one given another target now, gets its external ID from EKS when written.
      const renewed = !current || (written?.op.kind === 'update-association' && !!written.op.targetRoleArn);
      return {
        binding: key,
        roleArn: plan.resolved.get(key)!.roleArn,
        externalId: renewed ? undefined : current.externalId,
      };
    });
    try {
      const target = observedFor(state, members[0]!, keys[0]!).targetRole;
      const scoped = out.in(scopeOf(targetOwner(arn), keys, clusterKeyOf(members[0]!)));
      planTargetTrust(arn, target, grants, [...new Set(after)], scoped);
      // The removals of absent bindings naming the target join its one write, then settle it (planTargetRemovals).
      if (!run.absent().some((b) => b.mode === 'pod-identity' && b.targetRoleArn === arn))
        settleTargetTrust(arn, target, scoped);
    } catch (e) {
      run.fail(keys, e);
    }
  }
}

/** Per target role of absent bindings: its one trust change without their grants; fills Ready.targetRevokes. */
export function planTargetRemovals(run: PlanRun): void {
  const { state, plan, out } = run;
  const leaving = run.absent().filter((b) => b.mode === 'pod-identity' && b.targetRoleArn);
  // Only the deletions of bindings still planned: a failed binding's association stays, and so does its grant.
  const deletes = run.ready.deletedAssociations.filter((d) => plan.resolved.has(d.binding));
  const deleted = new Set(deletes.map((d) => d.associationId));
  // Every association the run observed and keeps uses its role, target and external ID, whichever region it is in.
  const kept = [...state.bindings.values()].flatMap((own) =>
    isFailed(own) ? [] : (own.associations ?? []).filter((a) => !deleted.has(a.associationId)),
  );
  const known = new Set(kept.flatMap((a) => (a.externalId ? [a.externalId] : [])));
  for (const [arn, members] of groupBy(leaving, (b) => b.targetRoleArn!)) {
    const keys = members.map(bindingKey);
    const scoped = out.in(scopeOf(targetOwner(arn), keys, clusterKeyOf(members[0]!)));
    const removals = members.map((b): TargetRemoval => {
      const key = bindingKey(b);
      const mine = deletes.filter((d) => d.binding === key);
      const association = observedFor(state, b, key).associations?.find((a) =>
        mine.some((d) => d.associationId === a.associationId),
      );
      if (association?.targetRoleArn && association.targetRoleArn !== arn)
        scoped.warn(
          `The association of ${key} names target role ${association.targetRoleArn}, not ${arn}: its grant in the ` +
            `trust of ${association.targetRoleArn} is not taken out (give that "target-role-arn" to remove it).`,
        );
      return {
        roleArn: plan.resolved.get(key)!.roleArn,
        externalId: association?.targetRoleArn === arn ? association.externalId : undefined,
        after: mine.map((d) => d.id),
      };
    });
    try {
      const target = observedFor(state, members[0]!, keys[0]!).targetRole;
      const intents = planTargetTrustRemoval(arn, target, removals, deleted, scoped, known);
      members.forEach((b, i) => run.removals.targetPlanned(bindingKey(b), intents[i]!));
      const users = target?.users && [
        ...target.users.filter((u) => !deleted.has(u.associationId)),
        ...kept.filter((a) => a.targetRoleArn === arn),
      ];
      const revoke = revocable(run, arn, users, members, removals);
      // A region not read may hold an association of the role using the target: the policy keeps it.
      if (target?.unreadRegions?.length) warnKeptTarget(arn, revoke, target.unreadRegions, scoped);
      else run.ready.targetRevokes.push(...revoke);
    } catch (e) {
      run.fail(keys, e);
    }
  }
}

function warnKeptTarget(arn: string, revoke: TargetRevoke[], unread: UnreadRegion[], out: ChangeList): void {
  for (const name of new Set(revoke.map((r) => r.role.name)))
    out.warn(
      `Target role ${arn} stays in the ${TARGET_POLICY_NAME} policy of role ${name}: the associations of ` +
        `${describeUnread(unread)} could not be read, and one there may still use it. A run that can read every ` +
        'region takes it out.',
    );
}

/**
 * The target leaves the policy of a removed binding's role only when that role is eks-pod-iam's and stays (one
 * being deleted takes the policy with it), no binding of this run keeps the target for it, and the associations
 * naming the target were read (`users`, with the associations the run keeps: not read means kept, the safe side)
 * and none left names the role with the target.
 */
function revocable(
  run: PlanRun,
  arn: string,
  users: { roleArn: string }[] | undefined,
  members: BindingConfig[],
  removals: TargetRemoval[],
): TargetRevoke[] {
  if (!users) return [];
  const { state } = run;
  return members.flatMap((b, i): TargetRevoke[] => {
    const role = state.roles.get(b.role.name);
    if (!role || isFailed(role) || role.tags[MANAGED_TAG] !== 'true') return [];
    if (run.removals.roleDeleted(bindingKey(b))) return [];
    const kept = state.run.bindings.some((p) => !isAbsent(p) && p.role.name === role.name && p.targetRoleArn === arn);
    if (kept || users.some((u) => u.roleArn === role.arn)) return [];
    const key = bindingKey(b);
    return [{ role, arn, key, clusterKey: clusterKeyOf(b), after: removals[i]!.after }];
  });
}
