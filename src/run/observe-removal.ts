// What removing a binding needs to know of its role, beyond the role itself: for a role eks-pod-iam created, which
// of its customer-managed policies eks-pod-iam made (and where else they are attached); before a plain Pod Identity
// statement may go, whether any association in the regions' clusters still names the role. Read only when a
// binding of the role is absent and the answer can change what is removed.
import type pLimit from 'p-limit';
import * as eks from '../aws/eks.js';
import * as iam from '../aws/iam.js';
import { MANAGED_TAG } from '../core/ownership.js';
import type { ObservedRole } from '../core/types.js';
import type { BindingConfig, RunConfig } from '../inputs/config.js';
import { podIdentityBinding } from '../resources/role-trust/trust.js';
import { unmergeTrust } from '../resources/role-trust/unmerge.js';
import type { ClientsFor } from './observe.js';

const AWS_MANAGED = /^arn:[^:]+:iam::aws:policy\//;
const absent = (b: BindingConfig) => b.state === 'absent';
/** A binding whose trust is the plain (unscoped) `pods.eks.amazonaws.com` statement. */
const plainPodIdentity = (b: BindingConfig) => b.mode === 'pod-identity' && !b.scopeTrust;

export async function readForRemoval(
  role: ObservedRole | null,
  bindings: BindingConfig[],
  run: RunConfig,
  clientsFor: ClientsFor,
  limit: ReturnType<typeof pLimit>,
): Promise<ObservedRole | null> {
  if (!role || !bindings.some(absent)) return role;
  const client = clientsFor(bindings[0]!.region).iam;
  const owned = role.tags[MANAGED_TAG] === 'true';
  const [customerPolicies, associatedElsewhere] = await Promise.all([
    owned
      ? Promise.all(
          role.attachedPolicyArns
            .filter((arn) => !AWS_MANAGED.test(arn))
            .map((arn) => limit(() => iam.readPolicy(client, arn))),
        ).then((ps) =>
          ps.flatMap((p) =>
            p ? [{ arn: p.arn, ours: p.tags[MANAGED_TAG] === 'true', attachmentCount: p.attachmentCount }] : [],
          ),
        )
      : undefined,
    plainStatementUsers(role, bindings, run, clientsFor, limit),
  ]);
  return {
    ...role,
    ...(customerPolicies ? { customerPolicies } : {}),
    ...(associatedElsewhere ? { associatedElsewhere } : {}),
  };
}

/**
 * The associations that name the role, in every cluster of the regions of its absent plain Pod Identity bindings,
 * except those of this run's absent bindings (they are being removed). Undefined when there is nothing to decide:
 * no such binding, one of the role's bindings still wants the statement, or the trust has no plain statement.
 */
async function plainStatementUsers(
  role: ObservedRole,
  bindings: BindingConfig[],
  run: RunConfig,
  clientsFor: ClientsFor,
  limit: ReturnType<typeof pLimit>,
): Promise<string[] | undefined> {
  const leaving = bindings.filter((b) => absent(b) && plainPodIdentity(b));
  if (leaving.length === 0 || bindings.some((b) => !absent(b) && plainPodIdentity(b))) return undefined;
  if (!unmergeTrust(role.trust, podIdentityBinding()).changed) return undefined;
  const removed = new Set(
    run.bindings
      .filter((b) => absent(b) && b.role.name === role.name)
      .map((b) => `${b.region}/${b.clusterName}/${b.namespace}/${b.serviceAccount}`),
  );
  const regions = [...new Set(leaving.map((b) => b.region))];
  const found = await Promise.all(
    regions.map(async (region) => {
      const client = clientsFor(region).eks;
      const clusters = await limit(() => eks.listClusters(client));
      const perCluster = await Promise.all(
        clusters.map(async (cluster) => {
          const listed = await limit(() => eks.listAllAssociations(client, cluster));
          const others = listed.filter((a) => !removed.has(`${region}/${cluster}/${a.namespace}/${a.serviceAccount}`));
          const roles = await Promise.all(
            others.map((a) => limit(() => eks.associationRole(client, cluster, a.associationId))),
          );
          return others
            .filter((_, i) => roles[i] === role.arn)
            .map((a) => `${cluster}/${a.namespace}/${a.serviceAccount}`);
        }),
      );
      return perCluster.flat();
    }),
  );
  return found.flat();
}
