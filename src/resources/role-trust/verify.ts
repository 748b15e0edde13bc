import { check, type Check } from '../../core/check.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { ObservedRole } from '../../core/types.js';
import { allows, type Binding } from './trust.js';

/** The role's trust lets this binding assume it. */
export function checkTrust(roleName: string, role: ObservedRole | null | undefined, binding: Binding): Check {
  const trusted = !!role && statementsOf(parsePolicy(role.trust)).some((s) => allows(s, binding));
  const sub = Object.entries(binding.context).find(([k]) => k.endsWith(':sub'))?.[1];
  const who = `${binding.principal} assume it${sub ? ` as ${sub}` : ''}`;
  return check(
    'role trust',
    trusted,
    role ? `${role.name} ${trusted ? 'lets' : 'does not let'} ${who}` : `${roleName} does not exist`,
  );
}
