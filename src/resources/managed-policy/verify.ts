import { check, type Check } from '../../core/check.js';
import { samePolicy } from '../../core/policy-doc.js';
import type { ObservedManagedPolicy, ObservedRole } from '../../core/types.js';
import type { Config } from '../../inputs/config.js';
import { wantedPolicies } from './wanted.js';

/** Each customer-managed policy is attached to the role, and its default version is the document, equal in meaning. */
export function checkManagedPolicies(
  config: Config,
  accountId: string,
  role: ObservedRole | null | undefined,
  policies: Readonly<Record<string, ObservedManagedPolicy | null>> | undefined,
): Check[] {
  return wantedPolicies(config, accountId).flatMap((wanted) => {
    const { arn, preset } = wanted;
    const policy = policies?.[arn];
    const what = preset ? 'preset policy' : 'managed policy';
    const upstream = preset ? ` (${preset.name} ${preset.version})` : '';
    const same = !!policy && samePolicy(policy.document, wanted.document);
    return [
      check(`${what} attached`, !!role?.attachedPolicyArns.includes(arn), `${arn}${upstream} on ${config.role.name}`),
      check(
        `${what} document`,
        same,
        policy
          ? `default version ${policy.defaultVersionId}${preset ? ` of ${wanted.name}` : ''} ` +
              `${same ? 'is' : 'is not'} the document${upstream}`
          : `${arn} does not exist`,
      ),
    ];
  });
}
