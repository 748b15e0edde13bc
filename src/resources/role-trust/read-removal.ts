// What removing a binding needs to know of its role, beyond the role itself: for a role eks-pod-iam created, which
// of its customer-managed policies eks-pod-iam made (and where else they are attached); before a plain Pod Identity
// statement may go, whether any association in the account (every enabled region, the run's one scan) still names
// the role. Read only when a binding of the role is absent and the answer can change what is removed.
import type pLimit from 'p-limit';
import * as iam from '../../aws/iam.js';
import { MANAGED_TAG } from '../../core/ownership.js';
import type { ObservedRole, UnreadRegion } from '../../core/types.js';
import type { BindingConfig, RunConfig } from '../../inputs/config.js';
import type { AccountScan } from '../region-scan/scan.js';
import { podIdentityBinding } from './trust.js';
import { unmergeTrust } from './unmerge.js';
import type { ClientsFor } from '../../core/state.js';

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
  scan: AccountScan,
): Promise<ObservedRole | null> {
  if (!role || !bindings.some(absent)) return role;
  const client = clientsFor(bindings[0]!.region).iam;
  const owned = role.tags[MANAGED_TAG] === 'true';
  const [customerPolicies, plain] = await Promise.all([
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
    plainStatementUsers(role, bindings, run, scan),
  ]);
  return {
    ...role,
    ...(customerPolicies ? { customerPolicies } : {}),
    ...(plain ? { associatedElsewhere: plain.users } : {}),
    ...(plain?.unread.length ? { unreadRegions: plain.unread } : {}),
  };
}

/**
 * The associations that name the role, in every cluster of every region enabled for the account (the run's one
 * scan), except those of this run's absent bindings of the role (they are being removed), and the regions that could
 * not be read. Undefined when there is nothing to decide: no absent plain Pod Identity binding, one of the role's
 * bindings still wants the statement, or the trust has no plain statement.
 */
async function plainStatementUsers(
  role: ObservedRole,
  bindings: BindingConfig[],
  run: RunConfig,
  scan: AccountScan,
): Promise<{ users: string[]; unread: UnreadRegion[] } | undefined> {
  const leaving = bindings.filter((b) => absent(b) && plainPodIdentity(b));
  if (leaving.length === 0 || bindings.some((b) => !absent(b) && plainPodIdentity(b))) return undefined;
  if (!unmergeTrust(role.trust, podIdentityBinding()).changed) return undefined;
  const where = (a: { region: string; clusterName: string; namespace: string; serviceAccount: string }) =>
    `${a.region}/${a.clusterName}/${a.namespace}/${a.serviceAccount}`;
  const removed = new Set(run.bindings.filter((b) => absent(b) && b.role.name === role.name).map(where));
  const { associations, unread } = await scan();
  const users = associations.filter((a) => a.roleArn === role.arn && !removed.has(where(a))).map(where);
  return { users, unread };
}
