// The service-account room's parts of a plan: a present binding's service account (and its namespace's intent),
// migrate-from-irsa's removal of the annotation, an absent binding's service account, and last each namespace's
// one change, settled from every binding's intent.
import type { BindingPlan, OwnRemoval, PlanRun } from '../../core/stages.js';
import { associationRef } from '../association/plan.js';
import { planUnannotate } from './migrate.js';
import { planServiceAccount, settleNamespace } from './plan.js';
import { planServiceAccountRemoval } from './remove.js';

/** `addon`: the service account is the add-on's. */
export function planBindingServiceAccount(run: PlanRun, { b, config, roleArn, observed, out }: BindingPlan): void {
  if (observed.serviceAccount === undefined || config.addon) return;
  const roleReady = run.ready.roles.get(b.role.name) ?? [];
  const namespaceExists = observed.namespaceExists ?? true;
  planServiceAccount(config, roleArn, observed.serviceAccount, namespaceExists, roleReady, out);
}

/**
 * A pod-identity binding's service account: the annotation's removal (migrating), after the role's trust and the
 * binding's association changes; or the warning that it stays (not migrating).
 */
export function planBindingUnannotate(run: PlanRun, { b, key, config, roleArn, observed, out }: BindingPlan): void {
  if (config.mode !== 'pod-identity' || observed.serviceAccount === undefined) return;
  const roleReady = run.ready.roles.get(b.role.name) ?? [];
  const after = [...roleReady, ...out.settled(associationRef(key)).map((c) => c.id)];
  planUnannotate(config, roleArn, observed.serviceAccount, after, [{ binding: key, roleArn }], out);
}

export function planServiceAccountRemovalOf(
  _run: PlanRun,
  { config, roleArn, observed, out }: BindingPlan,
): OwnRemoval {
  const { deleted, ids } = planServiceAccountRemoval(config, roleArn, observed.serviceAccount, out);
  return { after: ids, serviceAccountDeleted: deleted };
}

/** Each namespace's one change, once every binding has stated what it wants of it. */
export function settleNamespaces(run: PlanRun): void {
  for (const ref of run.out.pending('namespace')) settleNamespace(ref, (k) => run.plan.resolved.has(k), run.out);
}
