// `--help`: each option with the first sentence of its action.yml description. Embedded, as INPUT_DEFAULTS is: the
// CLI runs from the bundle, where no action.yml lies next to it. __tests__/cli-help.test.ts fails when a sentence
// here and action.yml's differ.
import type { InputName } from '../inputs/spec.js';

export const OPTION_SUMMARIES: Record<InputName, string> = {
  'cluster-name': 'Name of the EKS cluster.',
  'aws-region': 'AWS region of the cluster.',
  mode:
    '`pod-identity` (an EKS Pod Identity association) or `irsa` (IAM roles for service accounts: OIDC provider, ' +
    'web-identity trust and service account annotation).',
  namespace: 'Kubernetes namespace of the service account.',
  'service-account': 'Name of the Kubernetes service account whose pods get the role.',
  'role-name': 'Name of the IAM role to create, or to update in place when it exists.',
  'role-arn':
    'ARN of an existing IAM role to use instead of role-name; its trust policy is still merged so the binding ' +
    'can assume it.',
  'policy-arns': 'Managed policy ARNs to attach to the role, separated by newlines or commas.',
  'inline-policy':
    'A JSON IAM policy document, or file://path to one, put on the role as the inline policy named eks-pod-iam.',
  'permissions-boundary':
    'ARN of a managed policy to set as the permissions boundary of a role that this action creates.',
  tags: '`key=value` lines applied as tags to the role and, in pod-identity mode, to the association.',
  'create-service-account': 'Create the service account (and its namespace) when missing.',
  'install-agent': 'pod-identity: make sure the eks-pod-identity-agent add-on exists and is ACTIVE.',
  audience: 'irsa: the OIDC audience, used as the provider client ID and in the trust policy `aud` condition.',
  'scope-trust':
    'pod-identity: limit the trust statement with session-tag conditions to this cluster, namespace and service ' +
    'account.',
  'restart-workloads':
    'Roll out the Deployments, StatefulSets and DaemonSets whose pods run as the service account, so they pick ' +
    'up the identity.',
  'dry-run': 'Compute and print the plan, change nothing.',
  kubeconfig: 'Path to a kubeconfig (or its content) for the cluster.',
  'wait-timeout':
    'Seconds to wait for the pod identity agent add-on (and, with addon, that add-on) to become ACTIVE, and, ' +
    'with verify-credentials, for the credentials to work (IAM and EKS take seconds to make a change effective).',
  'disable-session-tags': "pod-identity: EKS adds no session tags to the association's sessions.",
  'session-policy':
    "pod-identity: an IAM policy (JSON, or file://path) EKS applies to the association's sessions, at most 2048 " +
    'characters; needs disable-session-tags: true.',
  state:
    '`present` binds; `absent` removes the binding: what eks-pod-iam made for it (association or annotation, ' +
    'its trust, a role or service account it created) and nothing it did not make.',
  'migrate-from-irsa':
    'pod-identity: for a service account annotated for IRSA, use the annotated role when no role is given, and ' +
    "once the association is verified remove the annotation and this service account's web-identity subject.",
  'target-role-arn':
    "pod-identity: a role, usually in another account, that EKS assumes after the association's role " +
    "(cross-account); its trust is merged to allow the association's role with the association's external ID " +
    'when readable.',
  'managed-policy':
    'An IAM policy document (JSON, or file://path) kept as a customer-managed policy and attached to the role; ' +
    'a new default version is made only when the document differs.',
  'managed-policy-name': 'Name of the customer-managed policy made from managed-policy.',
  addon:
    'pod-identity: the EKS add-on that owns the service account (e.g. aws-ebs-csi-driver): the association is ' +
    'made through the add-on; with no policy inputs, the policies the add-on recommends are attached.',
  bindings:
    'Many bindings in one run: a YAML or JSON list, inline or file://path, of objects whose keys are the ' +
    'binding inputs (every input except dry-run, kubeconfig, wait-timeout, install-agent, verify-credentials and ' +
    'probe-image); a key an item leaves out takes the top-level input.',
  presets:
    'Well-known policies for common controllers (aws-load-balancer-controller, external-dns, cert-manager, ' +
    'cluster-autoscaler, karpenter, external-secrets, velero, the CSI drivers, ...), one per line: `name` or ' +
    '`name key=value[,value] ...` (for example `external-dns hosted-zone-arns=arn:aws:route53:::hostedzone/Z123`).',
  'verify-credentials':
    "After applying, prove that the service account's pods get the role's credentials: none, exchange (the " +
    "pod's own credential exchange, made from the runner: a TokenRequest token exchanged with EKS Auth or STS, " +
    'then sts:GetCallerIdentity) or pod (a short-lived pod as the service account runs aws sts get-caller-identity).',
  'probe-image':
    'verify-credentials: pod: the image of the probe pod; it must have the aws CLI at aws on its PATH (a mirror ' +
    'of the default for clusters that cannot pull from public registries).',
};
