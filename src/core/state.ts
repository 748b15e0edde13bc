// What a run observed, shared things once: each cluster (with its add-on, OIDC provider and Kubernetes
// connection), each role, and per binding what is its own (association, service account, pods, workloads).
import { roleNameOf } from '../arn.js';
import type { AwsClients } from '../aws/clients.js';
import type { BindingConfig, BindingKey, Config, RunConfig } from '../inputs/config.js';
import type { Kube } from '../kube/client.js';
import type {
  ObservedAddon,
  ObservedAssociation,
  ObservedCluster,
  ObservedManagedPolicy,
  ObservedOidcProvider,
  ObservedOwnerAddon,
  ObservedPod,
  ObservedRole,
  ObservedServiceAccount,
  ObservedWorkload,
  Observed,
  ObservedTarget,
  IrsaRole,
} from './types.js';
import { roleAccountOf, wantedPolicies, type WantedPolicy } from '../resources/managed-policy/wanted.js';
import { otherIrsaRoleArn } from '../resources/service-account/migrate.js';

/** `<region>/<cluster>`: a cluster's identity in a run. */
export type ClusterKey = `${string}/${string}`;
export const clusterKeyOf = (b: Pick<BindingConfig, 'region' | 'clusterName'>): ClusterKey =>
  `${b.region}/${b.clusterName}`;

export interface ClusterState {
  key: ClusterKey;
  name: string;
  region: string;
  aws: AwsClients;
  accountId: string;
  info: ObservedCluster;
  /** undefined: not looked at (no pod-identity binding, or install-agent false). */
  addon?: ObservedAddon | null;
  kube?: Kube;
  webhook?: boolean;
}

export interface BindingState {
  associations?: ObservedAssociation[];
  /** Only with `addon` (the same observation for every binding of that add-on). */
  ownerAddon?: ObservedOwnerAddon;
  serviceAccount?: ObservedServiceAccount | null;
  namespaceExists?: boolean;
  pods?: ObservedPod[];
  workloads?: ObservedWorkload[];
}

/** A failure to observe: it fails the bindings that need what could not be read. */
export type Failed = { error: Error };
export const isFailed = (v: unknown): v is Failed => !!v && typeof v === 'object' && 'error' in v;

/** A read that fails as a value (kept in the state), not by throwing. */
export const settle = <T>(p: Promise<T>): Promise<T | Failed> =>
  p.catch((e: unknown) => ({ error: e instanceof Error ? e : new Error(String(e)) }));

/** A map of reads, once all are done. */
export async function settleMap<K, V>(m: Map<K, Promise<V>>): Promise<Map<K, V>> {
  return new Map(await Promise.all([...m].map(async ([k, p]) => [k, await p] as const)));
}

/** The AWS clients of a region. */
export type ClientsFor = (region: string) => AwsClients;

export interface RunState {
  run: RunConfig;
  clusters: Map<ClusterKey, ClusterState | Failed>;
  /** By role name (IAM is global). */
  roles: Map<string, ObservedRole | null | Failed>;
  /** By provider ARN. */
  providers: Map<string, ObservedOidcProvider | null | Failed>;
  bindings: Map<BindingKey, BindingState | Failed>;
  /** By target role ARN (`target-role-arn`); absent when no binding has one. */
  targets?: Map<string, ObservedTarget | Failed>;
  /** By ARN: the customer-managed policies of `managed-policy` and presets (only read for bindings that give them). */
  policies?: Map<string, ObservedManagedPolicy | null | Failed>;
  /**
   * By ARN: roles IRSA used that migrating bindings leave for another (their trust gives up the subjects), read only
   * when no binding of the run binds them (those are in `roles`); absent when there are none.
   */
  irsaRoles?: Map<string, ObservedTarget | Failed>;
  /**
   * migrate-from-irsa: the role each binding's service account left, as observed before the run wrote anything:
   * verification still checks that role after the annotation and the association's record of it are gone.
   */
  irsaRoleArns?: Map<BindingKey, string>;
}

/** The account of the binding's role: its ARN's, else its cluster's (undefined while the cluster is not known). */
export function roleAccountIn(state: Pick<RunState, 'clusters'>, b: BindingConfig): string | undefined {
  const cluster = state.clusters.get(clusterKeyOf(b));
  return roleAccountOf(b, cluster && !isFailed(cluster) ? cluster.accountId : undefined);
}

/** The binding's customer-managed policies (`managed-policy`, presets'), in the role's account. */
export const wantedPoliciesOf = (state: Pick<RunState, 'clusters'>, b: BindingConfig): WantedPolicy[] =>
  wantedPolicies(b, roleAccountIn(state, b));

/** A binding with the run's settings: what the per-binding planners and checks read. */
export const configOf = (run: RunConfig, b: BindingConfig): Config => ({ ...run, ...b });

/** Why a binding cannot be planned: the first failed read it depends on. */
export function failureOf(state: RunState, b: BindingConfig, key: BindingKey, providerArn?: string): Error | undefined {
  const parts = [
    state.clusters.get(clusterKeyOf(b)),
    state.roles.get(b.role.name),
    state.bindings.get(key),
    providerArn ? state.providers.get(providerArn) : undefined,
    b.targetRoleArn ? state.targets?.get(b.targetRoleArn) : undefined,
    ...wantedPoliciesOf(state, b).map((w) => state.policies?.get(w.arn)),
    state.irsaRoles?.get(irsaRoleArnOf(state, b, key) ?? ''),
  ];
  return parts.find(isFailed)?.error;
}

/** One binding's view of the run's observation (the shape the per-binding planners and checks take). */
export function observedFor(state: RunState, b: BindingConfig, key: BindingKey, providerArn?: string): Observed {
  const cluster = state.clusters.get(clusterKeyOf(b)) as ClusterState;
  const own = state.bindings.get(key) as BindingState;
  const role = state.roles.get(b.role.name) as ObservedRole | null;
  const provider = providerArn ? (state.providers.get(providerArn) as ObservedOidcProvider | null) : undefined;
  const policies = wantedPoliciesOf(state, b).map((w) => [w.arn, state.policies?.get(w.arn)] as const);
  return {
    accountId: b.role.kind === 'arn' ? b.role.accountId : cluster.accountId,
    cluster: cluster.info,
    role,
    addon: b.mode === 'pod-identity' ? cluster.addon : undefined,
    associations: own.associations,
    ownerAddon: own.ownerAddon,
    oidcProvider: provider,
    ...(policies.length
      ? {
          managedPolicies: Object.fromEntries(
            policies
              .filter(([, p]) => !isFailed(p))
              .map(([arn, p]) => [arn, (p ?? null) as ObservedManagedPolicy | null]),
          ),
        }
      : {}),
    serviceAccount: own.serviceAccount,
    namespaceExists: own.namespaceExists,
    pods: own.pods,
    workloads: own.workloads,
    webhook: b.mode === 'irsa' ? cluster.webhook : undefined,
    ...(b.targetRoleArn && state.targets ? { targetRole: state.targets.get(b.targetRoleArn) as ObservedTarget } : {}),
    ...irsaRoleOf(state, b, key),
  };
}

/** migrate-from-irsa: the ARN of the role the service account leaves, when it is not the binding's role. */
export function irsaRoleArnOf(state: RunState, b: BindingConfig, key: BindingKey): string | undefined {
  const cluster = state.clusters.get(clusterKeyOf(b));
  const own = state.bindings.get(key);
  if (!cluster || isFailed(cluster) || !own || isFailed(own)) return undefined;
  return otherIrsaRoleArn(b, own.serviceAccount, own.associations, cluster.accountId) ?? state.irsaRoleArns?.get(key);
}

/** That role as read: among the run's own roles when the run binds it too, else on its own. */
function irsaRoleOf(state: RunState, b: BindingConfig, key: BindingKey): { irsaRole?: IrsaRole } {
  const arn = irsaRoleArnOf(state, b, key);
  if (!arn) return {};
  const own = state.roles.get(roleNameOf(arn));
  const read = state.irsaRoles?.get(arn) ?? (own === undefined || isFailed(own) ? own : { readable: true, role: own });
  return read && !isFailed(read) ? { irsaRole: { arn, ...read } } : {};
}

/** Items by key, keys in first-seen order. */
export function groupBy<T, K>(items: readonly T[], keyOf: (t: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const t of items) groups.set(keyOf(t), [...(groups.get(keyOf(t)) ?? []), t]);
  return groups;
}
