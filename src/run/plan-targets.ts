// The target-role half of the plan (`target-role-arn`, present bindings): one trust change per target role.
import type { ChangeList } from '../core/changes.js';
import type { TargetGrant } from '../core/types.js';
import { bindingKey, type BindingConfig, type BindingKey } from '../inputs/config.js';
import { planTargetTrust } from '../resources/target-role/plan.js';
import { associationRef } from '../resources/association/plan.js';
import { settleTargetTrust, targetOwner } from '../resources/target-role/fold.js';
import type { Planning } from '../core/planning.js';
import { scopeOf } from '../core/scopes.js';
import { clusterKeyOf, groupBy, observedFor, type RunState } from '../core/state.js';

/**
 * Per target role (`target-role-arn`), once every association naming it is written: its trust lets each
 * association's role in with that association's external ID (known now, or answered by the association's write).
 */
export function planTargets(
  state: RunState,
  bindings: BindingConfig[],
  plan: Planning,
  out: ChangeList,
  roleReady: Map<string, string[]>,
  fail: (keys: BindingKey[], e: unknown) => void,
): void {
  const targeted = bindings.filter((b) => b.mode === 'pod-identity' && b.targetRoleArn);
  for (const [arn, members] of groupBy(targeted, (b) => b.targetRoleArn!)) {
    const keys = members.map(bindingKey);
    const after: string[] = [];
    const grants = members.map((b): TargetGrant => {
      const key = bindingKey(b);
      const written = out
        .settled(associationRef(key))
        .find((c) => c.op.kind === 'create-association' || c.op.kind === 'update-association');
      after.push(...(roleReady.get(b.role.name) ?? []), ...(written ? [written.id] : []));
      const current = observedFor(state, b, key).associations?.[0];
      // A new association, or one given another target now, gets its external ID from EKS when written.
      const renewed = !current || (written?.op.kind === 'update-association' && !!written.op.targetRoleArn);
      return {
        binding: key,
        roleArn: plan.resolved.get(key)!.roleArn,
        externalId: renewed ? undefined : current.externalId,
      };
    });
    try {
      const target = observedFor(state, members[0]!, keys[0]!).targetRole;
      const scoped = out.in(scopeOf(targetOwner(arn), keys, clusterKeyOf(members[0]!)));
      planTargetTrust(arn, target, grants, [...new Set(after)], scoped);
      // The removals of absent bindings naming the target join its one write, then settle it (plan-target-removal).
      const leaving = state.run.bindings.some(
        (b) =>
          b.state === 'absent' &&
          b.mode === 'pod-identity' &&
          b.targetRoleArn === arn &&
          plan.resolved.has(bindingKey(b)),
      );
      if (!leaving) settleTargetTrust(arn, target, scoped);
    } catch (e) {
      fail(keys, e);
    }
  }
}
