// migrate-from-irsa across the rooms. The order is the point: the role gains the Pod Identity trust, the association
// is made, and only changes that come after both — and that re-read the association first (their `guard`) — take
// the IRSA wiring off: the annotation, then (after any restarts) the subject in the web-identity trust of the role
// IRSA used (the annotated one, also when another role is bound: the association then records it first).
// At no moment has the service account no working identity, and a run stopped anywhere is completed by the next.

import { roleNameOf } from '../arn.js';
import type { ChangeList } from '../core/changes.js';
import type { Check } from '../core/check.js';
import type { Observed, ObservedCluster, ObservedRole, ObservedServiceAccount } from '../core/types.js';
import { bindingKey, type BindingConfig, type Config } from '../inputs/config.js';
import { checkSubjectRemoved, planSubjectRemoval } from '../resources/role-trust/migrate.js';
import type { Binding } from '../resources/role-trust/trust.js';
import { checkUnannotated, planUnannotate } from '../resources/service-account/migrate.js';
import { AUDIENCE_ANNOTATION, DEFAULT_AUDIENCE, ROLE_ARN_ANNOTATION } from '../resources/service-account/plan.js';
import { planIrsaRecord, planIrsaRecordRemoval } from '../resources/association/migrate.js';
import { associationRef } from '../resources/association/plan.js';
import { unmergeTrust } from '../resources/role-trust/unmerge.js';
import { roleTrustRef } from '../resources/role-trust/fold.js';
import type { Planning } from '../core/planning.js';
import { irsaBindingFor } from '../core/resolve.js';
import { bindingScope } from '../core/scopes.js';
import { groupBy, isFailed, observedFor, type RunState } from '../core/state.js';

/** The web-identity binding IRSA gave the service account: what leaves the role's trust. */
export function irsaBindingOf(
  config: Config,
  roleArn: string,
  cluster: ObservedCluster,
  sa: ObservedServiceAccount | null | undefined,
): Binding | undefined {
  if (!cluster.issuer) return undefined;
  const audience = sa?.annotations[AUDIENCE_ANNOTATION] ?? DEFAULT_AUDIENCE;
  return irsaBindingFor(config, roleArn, cluster.issuer, audience).binding;
}

/**
 * migrate-from-irsa leaving another role: the association records it before the annotation (the only other record)
 * goes. An add-on's association is the add-on's: not tagged (a run stopped after the annotation leaves the subject).
 */
export function planIrsaRecordFor(config: Config, observed: Observed, out: ChangeList): void {
  if (config.mode !== 'pod-identity' || observed.serviceAccount === undefined) return;
  const annotated = observed.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
  const gone = observed.irsaRole?.readable && observed.irsaRole.role === null; // nothing to take out of it
  if (config.migrateFromIrsa && observed.irsaRole && !gone && annotated && !config.addon)
    planIrsaRecord(bindingKey(config), observed.associations?.[0], observed.irsaRole.arn, out);
}

/**
 * A pod-identity binding's service account: the annotation's removal (migrating), after the role's trust and the
 * binding's association changes; or the warning that it stays (not migrating).
 */
export function planUnannotateFor(
  config: Config,
  roleArn: string,
  observed: Observed,
  roleReady: string[],
  out: ChangeList,
) {
  if (config.mode !== 'pod-identity' || observed.serviceAccount === undefined) return;
  const key = bindingKey(config);
  const after = [...roleReady, ...out.settled(associationRef(key)).map((c) => c.id)];
  planUnannotate(config, roleArn, observed.serviceAccount, after, [{ binding: key, roleArn }], out);
}

/**
 * Per role, one write taking the migrated service accounts' subjects out of its trust, after everything else of
 * those bindings (the association, the annotation's removal, the restarts: running pods keep IRSA until replaced)
 * and after the role's own trust change. The role is the one the subject is in: the annotated one, also when the
 * binding binds another. `inRole` gives the role's scope, so the change is read back with the role.
 */
export function planSubjectRemovals(
  state: RunState,
  bindings: BindingConfig[],
  plan: Planning,
  out: ChangeList,
  roleReady: Map<string, string[]>,
  inRole: (name: string, members: BindingConfig[]) => ChangeList,
): void {
  const migrating = bindings.filter((b) => b.mode === 'pod-identity' && b.migrateFromIrsa);
  const holder = (b: BindingConfig) => {
    const key = bindingKey(b);
    const other = observedFor(state, b, key).irsaRole;
    return { arn: other?.arn ?? plan.resolved.get(key)!.roleArn, other };
  };
  for (const [name, members] of groupBy(migrating, (b) => roleNameOf(holder(b).arn))) {
    const { arn, other } = holder(members[0]!);
    // Another role not readable: verification says what to remove by hand; one that does not exist: nothing to.
    const role = other ? (other.readable ? other.role : undefined) : state.roles.get(name);
    if (other?.readable && other.role === null) members.forEach((b) => planRecordRemoval(state, b, [], out));
    if (!role || isFailed(role)) continue;
    const irsa: [BindingConfig, Binding][] = [];
    for (const b of members) {
      const cluster = state.clusters.get(`${b.region}/${b.clusterName}`);
      const own = state.bindings.get(bindingKey(b));
      if (!cluster || isFailed(cluster) || !own || isFailed(own)) continue;
      const binding = irsaBindingOf(plan.resolved.get(bindingKey(b))!.config, arn, cluster.info, own.serviceAccount);
      if (binding) irsa.push([b, binding]);
    }
    const keys = members.map(bindingKey);
    const after = [
      ...(roleReady.get(name) ?? []),
      ...out.changes.filter((c) => c.target.binding && keys.includes(c.target.binding)).map((c) => c.id),
    ];
    const guard = keys.map((k) => ({ binding: k, roleArn: plan.resolved.get(k)!.roleArn }));
    const trust = trustAsPlanned(out, role);
    const id = planSubjectRemoval(
      name,
      trust,
      irsa.map(([, b]) => b),
      after,
      guard,
      inRole(name, members),
    );
    // The move is complete once the subject is out (or its removal is planned): the record may go.
    if (other)
      for (const [b, binding] of irsa)
        if (id || !unmergeTrust(trust, binding).changed) planRecordRemoval(state, b, id ? [id] : [], out);
  }
}

/** The binding's record of the annotated role goes, after its annotation has (or is planned to). */
function planRecordRemoval(state: RunState, b: BindingConfig, after: string[], out: ChangeList): void {
  const key = bindingKey(b);
  const own = state.bindings.get(key);
  if (!own || isFailed(own) || b.addon) return;
  const mine = out.changes.filter((c) => c.target.binding === key);
  const annotated = !!own.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
  if (annotated && !mine.some((c) => c.op.kind === 'unannotate-service-account')) return;
  planIrsaRecordRemoval(key, own.associations?.[0], [...after, ...mine.map((c) => c.id)], out.in(bindingScope(b)));
}

/** The role's trust as this run's one trust write of it leaves it (what the removal's detail and size describe). */
function trustAsPlanned(out: ChangeList, role: ObservedRole) {
  const update = out.settled(roleTrustRef(role.name)).find((c) => c.op.kind === 'update-trust');
  return update?.op.kind === 'update-trust' ? update.op.trust : role.trust;
}

/** The migration's read-back: the annotation and the subject are gone (the association is checked as always). */
export function migrationChecks(config: Config, roleArn: string, observed: Observed): Check[] {
  if (config.mode !== 'pod-identity' || !config.migrateFromIrsa) return [];
  const other = observed.irsaRole;
  const irsa = irsaBindingOf(config, other?.arn ?? roleArn, observed.cluster, observed.serviceAccount);
  return [checkUnannotated(config, observed.serviceAccount), checkSubjectRemoved(other ?? observed.role, irsa)];
}
