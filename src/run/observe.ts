// Gathers what the plan needs, shared things once and independent reads concurrently: per cluster one
// DescribeCluster, one add-on check, one Kubernetes connection; per role one read; per OIDC provider one read;
// per binding its association (one list per namespace) and its service account, pods and workloads; with
// `addon`, per add-on once the add-on owning the service account.
// A failed read fails only the bindings that need it: it is kept in the state, not thrown.
import pLimit from 'p-limit';
import { clusterArn, oidcProviderArn } from '../arn.js';
import type { AwsClients } from '../aws/clients.js';
import * as eks from '../aws/eks.js';
import * as iam from '../aws/iam.js';
import { eksTokens } from '../aws/token.js';
import { INLINE_POLICY_NAME, TARGET_POLICY_NAME } from '../core/ownership.js';
import type { ObservedAssociation, ObservedOwnerAddon, ObservedRole } from '../core/types.js';
import { RunError } from '../errors.js';
import { bindingKey, type BindingConfig, type BindingKey, type RunConfig } from '../inputs/config.js';
import * as k8s from '../kube/client.js';
import { addonAssociationsScope, usesRecommendedPolicies } from '../resources/addon/associations.js';
import { AGENT_ADDON } from '../resources/addon/kind.js';
import { roleAccountOf, wantedPolicies } from '../resources/managed-policy/wanted.js';
import { accountScan } from '../resources/region-scan/scan.js';
import { roleFromServiceAccount } from '../resources/service-account/migrate.js';
import { readTarget } from '../resources/target-role/read.js';
import { readForRemoval } from './observe-removal.js';
import { readIrsaRoles } from './observe-migration.js';
import { readTargetUsersForRemoval } from './observe-target-removal.js';
import {
  clusterKeyOf,
  groupBy,
  irsaRoleArnOf,
  isFailed,
  type BindingState,
  type ClusterKey,
  type ClusterState,
  type Failed,
  type RunState,
} from './state.js';

/** Reads at once per service: enough to overlap round trips, few enough not to be throttled. */
const READS_AT_ONCE = 16;

export type ClientsFor = (region: string) => AwsClients;

/**
 * Kubernetes is only needed to create or annotate the service account (or restart workloads, or migrate it), or to
 * remove it (whether eks-pod-iam created it is on the service account); an add-on's service account (`addon`) is the
 * add-on's to create and to keep.
 */
export const needsKube = (b: BindingConfig) =>
  b.mode === 'irsa' ||
  (b.createServiceAccount && !b.addon) ||
  b.restartWorkloads ||
  b.migrateFromIrsa ||
  (b.state === 'absent' && !b.addon);

const settle = <T>(p: Promise<T>): Promise<T | Failed> =>
  p.catch((e: unknown) => ({ error: e instanceof Error ? e : new Error(String(e)) }));

export async function observe(run: RunConfig, clientsFor: ClientsFor, env: NodeJS.ProcessEnv): Promise<RunState> {
  const limit = pLimit(READS_AT_ONCE);
  // Removal: every association of the account, read once for all bindings, and only when one needs it.
  const scan = accountScan(clientsFor, run.bindings[0]!.region, [...new Set(run.bindings.map((b) => b.region))]);
  const iamClient = clientsFor(run.bindings[0]!.region).iam;
  const byCluster = groupBy(run.bindings, clusterKeyOf);
  // A migrating binding without a role learns it from its service account: its role is read after that.
  const byRole = groupBy(
    run.bindings.filter((b) => b.role.kind !== 'annotation'),
    (b) => b.role.name,
  );

  const clusters = new Map(
    [...byCluster].map(([key, bs]) => [key, settle(readCluster(run, bs, clientsFor(bs[0]!.region), env))] as const),
  );
  const roles = new Map(
    [...byRole].map(([name, bs]) => [
      name,
      settle(
        limit(() => readRole(iamClient, bs)).then((role) => readForRemoval(role, bs, run, clientsFor, limit, scan)),
      ),
    ]),
  );

  // Per binding, once its cluster is known: the provider (IRSA), the association (one list per namespace) and
  // Kubernetes. Associations are read per namespace so that many bindings cost one list, not one each.
  const providers = new Map<string, Promise<unknown>>();
  const associationLists = new Map<string, Promise<eks.AssociationListing[]>>();
  const ownerAddons = new Map<string, Promise<ObservedOwnerAddon>>();
  // Whether a namespace exists: read once per cluster and namespace, whichever binding asks first.
  const namespaces = new Map<string, Promise<boolean>>();
  // `managed-policy` and presets' policies: once per policy, as soon as its ARN (the role's account) is known: at
  // once for a role-arn, else alongside the role's reads once DescribeCluster has named the account.
  const policies = new Map<string, Promise<unknown>>();
  const readPolicies = (b: BindingConfig, clusterAccount: string | undefined) => {
    for (const { arn } of wantedPolicies(b, roleAccountOf(b, clusterAccount)))
      if (!policies.has(arn)) policies.set(arn, settle(limit(() => iam.readManagedPolicy(iamClient, arn))));
  };
  const bindingReads = run.bindings.map(async (b): Promise<[BindingKey, BindingState | Failed]> => {
    const key = bindingKey(b);
    // The association needs only the cluster's name: read alongside DescribeCluster, not after it (a missing
    // cluster fails the binding through its cluster, whatever this read answers).
    const clusterBindings = byCluster.get(clusterKeyOf(b))!;
    const associations =
      b.mode === 'pod-identity'
        ? settle(readAssociations(b, clientsFor(b.region), clusterBindings, associationLists, limit))
        : undefined;
    // `addon`: the add-on owning the service account, once per add-on (its Kubernetes version only if missing).
    const ownerAddon = b.addon ? settle(readOwnerAddon(b, clientsFor(b.region), clusters, ownerAddons)) : undefined;
    // A role taken from the service account (migrate-from-irsa) names its policy once known (rolesFromServiceAccounts).
    const known = b.role.kind !== 'annotation';
    if (known) readPolicies(b, undefined);
    const cluster = await clusters.get(clusterKeyOf(b))!;
    if (isFailed(cluster)) return [key, cluster];
    if (known) readPolicies(b, cluster.accountId);
    if (b.mode === 'irsa' && cluster.info.issuer) {
      const arn = oidcProviderArn(
        b.partition,
        b.role.kind === 'arn' ? b.role.accountId : cluster.accountId,
        cluster.info.issuer,
      );
      if (!providers.has(arn)) providers.set(arn, settle(limit(() => iam.readOidcProvider(iamClient, arn))));
    }
    const [own, kube, owner] = await Promise.all([
      associations,
      settle(cluster.kube && needsKube(b) ? readKube(b, cluster.kube, namespaces) : Promise.resolve({})),
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
  });

  // IRSA: is the webhook that injects the role installed? Read alongside the bindings' own reads.
  const webhooks = [...byCluster].map(async ([key, bs]) => {
    const cluster = await clusters.get(key)!;
    if (isFailed(cluster) || !cluster.kube || !bs.some((b) => b.mode === 'irsa')) return;
    cluster.webhook = await k8s.webhookPresent(cluster.kube).catch(() => undefined);
  });
  const annotated = run.bindings.some((b) => b.role.kind === 'annotation')
    ? rolesFromServiceAccounts(run, Promise.all(bindingReads), roles, byRole, {
        readRole: (bs) => readRole(iamClient, bs),
        readPolicy: (b) => readPolicies(b, undefined),
        limit,
      })
    : undefined;
  // Target roles (cross-account): each read once, when its cluster says which account these credentials are in.
  const byTarget = groupBy(
    run.bindings.filter((b) => b.mode === 'pod-identity' && b.targetRoleArn),
    (b) => b.targetRoleArn!,
  );
  const targets = new Map(
    [...byTarget].map(([arn, bs]) => {
      const read = clusters.get(clusterKeyOf(bs[0]!))!.then((c) => {
        if (isFailed(c)) throw c.error; // the binding fails through its cluster anyway
        return limit(() => readTarget(iamClient, arn, c.accountId));
      });
      return [arn, settle(read)] as const;
    }),
  );
  const [clusterStates, bindingStates, resolved, , targetStates] = await Promise.all([
    settleMap(clusters),
    Promise.all(bindingReads),
    annotated,
    Promise.all(webhooks),
    settleMap(targets),
  ]);
  const all = new Map([...bindingStates, ...(resolved?.failures ?? [])]);
  const irsaRoles = readIrsaRoles(resolved?.run ?? run, clusterStates, all, new Set(roles.keys()), (arn, account) =>
    limit(() => readTarget(iamClient, arn, account)),
  );
  const state: RunState = {
    run: resolved?.run ?? run,
    clusters: clusterStates,
    roles: await settleMap(roles),
    ...((await irsaRoles).size ? { irsaRoles: await irsaRoles } : {}),
    providers: (await settleMap(providers)) as RunState['providers'],
    bindings: all,
    ...(targetStates.size ? { targets: targetStates } : {}),
    ...(policies.size ? { policies: (await settleMap(policies)) as NonNullable<RunState['policies']> } : {}),
  };
  const left = state.run.bindings.flatMap((b) => {
    const arn = irsaRoleArnOf(state, b, bindingKey(b));
    return arn ? [[bindingKey(b), arn] as const] : [];
  });
  return readTargetUsersForRemoval({ ...state, ...(left.length ? { irsaRoleArns: new Map(left) } : {}) }, scan);
}

/**
 * migrate-from-irsa without a role: each such binding takes the role its service account names (see
 * roleFromServiceAccount) and the run goes on with that role as if given by ARN; a role not read yet is read now
 * (the other bindings' reads are not held back). A binding whose service account names no role fails alone.
 */
async function rolesFromServiceAccounts(
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

async function readCluster(
  run: RunConfig,
  bindings: BindingConfig[],
  aws: AwsClients,
  env: NodeJS.ProcessEnv,
): Promise<ClusterState> {
  const { clusterName: name, region, partition } = bindings[0]!;
  // The agent add-on matters to bindings being made, not to those being removed (it stays either way).
  const podIdentity = bindings.some((b) => b.mode === 'pod-identity' && b.state !== 'absent');
  const addon = podIdentity && run.installAgent ? eks.describeAddon(aws.eks, name, AGENT_ADDON) : undefined;
  addon?.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  // A kubeconfig needs nothing from DescribeCluster: connect alongside it, not after.
  // The proof of credentials asks the cluster for a token or runs a probe pod.
  const wantsKube = bindings.some(needsKube) || (run.verifyCredentials !== 'none' && !run.dryRun);
  const early = wantsKube && run.kube.kind !== 'eks' ? connectKube(run, name, region, aws, undefined, env) : undefined;
  early?.catch(() => undefined);
  const described = await eks.describeCluster(aws.eks, name);
  if (!described)
    throw new RunError(`EKS cluster ${name} was not found in ${region}: check "cluster-name" and "aws-region".`);
  // EKS clusters are only visible to their own account, so the cluster's ARN names the account a role created
  // by name lands in (no STS call needed).
  const accountId = described.arn?.split(':')[4] || (await callerAccount(aws));
  // Auto Mode has the agent built in: the add-on (read alongside, before this was known) is not looked at.
  const autoMode = described.computeConfig?.enabled === true;
  const kube = wantsKube ? await (early ?? connectKube(run, name, region, aws, described, env)) : undefined;
  return {
    key: clusterKeyOf(bindings[0]!),
    name,
    region,
    aws,
    accountId,
    info: {
      arn: described.arn || clusterArn(partition, region, accountId, name),
      issuer: described.identity?.oidc?.issuer,
      autoMode,
      version: described.version,
    },
    addon: autoMode ? undefined : await addon,
    kube,
  };
}

async function connectKube(
  run: RunConfig,
  name: string,
  region: string,
  aws: AwsClients,
  cluster: Awaited<ReturnType<typeof eks.describeCluster>> | undefined,
  env: NodeJS.ProcessEnv,
): Promise<k8s.Kube> {
  // A token per request, renewed before it expires: a run may outlive one (a long add-on wait, then restarts).
  const tokens = run.kube.kind === 'eks' ? eksTokens(aws.eks.config, name, region, env) : undefined;
  await tokens?.(); // the first one now: a credentials failure is reported as such, not as a Kubernetes one
  const endpoint = cluster
    ? { name, endpoint: cluster.endpoint ?? '', caData: cluster.certificateAuthority?.data }
    : undefined;
  return k8s.connect(run.kube, endpoint, tokens);
}

/** Only when DescribeCluster gave no ARN to read the account from. */
async function callerAccount(aws: AwsClients): Promise<string> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  return (await (await aws.sts()).send(new GetCallerIdentityCommand({}))).Account!;
}

/** What a role's reads (observe, and again to verify) include for its bindings: attached and inline policies. */
export const roleReadOptions = (bindings: readonly BindingConfig[]): iam.RoleReadOptions => ({
  policies: bindings.some(
    (b) => b.policyArns.length > 0 || !!b.managedPolicy || b.presets.length > 0 || usesRecommendedPolicies(b),
  ),
  inlinePolicyName: bindings.some((b) => b.inlinePolicy) ? INLINE_POLICY_NAME : undefined,
  targetPolicyName: bindings.some((b) => b.targetRoleArn) ? TARGET_POLICY_NAME : undefined,
});

/** One read of the role, with what any of its bindings needs (attached policies, the inline policy). */
async function readRole(client: AwsClients['iam'], bindings: BindingConfig[]): Promise<ObservedRole | null> {
  const name = bindings[0]!.role.name;
  const role = await iam.readRole(client, name, {
    ...roleReadOptions(bindings),
    removal: bindings.some((b) => b.state === 'absent'),
  });
  for (const b of bindings)
    if (role && b.role.kind === 'arn' && role.arn !== b.role.arn)
      throw new RunError(
        b.role.annotated
          ? `Service account ${b.namespace}/${b.serviceAccount} is annotated with role ${b.role.arn}, but these ` +
              `credentials see ${role.arn} under that name: give "role-name" or "role-arn" to migrate it.`
          : `Input "role-arn" is ${b.role.arn}, but these credentials see ${role.arn} under that name: ` +
              "use the role's exact ARN, in the credentials' own account.",
      );
  return role;
}

/** One list per namespace when several bindings share it; filtered to the service account when alone. */
function readAssociations(
  b: BindingConfig,
  aws: AwsClients,
  clusterBindings: BindingConfig[],
  lists: Map<string, Promise<eks.AssociationListing[]>>,
  limit: ReturnType<typeof pLimit>,
): Promise<ObservedAssociation[]> {
  const shared = clusterBindings.filter((o) => o.mode === 'pod-identity' && o.namespace === b.namespace).length > 1;
  const { clusterName } = b;
  if (!shared) return eks.readAssociations(aws.eks, clusterName, b.namespace, b.serviceAccount);
  const listKey = `${clusterKeyOf(b)}/${b.namespace}`;
  let list = lists.get(listKey);
  if (!list) lists.set(listKey, (list = eks.listAssociations(aws.eks, clusterName, b.namespace)));
  const mine = list.then((all) => all.filter((a) => a.serviceAccount === b.serviceAccount));
  return mine.then((listed) => limit(() => eks.describeAssociations(aws.eks, clusterName, listed)));
}

function readOwnerAddon(
  b: BindingConfig,
  aws: AwsClients,
  clusters: Map<ClusterKey, Promise<ClusterState | Failed>>,
  reads: Map<string, Promise<ObservedOwnerAddon>>,
): Promise<ObservedOwnerAddon> {
  const key = addonAssociationsScope(clusterKeyOf(b), b.addon!);
  let read = reads.get(key);
  const version = async () => {
    const cluster = await clusters.get(clusterKeyOf(b))!;
    return isFailed(cluster) ? undefined : cluster.info.version;
  };
  if (!read) reads.set(key, (read = eks.readOwnerAddon(aws.eks, b.clusterName, b.addon!, version)));
  return read;
}

async function readKube(
  b: BindingConfig,
  kube: k8s.Kube,
  namespaces: Map<string, Promise<boolean>>,
): Promise<Omit<BindingState, 'associations'>> {
  const { namespace, serviceAccount: name } = b;
  const [serviceAccount, pods, workloads] = await Promise.all([
    k8s.readServiceAccount(kube, namespace, name),
    // Only for naming stale pods: a runner that may not list pods still gets its binding.
    k8s.listPods(kube, namespace, name).catch(() => undefined),
    b.restartWorkloads ? k8s.listWorkloads(kube, namespace, name) : Promise.resolve(undefined),
  ]);
  const key = `${clusterKeyOf(b)}/${namespace}`;
  if (!serviceAccount && !namespaces.has(key)) namespaces.set(key, k8s.namespaceExists(kube, namespace));
  const namespaceExists = serviceAccount ? true : await namespaces.get(key)!;
  return { serviceAccount, namespaceExists, pods, workloads };
}

async function settleMap<K, V>(m: Map<K, Promise<V>>): Promise<Map<K, V>> {
  return new Map(await Promise.all([...m].map(async ([k, p]) => [k, await p] as const)));
}

export type { ClusterKey };
