import type { Partition } from '../arn.js';
import type { PresetRequest } from '../presets/index.js';

export type Mode = 'pod-identity' | 'irsa';

/** `present` binds; `absent` removes what eks-pod-iam made for the binding. */
export type DesiredState = 'present' | 'absent';

/** `managed-policy`: a document kept as a customer-managed policy of this name, attached to the role. */
export interface ManagedPolicy {
  name: string;
  document: PolicyDocument;
}

/**
 * The role to bind: one we create or update by name, or an existing one given by ARN. `annotation`: none given, with
 * migrate-from-irsa: observe takes it from the service account (its IRSA annotation, else its association) and
 * hands the rest of the run an `arn` ref marked `annotated`; `name` is '' until then.
 */
export type RoleRef =
  | { kind: 'name'; name: string }
  | { kind: 'arn'; arn: string; name: string; path: string; accountId: string; annotated?: boolean }
  | { kind: 'annotation'; name: '' };

export type PolicyDocument = Record<string, unknown> & { Statement: unknown };

/** Where the Kubernetes API comes from: a kubeconfig (file or text), or DescribeCluster + EKS token. */
export type KubeAccess =
  { kind: 'kubeconfig-file'; path: string } | { kind: 'kubeconfig-text'; text: string } | { kind: 'eks' };

/** Every input, parsed and validated once. Deep-frozen: nothing downstream can change it. */
export interface Config {
  readonly clusterName: string;
  readonly region: string;
  readonly partition: Partition;
  readonly mode: Mode;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly role: Readonly<RoleRef>;
  readonly policyArns: readonly string[];
  readonly inlinePolicy: Readonly<PolicyDocument> | undefined;
  readonly permissionsBoundary: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly createServiceAccount: boolean;
  readonly installAgent: boolean;
  readonly audience: string;
  readonly scopeTrust: boolean;
  readonly disableSessionTags: boolean;
  readonly sessionPolicy: Readonly<PolicyDocument> | undefined;
  readonly restartWorkloads: boolean;
  readonly state: DesiredState;
  /** pod-identity: remove the service account's IRSA wiring once the association is verified. */
  readonly migrateFromIrsa: boolean;
  /** pod-identity: the role EKS assumes after the association's role (cross-account). */
  readonly targetRoleArn: string | undefined;
  readonly managedPolicy: Readonly<ManagedPolicy> | undefined;
  /** Well-known controllers' policies, by name and parameters (checked against their data). */
  readonly presets: readonly Readonly<PresetRequest>[];
  /** pod-identity: the EKS add-on that owns the service account; the association is made through it. */
  readonly addon: string | undefined;
  readonly dryRun: boolean;
  readonly kube: Readonly<KubeAccess>;
  readonly waitTimeoutSeconds: number;
  readonly verifyCredentials: ProofMethod;
  readonly probeImage: string;
}

/** What identifies a binding everywhere (outputs, changes, messages): `<cluster>/<namespace>/<service-account>`. */
export type BindingKey = `${string}/${string}/${string}`;

export const bindingKey = (b: Pick<BindingConfig, 'clusterName' | 'namespace' | 'serviceAccount'>): BindingKey =>
  `${b.clusterName}/${b.namespace}/${b.serviceAccount}`;

/** `verify-credentials`: how a binding's credentials are proven after apply (see src/resources/credentials). */
export type ProofMethod = 'none' | 'exchange' | 'pod';

/** The inputs that apply to the whole run, not to one binding. */
export interface RunSettings {
  readonly installAgent: boolean;
  readonly dryRun: boolean;
  readonly kube: Readonly<KubeAccess>;
  readonly waitTimeoutSeconds: number;
  readonly verifyCredentials: ProofMethod;
  readonly probeImage: string;
}

/** One binding: a service account in a cluster, and the role its pods get. */
export type BindingConfig = Omit<Config, keyof RunSettings> & {
  /** Position in the `bindings` manifest (for messages naming `bindings[i]`); undefined for the single inputs. */
  readonly index: number | undefined;
};

/** A whole run: its settings and its bindings in input order (the single inputs are the one-binding case). */
export interface RunConfig extends RunSettings {
  readonly bindings: readonly BindingConfig[];
  /** Manifest items of other clusters than the top-level `cluster-name`: listed as skipped, not run. */
  readonly skipped: readonly BindingKey[];
}
