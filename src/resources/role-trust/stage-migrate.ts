// migrate-from-irsa, the role room's stage of a plan. The order is the point: the role gains the Pod Identity trust,
// the association is made, and only changes that come after both — and that re-read the association first (their
// `guard`) — take the IRSA wiring off: the annotation (the service-account room), then (after any restarts) the
// subject in the web-identity trust of the role IRSA used (the annotated one, also when another role is bound: the
// association then records it first, and drops the record once the subject is out: the association room).
// At no moment has the service account no working identity, and a run stopped anywhere is completed by the next.
import { roleNameOf } from '../../arn.js';
import type { ChangeList } from '../../core/changes.js';
import { irsaBindingFor } from '../../core/resolve.js';
import { roleOwner, scopeOf } from '../../core/scopes.js';
import type { PlanRun } from '../../core/stages.js';
import { clusterKeyOf, groupBy, isFailed, observedFor } from '../../core/state.js';
import type { ObservedCluster, ObservedRole, ObservedServiceAccount } from '../../core/types.js';
import { bindingKey, type BindingConfig, type Config } from '../../inputs/config.js';
import { planIrsaRecordRemovalOf } from '../association/stages.js';
import { AUDIENCE_ANNOTATION, DEFAULT_AUDIENCE } from '../service-account/plan.js';
import { roleTrustRef } from './fold.js';
import { planSubjectRemoval } from './migrate.js';
import type { Binding } from './trust.js';
import { unmergeTrust } from './unmerge.js';

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
 * Per role, one write taking the migrated service accounts' subjects out of its trust, after everything else of
 * those bindings (the association, the annotation's removal, the restarts: running pods keep IRSA until replaced)
 * and after the role's own trust change. The role is the one the subject is in: the annotated one, also when the
 * binding binds another. The change is in the role's scope, so it is read back with the role.
 */
export function planSubjectRemovals(run: PlanRun): void {
  const { state, plan, out } = run;
  const migrating = run.present().filter((b) => b.mode === 'pod-identity' && b.migrateFromIrsa);
  const holder = (b: BindingConfig) => {
    const key = bindingKey(b);
    const other = observedFor(state, b, key).irsaRole;
    return { arn: other?.arn ?? plan.resolved.get(key)!.roleArn, other };
  };
  for (const [name, members] of groupBy(migrating, (b) => roleNameOf(holder(b).arn))) {
    const { arn, other } = holder(members[0]!);
    // Another role not readable: verification says what to remove by hand; one that does not exist: nothing to.
    const role = other ? (other.readable ? other.role : undefined) : state.roles.get(name);
    if (other?.readable && other.role === null) members.forEach((b) => planIrsaRecordRemovalOf(run, b, []));
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
    const after = [...(run.ready.roles.get(name) ?? []), ...out.madeFor(keys).map((c) => c.id)];
    const guard = keys.map((k) => ({ binding: k, roleArn: plan.resolved.get(k)!.roleArn }));
    const trust = trustAsPlanned(out, role);
    const inRole = out.in(scopeOf(roleOwner(name), keys, clusterKeyOf(members[0]!)));
    const subjects = irsa.map(([, b]) => b);
    const id = planSubjectRemoval(name, trust, subjects, after, guard, inRole);
    // The move is complete once the subject is out (or its removal is planned): the record may go.
    if (other)
      for (const [b, binding] of irsa)
        if (id || !unmergeTrust(trust, binding).changed) planIrsaRecordRemovalOf(run, b, id ? [id] : []);
  }
}

/** The role's trust as this run's one trust write of it leaves it (what the removal's detail and size describe). */
function trustAsPlanned(out: ChangeList, role: ObservedRole) {
  const update = out.settled(roleTrustRef(role.name)).find((c) => c.op.kind === 'update-trust');
  return update?.op.kind === 'update-trust' ? update.op.trust : role.trust;
}
