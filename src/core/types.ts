// What the adapters observe, and the changes a plan is made of. Plain data only.
import type { BindingKey, PolicyDocument } from '../inputs/config.js';
import type { ResourceKind } from './kinds.js';
import type { Binding } from '../resources/role-trust/trust.js';

export interface ObservedRole {
  arn: string;
  name: string;
  /** Trust policy as IAM returned it (URL-encoded JSON) or already parsed. */
  trust: string | PolicyDocument;
  tags: Record<string, string>;
  permissionsBoundaryArn: string | undefined;
  /** Only read when policy-arns is given. */
  attachedPolicyArns: string[];
  /** The eks-pod-iam inline policy, when inline-policy is given and the role has one. */
  inlinePolicy: string | PolicyDocument | undefined;
}

export type AddonStatus =
  'CREATING' | 'ACTIVE' | 'CREATE_FAILED' | 'UPDATING' | 'DELETING' | 'DELETE_FAILED' | 'DEGRADED' | 'UPDATE_FAILED';

export interface ObservedAddon {
  /** 'UNKNOWN' when DescribeAddon answers without a status. */
  status: AddonStatus | 'UNKNOWN';
  healthIssues: { code?: string; message?: string }[];
}

export interface ObservedAssociation {
  associationId: string;
  associationArn: string;
  roleArn: string;
  targetRoleArn: string | undefined;
  disableSessionTags: boolean;
  /** The session policy EKS applies to the association's sessions (JSON text). */
  policy: string | undefined;
  ownerArn: string | undefined;
  tags: Record<string, string>;
  /** ISO time; pods created before it were not given Pod Identity credentials. */
  createdAt?: string;
}

export interface ObservedOidcProvider {
  arn: string;
  clientIds: string[];
}

export interface ObservedServiceAccount {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  /** What a delete's preconditions name: this very object, unchanged since it was read. */
  uid?: string;
  resourceVersion?: string;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface ObservedWorkload {
  kind: WorkloadKind;
  name: string;
}

/** A pod running as the service account; its credentials' environment was fixed when it was created. */
export interface ObservedPod {
  name: string;
  owner: { kind: string; name: string } | undefined;
  env: Record<string, string>;
  /** ISO time. */
  createdAt?: string;
}

export interface ObservedCluster {
  arn: string;
  issuer: string | undefined;
  /** EKS Auto Mode (`computeConfig.enabled`): the Pod Identity agent is built in, no add-on is needed. */
  autoMode?: boolean;
}

/** Everything observed before planning. `null` = looked and it does not exist; `undefined` = not looked at. */
export interface Observed {
  accountId: string;
  cluster: ObservedCluster;
  role: ObservedRole | null;
  addon?: ObservedAddon | null;
  associations?: ObservedAssociation[];
  oidcProvider?: ObservedOidcProvider | null;
  namespaceExists?: boolean;
  serviceAccount?: ObservedServiceAccount | null;
  /** Pods running as the service account (when Kubernetes is reachable). */
  pods?: ObservedPod[];
  /** Workloads whose pod template runs as the service account (only with restart-workloads). */
  workloads?: ObservedWorkload[];
  /** irsa: whether EKS's pod-identity-webhook is installed; undefined when it cannot be read. */
  webhook?: boolean;
}

/** Where a change applies: its cluster, and the binding it belongs to (none: a change of the cluster itself). */
export interface ChangeTarget {
  /** `<region>/<cluster>`: which clients (region) and which Kubernetes connection (cluster) apply it. */
  clusterKey: string;
  binding?: BindingKey;
}

/** One change of the plan. `op` says what the apply step does; resource/action/detail are what users see. */
export type Change = {
  id: string;
  resource: ResourceKind;
  action: string;
  detail: string;
  /** Ids of changes that must be done first. */
  after: string[];
  op: Op;
  /** What the `changes` output names: `<cluster>/<namespace>/<service-account>`, or `<cluster>` for the cluster. */
  binding: string;
  /** The bindings that need this change: a failure of it fails them. */
  serves: BindingKey[];
  target: ChangeTarget;
  /** Made only once a fresh read shows each binding's association naming the role (migrate-from-irsa's gate). */
  guard?: AssociationGuard[];
};

export interface AssociationGuard {
  binding: BindingKey;
  roleArn: string;
}

export type Op =
  // `bindings` let apply merge again into the role's current trust when a concurrent writer got there first.
  | {
      kind: 'create-role';
      name: string;
      trust: PolicyDocument;
      tags: Record<string, string>;
      boundary: string | undefined;
      description: string;
      bindings: Binding[];
    }
  // `removed`: bindings taken out in the same write (merged and unmerged again into a fresh read, like `bindings`).
  | { kind: 'update-trust'; roleName: string; trust: PolicyDocument; bindings: Binding[]; removed?: Binding[] }
  | { kind: 'tag-role'; roleName: string; tags: Record<string, string> }
  | { kind: 'put-boundary'; roleName: string; boundary: string }
  | { kind: 'attach-policy'; roleName: string; policyArn: string }
  | { kind: 'put-inline-policy'; roleName: string; policyName: string; document: PolicyDocument }
  | { kind: 'create-oidc-provider'; url: string; clientIds: string[]; tags: Record<string, string> }
  | { kind: 'add-client-id'; providerArn: string; clientId: string }
  | { kind: 'create-addon'; addonName: string }
  | {
      kind: 'create-association';
      roleArn: string;
      tags: Record<string, string>;
      disableSessionTags: boolean;
      policy: string | undefined;
    }
  | {
      kind: 'update-association';
      associationId: string;
      roleArn: string;
      clearTargetRole: boolean;
      /** Set only when it changes. */
      disableSessionTags?: boolean;
      /** Set only when it changes ('' removes it). */
      policy?: string;
    }
  | { kind: 'tag-association'; associationArn: string; tags: Record<string, string> }
  | { kind: 'create-namespace'; name: string }
  | { kind: 'create-service-account'; annotations: Record<string, string> }
  | { kind: 'annotate-service-account'; annotations: Record<string, string> }
  // Removed only while each still has the value given (others' annotations and labels stay).
  | { kind: 'unannotate-service-account'; annotations: Record<string, string> }
  // Only if it is still the object read (uid, resourceVersion): never one recreated or changed meanwhile.
  | { kind: 'delete-service-account'; uid: string | undefined; resourceVersion: string | undefined }
  | { kind: 'restart-workload'; workload: ObservedWorkload };

/** A warning of the plan, and what it is about (a binding, or a cluster or role). */
export interface Warning {
  about: string;
  message: string;
}
