import { check, type Check } from '../../core/check.js';
import { INLINE_POLICY_NAME, TARGET_POLICY_NAME } from '../../core/ownership.js';
import { samePolicy } from '../../core/policy-doc.js';
import type { ObservedRole } from '../../core/types.js';
import type { Config } from '../../inputs/config.js';
import { grantedTargets } from './target.js';

/** Each managed policy the binding asks for is attached; its inline policy is there, equal in meaning. */
export function checkPolicies(config: Config, role: ObservedRole | null | undefined): Check[] {
  const checks = config.policyArns.map((arn) =>
    check('policy attached', !!role?.attachedPolicyArns.includes(arn), arn),
  );
  if (config.inlinePolicy)
    checks.push(
      check(
        'inline policy',
        !!role?.inlinePolicy && samePolicy(role.inlinePolicy, config.inlinePolicy),
        `${INLINE_POLICY_NAME} on ${config.role.name}`,
      ),
    );
  const target = config.targetRoleArn;
  if (target)
    checks.push(
      check(
        'target policy',
        grantedTargets(role?.targetPolicy).includes(target),
        `${TARGET_POLICY_NAME} on ${config.role.name} lets it assume ${target}`,
      ),
    );
  return checks;
}

/** Removal: the role eks-pod-iam created, which stays, may no longer assume the target (eks-pod-iam-target). */
export function checkTargetRevoked(roleName: string, target: string, role: ObservedRole | null | undefined): Check {
  const granted = grantedTargets(role?.targetPolicy).includes(target);
  return check(
    'target policy revoked',
    !granted,
    `${TARGET_POLICY_NAME} on ${roleName} ${granted ? 'still lets' : 'no longer lets'} it assume ${target}`,
  );
}
