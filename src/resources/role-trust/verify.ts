import { check, type Check } from '../../core/check.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { ObservedRole } from '../../core/types.js';
import { allows, subjectOf, type Binding } from './trust.js';
import { unmergeTrust } from './unmerge.js';

/** The role's trust lets this binding assume it. */
export function checkTrust(roleName: string, role: ObservedRole | null | undefined, binding: Binding): Check {
  const trusted = !!role && statementsOf(parsePolicy(role.trust)).some((s) => allows(s, binding));
  const sub = subjectOf(binding);
  const who = `${binding.principal} assume it${sub ? ` as ${sub}` : ''}`;
  return check(
    'role trust',
    trusted,
    role ? `${role.name} ${trusted ? 'lets' : 'does not let'} ${who}` : `${roleName} does not exist`,
  );
}

/**
 * Removal: a role planned for deletion is gone; any other role is still there, no longer granting the binding —
 * unless its statement was kept on purpose (`kept`: still used by other associations, or a foreign role's last).
 */
export function checkTrustRemoved(
  roleName: string,
  role: ObservedRole | null | undefined,
  binding: Binding,
  intent: { roleDeleted: boolean; roleKept: boolean; trustKept: boolean },
): Check[] {
  if (intent.roleDeleted)
    return [check('role deleted', !role, role ? `${roleName} still exists` : `${roleName} is gone`)];
  if (!role) return intent.roleKept ? [check('role kept', false, `${roleName} is gone`)] : [];
  const sub = subjectOf(binding);
  const who = `${binding.principal}${sub ? ` as ${sub}` : ''}`;
  const statements = statementsOf(parsePolicy(role.trust)).length;
  if (intent.trustKept) {
    const still = statementsOf(parsePolicy(role.trust)).some((s) => allows(s, binding));
    return [check('role trust kept', still, `${role.name} ${still ? 'still lets' : 'no longer lets'} ${who} in`)];
  }
  const granted = unmergeTrust(role.trust, binding).changed;
  return [
    check(
      'role trust removed',
      !granted,
      `${role.name} ${granted ? 'still grants' : 'no longer grants'} ${who}; ${statements} statement(s) kept`,
    ),
  ];
}
