// The role's eks-pod-iam-target policy, folded: the targets its present bindings need (planPolicies) and the
// targets its removed bindings were the last to use (planTargetRevoke) become its one write. Pure.
import { change, type ChangeList, type Folded, type Ref } from '../../core/changes.js';
import { TARGET_POLICY_NAME } from '../../core/ownership.js';
import type { ObservedRole } from '../../core/types.js';
import { INLINE_POLICY } from './kind.js';
import { grantedTargets, withTargets, withoutTargets } from './target.js';

/** What a planner wants of a role's eks-pod-iam-target policy, and what the write must wait for. */
export interface TargetPolicyIntent {
  /** Target roles the role must be able to assume. */
  add?: readonly string[];
  /** Target roles it may no longer assume. */
  revoke?: readonly string[];
  after: string[];
}

export const targetPolicyRef = (role: string): Ref => ({ kind: 'target-policy', role });

/** The targets a revocation takes out of the policy as it is: only those it grants. */
export const revocable = (role: ObservedRole, targets: readonly string[]) =>
  role.targetPolicy ? targets.filter((t) => grantedTargets(role.targetPolicy).includes(t)) : [];

export function foldTargetPolicy(
  name: string,
  role: ObservedRole | null,
  intents: readonly TargetPolicyIntent[],
): Folded[] {
  const granted = grantedTargets(role?.targetPolicy);
  const missing = [...new Set(intents.flatMap((i) => i.add ?? []))].filter((t) => !granted.includes(t));
  const gone = role ? revocable(role, [...new Set(intents.flatMap((i) => i.revoke ?? []))]) : [];
  const revoking = intents.filter((i) => i.revoke?.length);
  const noLonger = `may no longer assume target role ${gone.join(', ')}`;
  if (missing.length > 0) {
    const exists = !!role?.targetPolicy;
    const adding = intents.filter((i) => i.add?.length);
    const detail =
      `${exists ? 'update' : 'put'} inline policy ${TARGET_POLICY_NAME} on ${name}: ` +
      `may assume target role ${missing.join(', ')}`;
    const added = withTargets(role?.targetPolicy, missing);
    // What is revoked is granted and not missing: the policy keeps the added targets.
    const document = gone.length ? withoutTargets(added, gone)! : added;
    const after = [...new Set([...adding, ...(gone.length ? revoking : [])].flatMap((i) => i.after))];
    const d = change('target-policy', INLINE_POLICY, exists ? 'update' : 'create', detail, after, {
      kind: 'put-inline-policy',
      roleName: name,
      policyName: TARGET_POLICY_NAME,
      document,
    });
    return [{ ...d, detail: gone.length ? `${detail}; ${noLonger}` : detail, from: intents.indexOf(adding[0]!) }];
  }
  if (gone.length === 0 || !role?.targetPolicy) return [];
  const what = `${TARGET_POLICY_NAME} on ${name}: ${noLonger}`;
  const document = withoutTargets(role.targetPolicy, gone);
  const after = [...new Set(revoking.flatMap((i) => i.after))];
  const from = intents.indexOf(revoking[0]!);
  const op = { roleName: name, policyName: TARGET_POLICY_NAME };
  return [
    document
      ? {
          ...change('target-policy-revoke', INLINE_POLICY, 'update', `update inline policy ${what}`, after, {
            kind: 'put-inline-policy',
            ...op,
            document,
          }),
          from,
        }
      : {
          ...change('target-policy-revoke', INLINE_POLICY, 'delete', `delete inline policy ${what} (its last)`, after, {
            kind: 'delete-inline-policy',
            ...op,
          }),
          from,
        },
  ];
}

/** Folds every intent about the role's eks-pod-iam-target policy into its change. */
export function settleTargetPolicy(name: string, role: ObservedRole | null, out: ChangeList): void {
  const ref = targetPolicyRef(name);
  out.settle(ref, foldTargetPolicy(name, role, out.intents<TargetPolicyIntent>(ref)));
}
