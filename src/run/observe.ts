// Gathers what the plan needs, shared things once and independent reads concurrently: per cluster one
// DescribeCluster, one add-on check, one Kubernetes connection; per role one read; per OIDC provider one read;
// per binding its association (one list per namespace) and its service account, pods and workloads; with
// `addon`, per add-on once the add-on owning the service account. Each resource's reader is in its room.
// A failed read fails only the bindings that need it: it is kept in the state, not thrown.
import pLimit from 'p-limit';
import { oidcProviderArn } from '../arn.js';
import type { ObservedAssociation, ObservedOwnerAddon } from '../core/types.js';
import { bindingKey, type BindingConfig, type BindingKey, type RunConfig } from '../inputs/config.js';
import * as k8s from '../kube/client.js';
import type * as eks from '../aws/eks.js';
import { readOwnerAddon } from '../resources/addon/read.js';
import { readAssociations } from '../resources/association/read.js';
import { readManagedPolicy } from '../resources/managed-policy/read.js';
import { readProvider } from '../resources/oidc-provider/read.js';
import { roleAccountOf, wantedPolicies } from '../resources/managed-policy/wanted.js';
import { accountScan } from '../resources/region-scan/scan.js';
import { growsTrust } from '../resources/role-trust/foresight.js';
import { readRole } from '../resources/role-trust/read.js';
import { readKube } from '../resources/service-account/read.js';
import { readTarget } from '../resources/target-role/read.js';
import { needsKube, readCluster } from './observe-cluster.js';
import { readForRemoval } from '../resources/role-trust/read-removal.js';
import { readIrsaRoles, rolesFromServiceAccounts } from '../resources/service-account/read-migration.js';
import { readTargetUsersForRemoval } from '../resources/target-role/read-removal.js';
import {
  clusterKeyOf,
  groupBy,
  irsaRoleArnOf,
  isFailed,
  settle,
  settleMap,
  type BindingState,
  type ClientsFor,
  type ClusterKey,
  type ClusterState,
  type Failed,
  type RunState,
} from '../core/state.js';

/** Reads at once per service: enough to overlap round trips, few enough not to be throttled. */
const READS_AT_ONCE = 16;

/** One observation under way: the reads started so far, each once, shared by whichever binding needs it. */
interface Reading {
  run: RunConfig;
  clientsFor: ClientsFor;
  limit: ReturnType<typeof pLimit>;
  iamClient: ReturnType<ClientsFor>['iam'];
  byCluster: Map<ClusterKey, BindingConfig[]>;
  clusters: Map<ClusterKey, Promise<ClusterState | Failed>>;
  providers: Map<string, Promise<unknown>>;
  associationLists: Map<string, Promise<eks.AssociationListing[]>>;
  ownerAddons: Map<string, Promise<ObservedOwnerAddon>>;
  /** Whether a namespace exists: read once per cluster and namespace, whichever binding asks first. */
  namespaces: Map<string, Promise<boolean>>;
  /**
   * `managed-policy` and presets' policies: once per policy, as soon as its ARN (the role's account) is known: at
   * once for a role-arn, else alongside the role's reads once DescribeCluster has named the account.
   */
  policies: Map<string, Promise<unknown>>;
}

/** `trustWillGrow`: told as soon as a role's trust shows it will be updated (role-trust/foresight reads ahead then). */
export async function observe(
  run: RunConfig,
  clientsFor: ClientsFor,
  env: NodeJS.ProcessEnv,
  trustWillGrow: (roleName: string) => void = () => undefined,
): Promise<RunState> {
  const limit = pLimit(READS_AT_ONCE);
  // Removal: every association of the account, read once for all bindings, and only when one needs it.
  const scan = accountScan(clientsFor, run.bindings[0]!.region, [...new Set(run.bindings.map((b) => b.region))]);
  const r = startReading(run, clientsFor, env, limit);
  const { iamClient, clusters } = r;
  // A migrating binding without a role learns it from its service account: its role is read after that.
  const byRole = groupBy(
    run.bindings.filter((b) => b.role.kind !== 'annotation'),
    (b) => b.role.name,
  );
  const roles = new Map(
    [...byRole].map(([name, bs]) => {
      const read = limit(() => readRole(iamClient, bs));
      // A trust update shows coming: its quota is read now, alongside the other reads, not after the plan.
      void growsTrust(settle(read), bs, (b) => clusters.get(clusterKeyOf(b)), run).then(
        (grows) => grows && trustWillGrow(name),
        () => undefined, // only foresight: the plan decides
      );
      return [name, settle(read.then((role) => readForRemoval(role, bs, run, clientsFor, limit, scan)))];
    }),
  );
  const bindingReads = run.bindings.map((b) => readBinding(r, b));
  const annotated = run.bindings.some((b) => b.role.kind === 'annotation')
    ? rolesFromServiceAccounts(run, Promise.all(bindingReads), roles, byRole, {
        readRole: (bs) => readRole(iamClient, bs),
        readPolicy: (b) => readPolicies(r, b, undefined),
        limit,
      })
    : undefined;
  const [clusterStates, bindingStates, resolved, , targetStates] = await Promise.all([
    settleMap(clusters),
    Promise.all(bindingReads),
    annotated,
    readWebhooks(r),
    settleMap(readTargets(r)),
  ]);
  const all = new Map([...bindingStates, ...(resolved?.failures ?? [])]);
  const irsaRoles = await readIrsaRoles(resolved?.run ?? run, clusterStates, all, new Set(roles.keys()), (arn, a) =>
    limit(() => readTarget(iamClient, arn, a)),
  );
  const state: RunState = {
    run: resolved?.run ?? run,
    clusters: clusterStates,
    roles: await settleMap(roles),
    ...(irsaRoles.size ? { irsaRoles } : {}),
    providers: (await settleMap(r.providers)) as RunState['providers'],
    bindings: all,
    ...(targetStates.size ? { targets: targetStates } : {}),
    ...(r.policies.size ? { policies: (await settleMap(r.policies)) as NonNullable<RunState['policies']> } : {}),
  };
  const left = state.run.bindings.flatMap((b) => {
    const arn = irsaRoleArnOf(state, b, bindingKey(b));
    return arn ? [[bindingKey(b), arn] as const] : [];
  });
  return readTargetUsersForRemoval({ ...state, ...(left.length ? { irsaRoleArns: new Map(left) } : {}) }, scan);
}

function startReading(
  run: RunConfig,
  clientsFor: ClientsFor,
  env: NodeJS.ProcessEnv,
  limit: ReturnType<typeof pLimit>,
): Reading {
  const byCluster = groupBy(run.bindings, clusterKeyOf);
  const clusters = new Map(
    [...byCluster].map(([key, bs]) => [key, settle(readCluster(run, bs, clientsFor(bs[0]!.region), env))] as const),
  );
  return {
    run,
    clientsFor,
    limit,
    iamClient: clientsFor(run.bindings[0]!.region).iam,
    byCluster,
    clusters,
    providers: new Map<string, Promise<unknown>>(),
    associationLists: new Map<string, Promise<eks.AssociationListing[]>>(),
    ownerAddons: new Map<string, Promise<ObservedOwnerAddon>>(),
    namespaces: new Map<string, Promise<boolean>>(),
    policies: new Map<string, Promise<unknown>>(),
  };
}

function readPolicies(r: Reading, b: BindingConfig, clusterAccount: string | undefined): void {
  for (const { arn } of wantedPolicies(b, roleAccountOf(b, clusterAccount)))
    if (!r.policies.has(arn)) r.policies.set(arn, settle(r.limit(() => readManagedPolicy(r.iamClient, arn))));
}

/**
 * A binding's own reads, once its cluster is known: the provider (IRSA), the association (one list per namespace,
 * so that many bindings cost one list, not one each) and Kubernetes.
 */
async function readBinding(r: Reading, b: BindingConfig): Promise<[BindingKey, BindingState | Failed]> {
  const key = bindingKey(b);
  const { eks: eksClient } = r.clientsFor(b.region);
  // The association needs only the cluster's name: read alongside DescribeCluster, not after it (a missing
  // cluster fails the binding through its cluster, whatever this read answers).
  const clusterBindings = r.byCluster.get(clusterKeyOf(b))!;
  const associations =
    b.mode === 'pod-identity'
      ? settle(readAssociations(b, eksClient, clusterBindings, r.associationLists, r.limit))
      : undefined;
  // `addon`: the add-on owning the service account, once per add-on (its Kubernetes version only if missing).
  const version = async () => {
    const cluster = await r.clusters.get(clusterKeyOf(b))!;
    return isFailed(cluster) ? undefined : cluster.info.version;
  };
  const ownerAddon = b.addon ? settle(readOwnerAddon(b, eksClient, version, r.ownerAddons)) : undefined;
  // A role taken from the service account (migrate-from-irsa) names its policy once known (rolesFromServiceAccounts).
  const known = b.role.kind !== 'annotation';
  if (known) readPolicies(r, b, undefined);
  const cluster = await r.clusters.get(clusterKeyOf(b))!;
  if (isFailed(cluster)) return [key, cluster];
  if (known) readPolicies(r, b, cluster.accountId);
  if (b.mode === 'irsa' && cluster.info.issuer) {
    const account = b.role.kind === 'arn' ? b.role.accountId : cluster.accountId;
    const arn = oidcProviderArn(b.partition, account, cluster.info.issuer);
    if (!r.providers.has(arn)) r.providers.set(arn, settle(r.limit(() => readProvider(r.iamClient, arn))));
  }
  const [own, kube, owner] = await Promise.all([
    associations,
    settle(cluster.kube && needsKube(b) ? readKube(b, cluster.kube, r.namespaces) : Promise.resolve({})),
    ownerAddon,
  ]);
  const failed = [own, kube, owner].find(isFailed);
  if (failed) return [key, failed];
  return [
    key,
    {
      associations: own as ObservedAssociation[] | undefined,
      ...(owner ? { ownerAddon: owner as ObservedOwnerAddon } : {}),
      ...(kube as Omit<BindingState, 'associations'>),
    },
  ];
}

/** IRSA: is the webhook that injects the role installed? Read alongside the bindings' own reads. */
function readWebhooks(r: Reading): Promise<void[]> {
  return Promise.all(
    [...r.byCluster].map(async ([key, bs]) => {
      const cluster = await r.clusters.get(key)!;
      if (isFailed(cluster) || !cluster.kube || !bs.some((b) => b.mode === 'irsa')) return;
      cluster.webhook = await k8s.webhookPresent(cluster.kube).catch(() => undefined);
    }),
  );
}

/** Target roles (cross-account): each read once, when its cluster says which account these credentials are in. */
function readTargets(r: Reading) {
  const byTarget = groupBy(
    r.run.bindings.filter((b) => b.mode === 'pod-identity' && b.targetRoleArn),
    (b) => b.targetRoleArn!,
  );
  return new Map(
    [...byTarget].map(([arn, bs]) => {
      const read = r.clusters.get(clusterKeyOf(bs[0]!))!.then((c) => {
        if (isFailed(c)) throw c.error; // the binding fails through its cluster anyway
        return r.limit(() => readTarget(r.iamClient, arn, c.accountId));
      });
      return [arn, settle(read)] as const;
    }),
  );
}

export type { ClusterKey };
