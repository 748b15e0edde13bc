// Plan for the role's permissions: attach the managed policies its bindings ask for (`policy-arns`, and the policies
// of `managed-policy`, each once), put the inline policy. Never detaches or deletes anything.
import { INLINE_POLICY_NAME } from '../../core/ownership.js';
import { samePolicy } from '../../core/policy-doc.js';
import { change, type ChangeList } from '../../core/changes.js';
import type { ObservedRole } from '../../core/types.js';
import type { RoleGroup } from '../role-trust/plan.js';
import { INLINE_POLICY, ROLE_POLICY } from './kind.js';
import { targetPolicyRef, type TargetPolicyIntent } from './fold.js';

/** A policy of `managed-policy` to attach, and the changes that must be done first (its creation). */
export interface ManagedAttach {
  arn: string;
  after: string[];
}

export function planPolicies(
  group: RoleGroup,
  role: ObservedRole | null,
  after: string[],
  out: ChangeList,
  managed: readonly ManagedAttach[] = [],
): void {
  const { name } = group;
  const attached = role?.attachedPolicyArns ?? [];
  const wanted = [...new Set([...group.members.flatMap((m) => m.config.policyArns), ...managed.map((m) => m.arn)])];
  const waits = (arn: string) => [...after, ...managed.filter((m) => m.arn === arn).flatMap((m) => m.after)];
  for (const arn of wanted)
    if (!attached.includes(arn))
      out.push(
        change(`policy:${arn}`, ROLE_POLICY, 'attach', `attach ${arn} to ${name}`, waits(arn), {
          kind: 'attach-policy',
          roleName: name,
          policyArn: arn,
        }),
      );
  // Inputs refuse two bindings of one role with different inline policies: the first one given is the one.
  const document = group.members.find((m) => m.config.inlinePolicy)?.config.inlinePolicy;
  const inline = role?.inlinePolicy;
  if (document && (!inline || !samePolicy(inline, document)))
    out.push(
      change(
        'inline-policy',
        INLINE_POLICY,
        inline ? 'update' : 'create',
        `${inline ? 'update' : 'put'} inline policy ${INLINE_POLICY_NAME} on ${name}`,
        after,
        { kind: 'put-inline-policy', roleName: name, policyName: INLINE_POLICY_NAME, document },
      ),
    );
  planTargetPolicy(group, after, out);
}

/** The role may assume every target role its bindings name (eks-pod-iam-target): foldTargetPolicy adds the missing. */
function planTargetPolicy(group: RoleGroup, after: string[], out: ChangeList): void {
  const wanted = group.members.flatMap((m) => (m.config.targetRoleArn ? [m.config.targetRoleArn] : []));
  if (wanted.length) out.intend<TargetPolicyIntent>(targetPolicyRef(group.name), { add: wanted, after });
}
