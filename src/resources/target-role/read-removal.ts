// Removal with `target-role-arn`: a target's trust may hold eks-pod-iam's grants of a removed binding's role with an
// external ID no association of this run has — left by a run killed after deleting the association; and a role
// eks-pod-iam created that stays may lose the target from its eks-pod-iam-target policy. Which associations still
// name the target (in every region enabled for the account: the run's one scan, with their roles and external IDs)
// is read only then.
import { MANAGED_TAG } from '../../core/ownership.js';
import { bindingKey, type BindingConfig } from '../../inputs/config.js';
import type { AccountScan } from '../region-scan/scan.js';
import { grantedTargets } from '../role-policies/target.js';
import { isPlainPodIdentity } from '../role-trust/trust.js';
import { hasStatements, unmergeTrustAll } from '../role-trust/unmerge.js';
import { staleGrants } from './remove.js';
import { bindingFor, roleArnFor } from '../../core/resolve.js';
import { configOf, failureOf, groupBy, isFailed, observedFor, type RunState } from '../../core/state.js';

export async function readTargetUsersForRemoval(state: RunState, scan: AccountScan): Promise<RunState> {
  const leaving = state.run.bindings.filter(
    (b) => b.state === 'absent' && b.mode === 'pod-identity' && b.targetRoleArn && !failureOf(state, b, bindingKey(b)),
  );
  if (!state.targets || leaving.length === 0) return state;
  // Every external ID this run has seen: an association being deleted has its own grant taken out anyway.
  const known = new Set(
    [...state.bindings.values()].flatMap((own) =>
      isFailed(own) ? [] : (own.associations ?? []).flatMap((a) => (a.externalId ? [a.externalId] : [])),
    ),
  );
  const targets = new Map(state.targets);
  await Promise.all(
    [...groupBy(leaving, (b) => b.targetRoleArn!)].map(async ([arn, bs]) => {
      const target = targets.get(arn);
      if (!target || isFailed(target)) return;
      const roleArns = bs.map((b) => roleArnFor(configOf(state.run, b), observedFor(state, b, bindingKey(b))));
      const stale = target.readable && target.role && staleGrants(target.role.trust, roleArns, known).length > 0;
      if (!stale && !bs.some((b) => mayRevoke(state, b, arn))) return;
      // A region not read (e.g. eks:ListClusters denied there): no users, so no stale grant is taken out and the
      // target stays in the roles' policies, which is the safe side; the plan names what to remove by hand.
      const { associations, unread } = await scan();
      const users = associations
        .filter((a) => a.targetRoleArn === arn)
        .map((a) => ({ associationId: a.associationId, roleArn: a.roleArn, externalId: a.externalId }));
      targets.set(arn, { ...target, users, ...(unread.length ? { unreadRegions: unread } : {}) });
    }),
  );
  return { ...state, targets };
}

/**
 * The binding's role is eks-pod-iam's, grants the target, no present binding of this run keeps the target for it,
 * and the role looks like it stays: its trust still has a statement once the run's absent bindings of it are taken
 * out (the plain Pod Identity statement stays while other associations name the role) — a role that goes takes
 * the policy with it, and needs no read.
 */
function mayRevoke(state: RunState, b: BindingConfig, arn: string): boolean {
  const role = state.roles.get(b.role.name);
  if (!role || isFailed(role) || role.tags[MANAGED_TAG] !== 'true') return false;
  if (!grantedTargets(role.targetPolicy).includes(arn)) return false;
  const same = state.run.bindings.filter((o) => o.role.name === b.role.name);
  if (same.some((o) => o.state !== 'absent')) return !same.some((o) => o.state !== 'absent' && o.targetRoleArn === arn);
  const leaving = same.flatMap((o) => {
    if (failureOf(state, o, bindingKey(o))) return [];
    let binding;
    try {
      ({ binding } = bindingFor(configOf(state.run, o), observedFor(state, o, bindingKey(o))));
    } catch {
      return []; // it fails in the plan; reading the associations costs reads, never a wrong removal
    }
    const stays = role.associatedElsewhere?.length || role.unreadRegions?.length;
    return isPlainPodIdentity(binding) && stays ? [] : [binding];
  });
  return hasStatements(unmergeTrustAll(role.trust, leaving).document);
}
