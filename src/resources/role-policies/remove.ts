// Before a role eks-pod-iam created is deleted: its managed policies detached, its inline policies deleted, and
// the managed policies eks-pod-iam made for it (its tag) deleted once attached nowhere else. Only ever planned for
// a role eks-pod-iam created: nothing is ever detached from any other role.
import { change, type ChangeList } from '../../core/changes.js';
import type { ObservedRole } from '../../core/types.js';
import { INLINE_POLICY, ROLE_POLICY } from './kind.js';

/** Returns the ids the role's deletion must wait for. */
export function planPoliciesRemoval(role: ObservedRole, after: string[], out: ChangeList): string[] {
  const name = role.name;
  const ids: string[] = [];
  for (const arn of role.attachedPolicyArns)
    ids.push(
      out.push(
        change(`detach:${arn}`, ROLE_POLICY, 'detach', `detach ${arn} from ${name}`, after, {
          kind: 'detach-policy',
          roleName: name,
          policyArn: arn,
        }),
      ),
    );
  for (const policyName of role.inlinePolicyNames ?? [])
    ids.push(
      out.push(
        change(
          `inline-delete:${policyName}`,
          INLINE_POLICY,
          'delete',
          `delete inline policy ${policyName} of ${name}`,
          after,
          {
            kind: 'delete-inline-policy',
            roleName: name,
            policyName,
          },
        ),
      ),
    );
  // Attached to this role only (its one attachment): made for it, it goes with it.
  for (const p of role.customerPolicies ?? [])
    if (p.ours && p.attachmentCount <= 1)
      ids.push(
        out.push(
          change(
            `policy-delete:${p.arn}`,
            ROLE_POLICY,
            'delete',
            `delete managed policy ${p.arn} (made by eks-pod-iam, attached nowhere else), its old versions first`,
            [`detach:${p.arn}`],
            { kind: 'delete-managed-policy', policyArn: p.arn },
          ),
        ),
      );
  return ids;
}
