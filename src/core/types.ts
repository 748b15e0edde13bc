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
  /** Removal (read when a binding of the role is absent): the names of all its inline policies. */
  inlinePolicyNames?: string[];
  /** Removal of a role eks-pod-iam created: its attached customer-managed policies, as GetPolicy tells. */
  customerPolicies?: { arn: string; ours: boolean; attachmentCount: number }[];
  /**
   * Removal of a plain Pod Identity statement: the associations (`<region>/<cluster>/<namespace>/<service-account>`)
   * in the clusters of every region enabled for the account that name the role, other than those this run removes.
   * Undefined: not looked at.
   */
  associatedElsewhere?: string[];
  /**
   * Removal of a plain Pod Identity statement: the regions whose associations could not be read (the statement is
   * then kept: an association there may still name the role). Empty or undefined: every enabled region was read.
   */
  unreadRegions?: UnreadRegion[];
  /** The eks-pod-iam-target inline policy (the target roles the role may assume), when a binding has a target. */
  targetPolicy?: string | PolicyDocument;
}

/** A binding's target role: read when these credentials can read it, else why not (the check cannot be made). */
export type ObservedTarget = ({ readable: true; role: ObservedRole | null } | { readable: false; why: string }) & {
  /**
   * Removal, only when something depends on it (its trust holds statements eks-pod-iam wrote for a removed
   * binding's role with an external ID no association of this run has, or a role eks-pod-iam created may lose the
   * target from its eks-pod-iam-target policy): the associations in the clusters of every region enabled for the
   * account that name the target role.
   */
  users?: TargetUser[];
  /**
   * Removal: the regions whose associations could not be read. `users` then holds the other regions' only: no grant
   * is judged stale and no target leaves a role's policy (an association there may still use them).
   */
  unreadRegions?: UnreadRegion[];
};

/** A region the account-wide scan could not read (`region` "every region" when the region list itself failed). */
export interface UnreadRegion {
  region: string;
  cause: string;
}

/** An association that names a target role (its external ID is what the target's trust requires). */
export interface TargetUser {
  associationId: string;
  /** The association's role (the one that must still be let in, and may still assume the target). */
  roleArn: string;
  externalId: string | undefined;
}
/** A customer-managed policy (`managed-policy`), with its default version's document and every version. */
export interface ObservedManagedPolicy {
  arn: string;
  tags: Record<string, string>;
  defaultVersionId: string;
  /** The default version's document, as IAM returned it (URL-encoded JSON). */
  document: string | PolicyDocument;
  /** Every version, oldest first (IAM keeps at most five). */
  versions: { versionId: string; isDefault: boolean }[];
}

export type AddonStatus =
  'CREATING' | 'ACTIVE' | 'CREATE_FAILED' | 'UPDATING' | 'DELETING' | 'DELETE_FAILED' | 'DEGRADED' | 'UPDATE_FAILED';

export interface ObservedAddon {
  /** 'UNKNOWN' when DescribeAddon answers without a status. */
  status: AddonStatus | 'UNKNOWN';
  healthIssues: { code?: string; message?: string }[];
}

/** An add-on that owns the service account (`addon`): what binding through it needs. */
export interface ObservedOwnerAddon {
  name: string;
  /** null: not installed. */
  installed: {
    arn: string;
    status: AddonStatus | 'UNKNOWN';
    healthIssues: { code?: string; message?: string }[];
    /** Its pod identity associations (DescribeAddon names their ARNs; each is described). */
    associations: { serviceAccount: string; namespace: string; roleArn: string }[];
  } | null;
  /** Installed: its version; else the default one for the cluster's Kubernetes version; undefined: no such add-on. */
  version: string | undefined;
  /** DescribeAddonConfiguration's podIdentityConfiguration: service account → recommended managed policies. */
  serviceAccounts: Record<string, string[]>;
}

export interface ObservedAssociation {
  associationId: string;
  associationArn: string;
  roleArn: string;
  targetRoleArn: string | undefined;
  /** With a target role: what the target role's trust must require as `sts:ExternalId` (EKS generates it). */
  externalId?: string;
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
  /** Kubernetes version (which add-on version is the default, for an add-on to install). */
  version?: string;
}

/** Everything observed before planning. `null` = looked and it does not exist; `undefined` = not looked at. */
export interface Observed {
  accountId: string;
  cluster: ObservedCluster;
  role: ObservedRole | null;
  addon?: ObservedAddon | null;
  associations?: ObservedAssociation[];
  /** Only with `addon`: the add-on that owns the service account. */
  ownerAddon?: ObservedOwnerAddon;
  oidcProvider?: ObservedOidcProvider | null;
  /** By ARN: the binding's customer-managed policies (`managed-policy`, presets'; only those it gives). */
  managedPolicies?: Readonly<Record<string, ObservedManagedPolicy | null>>;
  namespaceExists?: boolean;
  serviceAccount?: ObservedServiceAccount | null;
  /** Pods running as the service account (when Kubernetes is reachable). */
  pods?: ObservedPod[];
  /** Workloads whose pod template runs as the service account (only with restart-workloads). */
  workloads?: ObservedWorkload[];
  /** irsa: whether EKS's pod-identity-webhook is installed; undefined when it cannot be read. */
  webhook?: boolean;
  /** pod-identity with target-role-arn: the target role. */
  targetRole?: ObservedTarget;
  /** migrate-from-irsa: the role IRSA used, when it is not `role` (its trust gives up the subject). */
  irsaRole?: IrsaRole;
}

/** The role a migrating service account's IRSA annotation named, other than the one it is bound to. */
export type IrsaRole = ObservedTarget & { arn: string };

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
  | {
      kind: 'create-managed-policy';
      policyArn: string;
      name: string;
      document: PolicyDocument;
      tags: Record<string, string>;
      description: string;
    }
  // `tags`: set on the policy once the version is made (a preset's new upstream version).
  | { kind: 'create-policy-version'; policyArn: string; document: PolicyDocument; tags?: Record<string, string> }
  | { kind: 'delete-policy-version'; policyArn: string; versionId: string }
  | { kind: 'create-oidc-provider'; url: string; clientIds: string[]; tags: Record<string, string> }
  | { kind: 'add-client-id'; providerArn: string; clientId: string }
  | { kind: 'create-addon'; addonName: string }
  // The add-on's complete list (EKS replaces it): `install` creates the add-on with it, else UpdateAddon.
  | {
      kind: 'addon-associations';
      addonName: string;
      install: boolean;
      associations: { serviceAccount: string; roleArn: string }[];
    }
  | {
      kind: 'create-association';
      roleArn: string;
      tags: Record<string, string>;
      disableSessionTags: boolean;
      policy: string | undefined;
      targetRoleArn?: string;
    }
  | {
      kind: 'update-association';
      associationId: string;
      roleArn: string;
      clearTargetRole: boolean;
      /** Set only when it changes to another target role. */
      targetRoleArn?: string;
      /** Set only when it changes. */
      disableSessionTags?: boolean;
      /** Set only when it changes ('' removes it). */
      policy?: string;
    }
  | { kind: 'tag-association'; associationArn: string; tags: Record<string, string> }
  // `associationArn` undefined: the association this run writes for the binding (known once written).
  | { kind: 'untag-association'; associationArn: string | undefined; tagKeys: string[] }
  // Each grant's external ID is the one its association answered when this run wrote it, else the one given.
  // `removed`: removed bindings' grants taken out in the same write.
  | { kind: 'trust-target'; roleName: string; grants: TargetGrant[]; removed?: Binding[] }
  | { kind: 'create-namespace'; name: string }
  | { kind: 'create-service-account'; annotations: Record<string, string> }
  | { kind: 'annotate-service-account'; annotations: Record<string, string> }
  // Removed only while each still has the value given (others' annotations and labels stay).
  | { kind: 'unannotate-service-account'; annotations: Record<string, string> }
  // Only if it is still the object read (uid, resourceVersion): never one recreated or changed meanwhile.
  | { kind: 'delete-service-account'; uid: string | undefined; resourceVersion: string | undefined }
  | { kind: 'restart-workload'; workload: ObservedWorkload }
  // Removal (state: absent). Each is as good as done when what it removes is already gone.
  | { kind: 'delete-association'; associationId: string }
  | { kind: 'detach-policy'; roleName: string; policyArn: string }
  | { kind: 'delete-inline-policy'; roleName: string; policyName: string }
  // Only while eks-pod-iam's tag is on it and it is attached nowhere (looked at again right before).
  | { kind: 'delete-managed-policy'; policyArn: string }
  // Only while the trust, without `removed`, has no statement left (looked at again right before).
  | { kind: 'delete-role'; roleName: string; removed: Binding[] };

/** A binding's association role allowed into its target role's trust, with the association's external ID. */
export interface TargetGrant {
  binding: BindingKey;
  roleArn: string;
  /** undefined: known only once this run has created (or re-targeted) the association. */
  externalId: string | undefined;
}

/** A warning of the plan, and what it is about (a binding, or a cluster or role). */
export interface Warning {
  about: string;
  message: string;
}
