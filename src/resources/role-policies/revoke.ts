// Removal (state: absent) on a role eks-pod-iam created that stays (other bindings still use it): the target roles
// its removed bindings were the last to use leave eks-pod-iam-target, and the policy goes with its last target —
// what the binding gave the role is taken back. Never planned for a role eks-pod-iam did not create (nothing is
// taken from it), nor for one being deleted (the policy goes with it). Folded with the targets the role's present
// bindings add into the policy's one write (foldTargetPolicy).
import type { ChangeList } from '../../core/changes.js';
import type { ObservedRole } from '../../core/types.js';
import { revocable, targetPolicyRef, type TargetPolicyIntent } from './fold.js';

/** True when the policy grants any of them (it is written without them). */
export function planTargetRevoke(
  role: ObservedRole,
  targets: readonly string[],
  after: string[],
  out: ChangeList,
): boolean {
  if (revocable(role, targets).length === 0) return false;
  out.intend<TargetPolicyIntent>(targetPolicyRef(role.name), { revoke: targets, after });
  return true;
}
