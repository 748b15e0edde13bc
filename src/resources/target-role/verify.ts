import { check, type Check } from '../../core/check.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { ObservedAssociation, ObservedTarget } from '../../core/types.js';
import { allows, EXTERNAL_ID_KEY, statementFor, targetBinding } from '../role-trust/trust.js';
import { unmergeTrust } from '../role-trust/unmerge.js';
import { statementToRemove, type TargetRemovalIntent } from './remove.js';

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

/**
 * Removal: the target role's trust no longer lets the association's role in with the deleted association's external
 * ID (nor with the stale ones taken out); every other statement is the plan's business, not checked here. A target
 * these credentials cannot read is not verifiable: the check says what to take out by hand.
 */
export function checkTargetTrustRemoved(
  roleArn: string,
  intent: TargetRemovalIntent,
  target: ObservedTarget | undefined,
): Check {
  const name = 'target role trust removed';
  const { arn, removed } = intent;
  if (target && !target.readable) {
    if (removed.length === 0)
      return check(
        name,
        undefined,
        `not verifiable: ${arn} cannot be read (${target.why}); the association is gone, so its external ID is not ` +
          `known: a statement letting ${roleArn} in with it may be left in its trust`,
      );
    const statements = removed.map((b) => statementToRemove(b.principal, b.context[EXTERNAL_ID_KEY]!));
    return {
      ...check(name, undefined, `not verifiable: ${arn} cannot be read (${target.why})`),
      todo: `Remove this statement from the trust policy of ${arn}: ${statements.join(' ')}`,
    };
  }
  if (!target) return check(name, undefined, `${arn} was not read`);
  if (!target.role) return check(name, true, `${arn} does not exist`);
  const still = removed.filter((b) => unmergeTrust(target.role!.trust, b).changed);
  const left = statementsOf(parsePolicy(target.role.trust)).length;
  if (intent.kept)
    return check(
      name,
      undefined,
      `${target.role.name} still lets ${roleArn} in: its last statement, kept (IAM accepts no empty trust policy)`,
    );
  const kept = `${left} statement${left === 1 ? '' : 's'} kept`;
  if (removed.length === 0)
    return check(name, true, `${target.role.name} has no grant of ${roleArn} for a deleted association; ${kept}`);
  const ids = removed.map((b) => b.context[EXTERNAL_ID_KEY]).join(', ');
  return check(
    name,
    still.length === 0,
    `${target.role.name} ${still.length ? 'still lets' : 'no longer lets'} ${roleArn} in ` +
      `with external ID ${ids}; ${kept}`,
  );
}
