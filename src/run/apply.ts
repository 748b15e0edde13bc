// Carries out one change of the plan, through the room that owns it or the adapters.
import type { IAMClient } from '@aws-sdk/client-iam';
import * as eks from '../aws/eks.js';
import * as iam from '../aws/iam.js';
import type {
  AssociationGuard,
  Change,
  ObservedAssociation,
  ObservedRole,
  ObservedServiceAccount,
  Op,
} from '../core/types.js';
import type { BindingKey, Config } from '../inputs/config.js';
import * as k8s from '../kube/client.js';
import type { Log } from '../platform/types.js';
import { putAddonAssociations } from '../resources/addon/apply.js';
import { createAssociation, updateAssociation } from '../resources/association/apply.js';
import { confirmAssociation } from '../resources/association/confirm.js';
import { createManagedPolicy, createPolicyVersion, deletePolicyVersion } from '../resources/managed-policy/apply.js';
import { deleteManagedPolicy } from '../resources/role-policies/delete.js';
import { createRoleOrMerge, deleteRole, updateTrust } from '../resources/role-trust/apply.js';
import type { TrustForesight } from '../resources/role-trust/foresight.js';
import { trustTarget } from '../resources/target-role/apply.js';
import type { RunPlan } from '../core/planning.js';
import type { Applied } from './graph.js';
import { clusterKeyOf, isFailed, type ClusterKey, type ClusterState, type RunState } from '../core/state.js';

/** What apply needs of the run, and what it learns that the outputs need. */
export interface ApplyRun {
  state: RunState;
  /** The plan as this run applies it (its `failures` are the run's ledger, below). */
  plan: RunPlan;
  /** The run's one ledger of failed bindings: the plan's, then what fails while applying, proving, verifying. */
  failures: Map<BindingKey, string>;
  log: Log;
  /** Associations this run wrote, as EKS answered (the read-back of the write; external IDs for target roles). */
  associations: Map<BindingKey, ObservedAssociation>;
  /**
   * Roles this run created or whose trust it merged, as CreateRole answered or as read after the merge: the read-back
   * of the role itself (trust, tags, boundary), not of its policies.
   */
  roles: Map<string, ObservedRole>;
  /** Service accounts this run created or annotated, as the API server answered. */
  serviceAccounts: Map<BindingKey, ObservedServiceAccount>;
  /** Clusters whose add-on CreateAddon already answered ACTIVE. */
  addonsActive: Set<ClusterKey>;
  /** Reads made ahead for the trust updates observe foresaw. */
  foresight?: TrustForesight;
}

/**
 * Merged into the role's current trust, or into a read of it that recent: observe's, or the one made when observe
 * foresaw this update. In effect once written; settled once watched for concurrent writers (its last read follows).
 */
async function updateRoleTrust(op: Extract<Op, { kind: 'update-trust' }>, run: ApplyRun, client: IAMClient) {
  const observed = run.state.roles.get(op.roleName);
  const reads = [observed && !isFailed(observed) ? observed : undefined, await run.foresight?.recentRead(op.roleName)];
  const { settled } = await updateTrust(client, op, run.log, reads);
  return { settling: settled.then((role) => void run.roles.set(op.roleName, role)) };
}

/** Which service a change calls: concurrency is bounded per service. */
export function serviceOf(op: Op): 'iam' | 'eks' | 'kubernetes' {
  switch (op.kind) {
    case 'create-addon':
    case 'addon-associations':
    case 'create-association':
    case 'update-association':
    case 'tag-association':
    case 'untag-association':
    case 'delete-association':
      return 'eks';
    case 'create-namespace':
    case 'create-service-account':
    case 'annotate-service-account':
    case 'unannotate-service-account':
    case 'delete-service-account':
    case 'restart-workload':
      return 'kubernetes';
    default:
      return 'iam';
  }
}

/**
 * Applies the change. `settling`: the change is in effect (what comes after it may start) but not done until that
 * settles (a trust write watched for concurrent writers).
 */
export async function applyChange(c: Change, run: ApplyRun): Promise<Applied> {
  if (c.guard) await Promise.all(c.guard.map((g) => confirmed(g, run)));
  const cluster = run.state.clusters.get(c.target.clusterKey as ClusterKey) as ClusterState;
  const config = c.target.binding ? run.plan.resolved.get(c.target.binding)!.config : undefined;
  const { op } = c;
  const client = cluster.aws.iamWrites;
  switch (op.kind) {
    // A role that exists meanwhile (concurrent run, retried request) gets our bindings merged instead.
    case 'create-role': {
      const created = await createRoleOrMerge(client, op, run.log);
      if (created) run.roles.set(op.name, created);
      return;
    }
    case 'update-trust':
      return updateRoleTrust(op, run, client);
    case 'tag-role':
      return void (await iam.tagRole(client, op.roleName, op.tags));
    case 'put-boundary':
      return void (await iam.putBoundary(client, op.roleName, op.boundary));
    case 'attach-policy':
      return void (await iam.attachPolicy(client, op.roleName, op.policyArn));
    case 'put-inline-policy':
      return void (await iam.putInlinePolicy(client, op.roleName, op.policyName, op.document));
    // One that exists meanwhile is accepted only when eks-pod-iam made it with this document.
    case 'create-managed-policy':
      return createManagedPolicy(client, op);
    case 'delete-policy-version':
      return deletePolicyVersion(client, op);
    case 'create-policy-version':
      return createPolicyVersion(client, op);
    case 'create-oidc-provider':
      return iam.createOidcProvider(client, op.url, op.clientIds, op.tags);
    case 'add-client-id':
      return void (await iam.addClientId(client, op.providerArn, op.clientId));
    case 'create-addon':
      if ((await eks.createAddon(cluster.aws.eks, cluster.name, op.addonName)) === 'ACTIVE')
        run.addonsActive.add(cluster.key);
      return;
    case 'addon-associations':
      return putAddonAssociations(cluster.aws.eks, cluster.name, op, run.state.run.waitTimeoutSeconds, run.log);
    case 'create-association':
      run.associations.set(c.target.binding!, await createAssociation(op, associationContext(cluster, config!, run)));
      return;
    case 'update-association':
      run.associations.set(c.target.binding!, await updateAssociation(op, associationContext(cluster, config!, run)));
      return;
    case 'tag-association':
      return void (await eks.tagResource(cluster.aws.eks, op.associationArn, op.tags));
    case 'untag-association': {
      const arn = op.associationArn ?? run.associations.get(c.target.binding!)?.associationArn;
      return void (arn && (await eks.untagResource(cluster.aws.eks, arn, op.tagKeys)));
    }
    // After the associations it names: their external IDs are what EKS answered when they were written.
    case 'trust-target':
      return trustTarget(client, op, run.associations, run.log);
    case 'delete-association':
      return eks.deleteAssociation(cluster.aws.eks, cluster.name, op.associationId);
    case 'detach-policy':
      return void (await iam.detachPolicy(client, op.roleName, op.policyArn));
    case 'delete-inline-policy':
      return void (await iam.deleteInlinePolicy(client, op.roleName, op.policyName));
    case 'delete-managed-policy':
      return deleteManagedPolicy(client, op.policyArn, run.log);
    case 'delete-role':
      return deleteRole(client, op, run.log);
    case 'create-namespace':
    case 'create-service-account':
    case 'annotate-service-account':
    case 'unannotate-service-account':
    case 'delete-service-account':
    case 'restart-workload': {
      // A created or annotated service account, as the API server stored it: the read-back of that write.
      const stored = await applyKubeOp(op, cluster, config!);
      if (stored) run.serviceAccounts.set(c.target.binding!, stored);
      return;
    }
  }
}

/** One read-back per binding and run, however many guarded changes wait on it. */
const confirmations = new WeakMap<ApplyRun, Map<BindingKey, Promise<void>>>();

function confirmed(g: AssociationGuard, run: ApplyRun): Promise<void> {
  const seen = confirmations.get(run) ?? confirmations.set(run, new Map()).get(run)!;
  let read = seen.get(g.binding);
  if (!read) {
    const { config } = run.plan.resolved.get(g.binding)!;
    const cluster = run.state.clusters.get(clusterKeyOf(config)) as ClusterState;
    seen.set(g.binding, (read = confirmAssociation(cluster.aws.eks, config, g.roleArn)));
  }
  return read;
}

const associationContext = (cluster: ClusterState, config: Config, run: ApplyRun) => ({
  client: cluster.aws.eks,
  config,
  log: run.log,
});

type KubeOp = Extract<
  Op,
  {
    kind:
      | 'create-namespace'
      | 'create-service-account'
      | 'annotate-service-account'
      | 'unannotate-service-account'
      | 'delete-service-account'
      | 'restart-workload';
  }
>;

async function applyKubeOp(
  op: KubeOp,
  cluster: ClusterState,
  config: Config,
): Promise<ObservedServiceAccount | undefined | void> {
  const { kube } = cluster;
  if (!kube) throw new Error('Kubernetes access is needed for this change but was not set up.');
  if (op.kind === 'create-namespace') return k8s.createNamespace(kube, op.name);
  const { namespace, serviceAccount } = config;
  if (op.kind === 'create-service-account')
    return k8s.createServiceAccount(kube, namespace, serviceAccount, op.annotations);
  if (op.kind === 'restart-workload')
    return k8s.restartWorkload(kube, namespace, op.workload.kind, op.workload.name, new Date().toISOString());
  if (op.kind === 'unannotate-service-account')
    return k8s.removeAnnotations(kube, namespace, serviceAccount, op.annotations);
  if (op.kind === 'delete-service-account')
    return k8s.deleteServiceAccount(kube, namespace, serviceAccount, {
      uid: op.uid,
      resourceVersion: op.resourceVersion,
    });
  return k8s.annotateServiceAccount(kube, namespace, serviceAccount, op.annotations);
}
