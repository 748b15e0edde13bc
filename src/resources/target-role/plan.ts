// Plan for a target role's trust: the association's role must be allowed to assume it with the association's
// external ID. Merged into its trust when these credentials can read it (one change per target role, carrying
// every binding of it); otherwise nothing is written and verification prints the statement to add.
import { change, PlanError, type ChangeList } from '../../core/changes.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { ObservedTarget, TargetGrant } from '../../core/types.js';
import { allows, targetBinding } from '../role-trust/trust.js';
import { TARGET_TRUST } from './kind.js';

export function planTargetTrust(
  targetArn: string,
  target: ObservedTarget | undefined,
  grants: TargetGrant[],
  after: string[],
  out: ChangeList,
): void {
  if (!target?.readable) return;
  const { role } = target;
  if (!role)
    throw new PlanError(
      `The target role ${targetArn} given as "target-role-arn" does not exist: create it, or check the ARN.`,
    );
  const statements = statementsOf(parsePolicy(role.trust));
  // An external ID not known yet (the association is created or re-targeted now) is always merged, at apply time.
  const missing = grants.filter(
    (g) => !g.externalId || !statements.some((s) => allows(s, targetBinding(g.roleArn, g.externalId!))),
  );
  if (missing.length === 0) return;
  const who = [...new Set(missing.map((g) => g.roleArn))].join(', ');
  out.push(
    change(
      'target-trust',
      TARGET_TRUST,
      'update',
      `allow ${who} with the association's external ID in the trust policy of target role ${role.name} ` +
        `(${statements.length} existing statement${statements.length === 1 ? '' : 's'} kept)`,
      after,
      { kind: 'trust-target', roleName: role.name, grants: missing },
    ),
  );
}
