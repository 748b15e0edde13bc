import { check, type Check } from '../../core/check.js';
import { samePolicy } from '../../core/policy-doc.js';
import type { ObservedManagedPolicy, ObservedRole } from '../../core/types.js';
import type { Config } from '../../inputs/config.js';
import { managedPolicyArnFor } from './plan.js';

/** The managed policy is attached to the role, and its default version is the document, equal in meaning. */
export function checkManagedPolicy(
  config: Config,
  roleArn: string,
  role: ObservedRole | null | undefined,
  policy: ObservedManagedPolicy | null | undefined,
): Check[] {
  const arn = managedPolicyArnFor(config, roleArn);
  if (!config.managedPolicy || !arn) return [];
  const same = !!policy && samePolicy(policy.document, config.managedPolicy.document);
  return [
    check('managed policy attached', !!role?.attachedPolicyArns.includes(arn), `${arn} on ${config.role.name}`),
    check(
      'managed policy document',
      same,
      policy
        ? `default version ${policy.defaultVersionId} ${same ? 'is' : 'is not'} the document`
        : `${arn} does not exist`,
    ),
  ];
}
