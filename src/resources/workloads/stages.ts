// The workloads room's parts of a plan: a present binding's restarts, after its identity's changes; and once an
// absent binding's removal is planned (its association or add-on write, annotation, trust, target), its pods still
// carrying the identity rolled out after all of it (restart-workloads), or named in a warning.
import { addonOwner, bindingScope } from '../../core/scopes.js';
import type { BindingPlan, PlanRun } from '../../core/stages.js';
import { observedFor } from '../../core/state.js';
import { bindingKey } from '../../inputs/config.js';
import { planRestarts } from './plan.js';
import { planRemovalRestarts } from './remove.js';

/** `addon`: the add-on's write of this binding's association is the binding's too (restarts come after it). */
export function planBindingRestarts(_run: PlanRun, { b, key, config, roleArn, observed, out }: BindingPlan): void {
  if (!observed.pods && !observed.workloads) return;
  const own = out.madeFor([key], config.addon ? addonOwner(b) : undefined);
  const createdAt = observed.associations?.[0]?.createdAt;
  planRestarts(config, roleArn, observed.pods ?? [], observed.workloads, own, out, createdAt);
}

export function planStalePods(run: PlanRun): void {
  for (const b of run.absent()) {
    const key = bindingKey(b);
    const { config, roleArn } = run.plan.resolved.get(key)!;
    const observed = observedFor(run.state, b, key);
    if (!observed.pods) continue;
    const serviceAccountGone = observed.serviceAccount === null || run.removals.serviceAccountDeleted(key);
    const out = run.out.in(bindingScope(b));
    planRemovalRestarts(config, roleArn, { ...observed, serviceAccountGone }, out.serving(key), out);
  }
}
