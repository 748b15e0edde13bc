// The changes a plan is made of (and, re-exported, what the adapters observe: observed.ts). Plain data only.
import type { BindingKey, PolicyDocument } from '../inputs/config.js';
import type { ResourceKind } from './kinds.js';
import type { Binding } from '../resources/role-trust/trust.js';
import type { ObservedWorkload } from './observed.js';

export type * from './observed.js';

/**
 * A resource that several planners state what they want of (their intents), folded into its one change by its room:
 * a role's trust, a target role's trust, a role's eks-pod-iam-target policy, a binding's association, a namespace.
 */
export type Ref =
  | { kind: 'role-trust'; role: string }
  | { kind: 'target-trust'; target: string }
  | { kind: 'target-policy'; role: string }
  | { kind: 'association'; binding: BindingKey }
  | { kind: 'namespace'; cluster: string; name: string };

/**
 * What a scope's changes are about: a shared thing (a cluster's agent add-on, an OIDC provider, a managed policy, a
 * role, a target role, an add-on's associations, a namespace) or one binding's own. The order a plan is listed in,
 * the units read back after apply and the add-on waits switch on its kind.
 */
export type Owner =
  | { kind: 'run' }
  | { kind: 'cluster'; cluster: string }
  | { kind: 'provider'; arn: string }
  | { kind: 'policy'; arn: string }
  | { kind: 'role'; role: string }
  | { kind: 'target'; arn: string }
  | { kind: 'addon-associations'; cluster: string; addon: string }
  | { kind: 'namespace'; cluster: string; name: string }
  | { kind: 'binding'; binding: BindingKey };

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
  /** What the change is about (the scope it was planned in). */
  owner: Owner;
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
