// Removal (state: absent) on a role eks-pod-iam created that stays (other bindings still use it): the target roles
// its removed bindings were the last to use leave eks-pod-iam-target, and the policy goes with its last target —
// what the binding gave the role is taken back. Never planned for a role eks-pod-iam did not create (nothing is
// taken from it), nor for one being deleted (the policy goes with it).
import { change, type ChangeList } from '../../core/changes.js';
import { TARGET_POLICY_NAME } from '../../core/ownership.js';
import type { ObservedRole } from '../../core/types.js';
import { INLINE_POLICY } from './kind.js';
import { grantedTargets, withoutTargets } from './target.js';

/** Returns the id of the change (undefined: the policy grants none of them). */
export function planTargetRevoke(
  role: ObservedRole,
  targets: readonly string[],
  after: string[],
  out: ChangeList,
): string | undefined {
  const gone = targets.filter((t) => grantedTargets(role.targetPolicy).includes(t));
  if (gone.length === 0 || !role.targetPolicy) return undefined;
  const what = `${TARGET_POLICY_NAME} on ${role.name}: may no longer assume target role ${gone.join(', ')}`;
  // One write of the policy: the put the role's added bindings planned takes the revocation too.
  const planned = out.changes.find(
    (c) => c.op.kind === 'put-inline-policy' && c.op.roleName === role.name && c.op.policyName === TARGET_POLICY_NAME,
  );
  if (planned && planned.op.kind === 'put-inline-policy') {
    const document = withoutTargets(planned.op.document, gone);
    if (document) {
      planned.op = { ...planned.op, document };
      planned.detail += `; may no longer assume target role ${gone.join(', ')}`;
      planned.after = [...new Set([...planned.after, ...after])];
      return planned.id;
    }
  }
  const document = withoutTargets(role.targetPolicy, gone);
  return out.push(
    document
      ? change('target-policy-revoke', INLINE_POLICY, 'update', `update inline policy ${what}`, after, {
          kind: 'put-inline-policy',
          roleName: role.name,
          policyName: TARGET_POLICY_NAME,
          document,
        })
      : change('target-policy-revoke', INLINE_POLICY, 'delete', `delete inline policy ${what} (its last)`, after, {
          kind: 'delete-inline-policy',
          roleName: role.name,
          policyName: TARGET_POLICY_NAME,
        }),
  );
}
