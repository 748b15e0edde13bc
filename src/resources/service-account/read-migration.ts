// migrate-from-irsa to another role than the annotated one: the annotated role's trust gives up the subject, so it
// is read too — only then, once the service accounts have said which role it is, and only when no binding of the
// run binds it (that read serves both). A role of another account, or one GetRole is denied for, is not readable:
// the run says what to remove by hand instead of failing.
import type pLimit from 'p-limit';
import type { ObservedRole, ObservedTarget } from '../../core/types.js';
import { roleFromServiceAccount } from './migrate.js';
import { bindingKey, type BindingConfig, type BindingKey, type RunConfig } from '../../inputs/config.js';
import { accountOf, roleNameOf } from '../../arn.js';
import {
  clusterKeyOf,
  groupBy,
  irsaRoleArnOf,
  isFailed,
  settle,
  settleMap,
  type BindingState,
  type Failed,
  type RunState,
} from '../../core/state.js';

export async function readIrsaRoles(
  run: RunConfig,
  clusters: RunState['clusters'],
  bindings: Map<BindingKey, BindingState | Failed>,
  boundRoles: ReadonlySet<string>,
  read: (arn: string, accountId: string) => Promise<ObservedTarget>,
): Promise<Map<string, ObservedTarget | Failed>> {
  const state = { run, clusters, bindings, roles: new Map(), providers: new Map() } satisfies RunState;
  const reads = new Map<string, Promise<ObservedTarget | Failed>>();
  for (const b of run.bindings) {
    const arn = irsaRoleArnOf(state, b, bindingKey(b));
    const cluster = clusters.get(clusterKeyOf(b));
    if (!arn || !cluster || isFailed(cluster) || reads.has(arn)) continue;
    // One of the run's roles, in the credentials' account: read with it already.
    if (boundRoles.has(roleNameOf(arn)) && accountOf(arn) === cluster.accountId) continue;
    reads.set(arn, settle(read(arn, cluster.accountId)));
  }
  return settleMap(reads);
}

/**
 * migrate-from-irsa without a role: each such binding takes the role its service account names (see
 * roleFromServiceAccount) and the run goes on with that role as if given by ARN; a role not read yet is read now
 * (the other bindings' reads are not held back). A binding whose service account names no role fails alone.
 */
export async function rolesFromServiceAccounts(
  run: RunConfig,
  reads: Promise<[BindingKey, BindingState | Failed][]>,
  roles: Map<string, Promise<ObservedRole | null | Failed>>,
  byRole: Map<string, BindingConfig[]>,
  readers: {
    readRole: (bs: BindingConfig[]) => Promise<ObservedRole | null>;
    readPolicy: (b: BindingConfig) => void;
    limit: ReturnType<typeof pLimit>;
  },
): Promise<{ run: RunConfig; failures: [BindingKey, Failed][] }> {
  const { readRole, readPolicy, limit } = readers;
  const states = new Map(await reads);
  const failures: [BindingKey, Failed][] = [];
  const bindings = run.bindings.map((b): BindingConfig => {
    const own = states.get(bindingKey(b));
    if (b.role.kind !== 'annotation' || !own || isFailed(own)) return b;
    try {
      const role = roleFromServiceAccount(b, own.serviceAccount, own.associations);
      // The default managed-policy name was made before the role was known.
      const managed = b.managedPolicy?.name === '-eks-pod-iam' && {
        ...b.managedPolicy,
        name: `${role.name}-eks-pod-iam`,
      };
      return { ...b, role, ...(managed ? { managedPolicy: managed } : {}) };
    } catch (e) {
      failures.push([bindingKey(b), { error: e as Error }]);
      return b;
    }
  });
  const late = bindings.filter((b, i) => b.role.kind === 'arn' && run.bindings[i]!.role.kind === 'annotation');
  // A role the given bindings read already is read again with these (what they need of it, their ARN check).
  for (const [name, bs] of groupBy(late, (b) => b.role.name))
    roles.set(name, settle(limit(() => readRole([...(byRole.get(name) ?? []), ...bs]))));
  for (const b of late) readPolicy(b);
  return { run: { ...run, bindings }, failures };
}
