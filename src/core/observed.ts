// What the adapters observe: plain data only, `null` for looked and missing, `undefined` for not looked at.
import type { PolicyDocument } from '../inputs/config.js';

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
  /** When GetRole's answer arrived (performance.now()): a trust write may merge into a recent read. */
  answeredAt?: number;
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
