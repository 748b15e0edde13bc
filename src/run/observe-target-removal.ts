// Removal with `target-role-arn`: a target's trust may hold eks-pod-iam's grants of a removed binding's role with an
// external ID no association of this run has — left by a run killed after deleting the association. Whether any
// association still uses those external IDs is read (the region's associations naming the target) only then.
import type pLimit from 'p-limit';
import { bindingKey } from '../inputs/config.js';
import { readTargetUsers } from '../resources/target-role/read.js';
import { staleGrants } from '../resources/target-role/remove.js';
import type { ClientsFor } from './observe.js';
import { roleArnFor } from './resolve.js';
import { configOf, failureOf, groupBy, isFailed, observedFor, type RunState } from './state.js';

export async function readTargetUsersForRemoval(
  state: RunState,
  clientsFor: ClientsFor,
  limit: ReturnType<typeof pLimit>,
): Promise<RunState> {
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
      if (!target || isFailed(target) || !target.readable || !target.role) return;
      const roleArns = bs.map((b) => roleArnFor(configOf(state.run, b), observedFor(state, b, bindingKey(b))));
      if (staleGrants(target.role.trust, roleArns, known).length === 0) return;
      const regions = [...new Set(bs.map((b) => b.region))];
      // Not readable (e.g. eks:ListClusters denied): no stale grant is taken out, which is the safe side.
      const users = await Promise.all(regions.map((r) => readTargetUsers(clientsFor(r).eks, arn, limit))).catch(
        () => undefined,
      );
      if (users) targets.set(arn, { ...target, users: users.flat() });
    }),
  );
  return { ...state, targets };
}
