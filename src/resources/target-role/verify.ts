import { check, type Check } from '../../core/check.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { ObservedAssociation, ObservedTarget } from '../../core/types.js';
import { allows, statementFor, targetBinding } from '../role-trust/trust.js';

/** In a dry run before the association names the target, EKS has not made its external ID yet. */
const UNKNOWN_ID = '<the external ID EKS gives the association>';

/**
 * The target role's trust lets the association's role in with the association's external ID. A target these
 * credentials cannot read is not verifiable: the check says so, with the exact statement its trust needs.
 */
export function checkTargetTrust(
  targetArn: string,
  roleArn: string,
  association: ObservedAssociation | undefined,
  target: ObservedTarget | undefined,
): Check {
  const name = 'target role trust';
  const externalId = association?.targetRoleArn === targetArn ? association.externalId : undefined;
  if (target && !target.readable) {
    const statement = JSON.stringify(statementFor(targetBinding(roleArn, externalId ?? UNKNOWN_ID)));
    return {
      ...check(
        name,
        undefined,
        `not verifiable: ${targetArn} cannot be read (${target.why}); its trust needs ${statement}`,
      ),
      todo: `Add this statement to the trust policy of ${targetArn}: ${statement}`,
    };
  }
  if (!externalId) return check(name, false, `the association has no external ID for ${targetArn} yet`);
  const binding = targetBinding(roleArn, externalId);
  if (!target) return check(name, undefined, `${targetArn} was not read`);
  if (!target.role) return check(name, false, `${targetArn} does not exist`);
  const ok = statementsOf(parsePolicy(target.role.trust)).some((s) => allows(s, binding));
  return check(
    name,
    ok,
    `${target.role.name} ${ok ? 'lets' : 'does not let'} ${roleArn} assume it with external ID ${externalId}`,
  );
}
