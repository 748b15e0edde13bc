// Plan for a target role's trust: the association's role must be allowed to assume it with the association's
// external ID. Merged into its trust when these credentials can read it (one change per target role, carrying
// every binding of it: foldTargetTrust); otherwise nothing is written and verification prints the statement to add.
import { PlanError, type ChangeList } from '../../core/changes.js';
import type { ObservedTarget, TargetGrant } from '../../core/types.js';
import { targetTrustRef, type TargetTrustIntent } from './fold.js';

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
  out.intend<TargetTrustIntent>(targetTrustRef(targetArn), { grants, after });
}
