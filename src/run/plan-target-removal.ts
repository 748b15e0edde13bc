// The target-role half of removal (state: absent with `target-role-arn`): per target role, one trust change taking
// out its absent bindings' grants (amending the one its present bindings' grants made, if any), after their
// associations are deleted and before any of their roles is (IAM shows a deleted role's ARN in a trust policy as
// an unrecognisable unique ID: the grant could no longer be found).
import type { ChangeList } from '../core/changes.js';
import { bindingKey, type BindingKey } from '../inputs/config.js';
import { planTargetTrustRemoval, type TargetRemoval } from '../resources/target-role/remove.js';
import { isAbsent } from './plan-removal.js';
import type { RunPlan } from './plan.js';
import { clusterKeyOf, groupBy, observedFor, type RunState } from './state.js';

export function planTargetRemovals(
  state: RunState,
  plan: RunPlan,
  out: ChangeList,
  fail: (keys: BindingKey[], e: unknown) => void,
): void {
  const leaving = state.run.bindings.filter(
    (b) => isAbsent(b) && b.mode === 'pod-identity' && b.targetRoleArn && plan.resolved.has(bindingKey(b)),
  );
  const deletes = out.changes.flatMap((c) =>
    c.op.kind === 'delete-association' ? [{ c, id: c.op.associationId }] : [],
  );
  const deleted = new Set(deletes.map((d) => d.id));
  for (const [arn, members] of groupBy(leaving, (b) => b.targetRoleArn!)) {
    const keys = members.map(bindingKey);
    const scope = {
      key: `target:${arn}`,
      binding: keys[0]!,
      serves: keys,
      target: { clusterKey: clusterKeyOf(members[0]!) },
    };
    const scoped = out.in(scope);
    const removals = members.map((b): TargetRemoval => {
      const key = bindingKey(b);
      const mine = deletes.filter((d) => d.c.target.binding === key);
      const association = observedFor(state, b, key).associations?.find((a) =>
        mine.some((d) => d.id === a.associationId),
      );
      if (association?.targetRoleArn && association.targetRoleArn !== arn)
        scoped.warn(
          `The association of ${key} names target role ${association.targetRoleArn}, not ${arn}: its grant in the ` +
            `trust of ${association.targetRoleArn} is not taken out (give that "target-role-arn" to remove it).`,
        );
      return {
        roleArn: plan.resolved.get(key)!.roleArn,
        externalId: association?.targetRoleArn === arn ? association.externalId : undefined,
        after: mine.map((d) => d.c.id),
      };
    });
    try {
      const target = observedFor(state, members[0]!, keys[0]!).targetRole;
      const { intents, id } = planTargetTrustRemoval(arn, target, removals, deleted, scoped);
      members.forEach((b, i) => {
        const intent = plan.removals.get(bindingKey(b));
        if (intent) intent.target = intents[i];
      });
      if (!id) continue;
      const write = out.changes.find((c) => c.id === id)!;
      write.serves = [...new Set([...write.serves, ...keys])];
      const roles = new Set(members.map((b) => b.role.name));
      for (const c of out.changes)
        if (c.op.kind === 'delete-role' && roles.has(c.op.roleName)) c.after = [...new Set([...c.after, id])];
    } catch (e) {
      fail(keys, e);
    }
  }
}
