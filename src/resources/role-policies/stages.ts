// The role-policies room's stage of a plan for removal with `target-role-arn`: per role eks-pod-iam created that
// stays, one write of its eks-pod-iam-target policy without the targets no association of it uses any more (the
// target-role room's removal says which: Ready.targetRevokes), after those targets' grants leave their trust.
import { isAbsent } from '../../core/planning.js';
import { roleOwner, scopeOf } from '../../core/scopes.js';
import type { PlanRun } from '../../core/stages.js';
import { groupBy, isFailed } from '../../core/state.js';
import { settleTargetPolicy, targetPolicyRef } from './fold.js';
import { planTargetRevoke } from './revoke.js';

export function planTargetRevokes(run: PlanRun): void {
  const { state, out } = run;
  for (const [name, rs] of groupBy(run.ready.targetRevokes, (r) => r.role.name)) {
    const keys = [...new Set(rs.map((r) => r.key))];
    const scope = scopeOf(roleOwner(name), keys, rs[0]!.clusterKey);
    const after = [...new Set(rs.flatMap((r) => r.after))];
    if (!planTargetRevoke(rs[0]!.role, [...new Set(rs.map((r) => r.arn))], after, out.in(scope))) continue;
    for (const k of keys) run.removals.targetRevoked(k);
  }
  // Every role of a removed binding with a target: its eks-pod-iam-target policy's one write (the role's stage left
  // it for this one).
  for (const name of new Set(
    state.run.bindings.filter((b) => isAbsent(b) && b.targetRoleArn).map((b) => b.role.name),
  )) {
    const role = state.roles.get(name);
    if (!out.isSettled(targetPolicyRef(name))) settleTargetPolicy(name, !role || isFailed(role) ? null : role, out);
  }
}
