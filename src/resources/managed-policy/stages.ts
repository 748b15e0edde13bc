// The managed-policy room's stage of a plan: each customer-managed policy (`managed-policy`, presets') once, however
// many bindings and roles give it (inputs refuse two documents for one name); only for bindings that bind
// (`state: present`). Per role, the policies to attach and the changes each attach waits for.
import { scopeOf } from '../../core/scopes.js';
import type { PlanRun } from '../../core/stages.js';
import { clusterKeyOf, groupBy, wantedPoliciesOf } from '../../core/state.js';
import type { ObservedManagedPolicy } from '../../core/types.js';
import { bindingKey } from '../../inputs/config.js';
import { planManagedPolicy } from './plan.js';

export function planManagedPolicies(run: PlanRun): void {
  const { state } = run;
  const attach = run.ready.managedPolicies;
  const uses = run
    .present()
    .filter((b) => b.state === 'present')
    .flatMap((b) => wantedPoliciesOf(state, b).map((wanted) => ({ b, wanted })));
  for (const [arn, ws] of groupBy(uses, (u) => u.wanted.arn)) {
    const bs = ws.map((u) => u.b);
    const keys = bs.map(bindingKey);
    const roles = [...new Set(bs.map((b) => b.role.name))];
    const policy = (state.policies?.get(arn) ?? null) as ObservedManagedPolicy | null;
    const scoped = run.out.in(scopeOf({ kind: 'policy', arn }, keys, clusterKeyOf(bs[0]!)));
    try {
      const after = planManagedPolicy(ws[0]!.wanted, roles, policy, scoped, run.provenance);
      for (const role of roles) attach.set(role, [...(attach.get(role) ?? []), { arn, after }]);
    } catch (e) {
      run.fail(keys, e);
    }
  }
}
