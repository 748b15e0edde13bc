// The association room's parts of a plan: a present binding's association (its intents, then its one change, with
// migrate-from-irsa's record of the role IRSA used folded in), an absent binding's association deleted, and once a
// migration is complete, the record removed.
import { bindingScope } from '../../core/scopes.js';
import type { BindingPlan, OwnRemoval, PlanRun } from '../../core/stages.js';
import { isFailed } from '../../core/state.js';
import { bindingKey, type BindingConfig } from '../../inputs/config.js';
import { ROLE_ARN_ANNOTATION } from '../service-account/plan.js';
import { planIrsaRecord, planIrsaRecordRemoval } from './migrate.js';
import { planAssociation, settleAssociation } from './plan.js';
import { planAssociationRemoval } from './remove.js';

/** `addon`: the association is the add-on's (its one write), not the binding's. */
const ownAssociation = ({ config }: BindingPlan) => config.mode === 'pod-identity' && !config.addon;

/** The binding's intents about its association, once its role lets it in. */
export function planBindingAssociation(run: PlanRun, binding: BindingPlan): void {
  if (!ownAssociation(binding)) return;
  const { b, config, roleArn, observed, out } = binding;
  const roleReady = run.ready.roles.get(b.role.name) ?? [];
  planAssociation(config, roleArn, observed.associations ?? [], roleReady, out, run.provenance);
}

/**
 * migrate-from-irsa leaving another role: the association records it before the annotation (the only other record)
 * goes. An add-on's association is the add-on's: not tagged (a run stopped after the annotation leaves the subject).
 */
export function planBindingIrsaRecord(_run: PlanRun, { config, observed, out }: BindingPlan): void {
  if (config.mode !== 'pod-identity' || observed.serviceAccount === undefined) return;
  const annotated = observed.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
  const gone = observed.irsaRole?.readable && observed.irsaRole.role === null; // nothing to take out of it
  if (config.migrateFromIrsa && observed.irsaRole && !gone && annotated && !config.addon)
    planIrsaRecord(bindingKey(config), observed.associations?.[0], observed.irsaRole.arn, out);
}

/** The association's one change, folded from the binding's intents. */
export function settleBindingAssociation(_run: PlanRun, binding: BindingPlan): void {
  if (ownAssociation(binding)) settleAssociation(binding.key, binding.observed.associations?.[0], binding.out);
}

/**
 * An absent binding's associations that name its role are deleted; with `addon`, the one the add-on owns leaves
 * through the add-on's write instead (the add-on room), any other is deleted as usual.
 */
export function planAssociationRemovalOf(
  run: PlanRun,
  { key, config, roleArn, observed, out }: BindingPlan,
): OwnRemoval {
  if (config.mode !== 'pod-identity') return { after: [] };
  const owner = config.addon ? observed.ownerAddon?.installed?.arn : undefined;
  const direct = (observed.associations ?? []).filter((a) => !owner || a.ownerArn !== owner);
  const deleted = planAssociationRemoval(config, roleArn, direct, out);
  run.ready.deletedAssociations.push(...deleted.map((d) => ({ binding: key, ...d })));
  return { after: deleted.map((d) => d.id) };
}

/** migrate-from-irsa, once complete: the binding's record of the annotated role goes, after its annotation has. */
export function planIrsaRecordRemovalOf(run: PlanRun, b: BindingConfig, after: string[]): void {
  const key = bindingKey(b);
  const own = run.state.bindings.get(key);
  if (!own || isFailed(own) || b.addon) return;
  const mine = run.out.madeFor([key]);
  const annotated = !!own.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
  if (annotated && !mine.some((c) => c.op.kind === 'unannotate-service-account')) return;
  const out = run.out.in(bindingScope(b));
  planIrsaRecordRemoval(key, own.associations?.[0], [...after, ...mine.map((c) => c.id)], out);
}
