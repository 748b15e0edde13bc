// The inputs of action.yml, with their defaults. action.yml is the source of truth;
// __tests__/action-contract.test.ts fails when this table and action.yml disagree.
// The defaults are applied here too because the CLI and Octopus shells have no runner to apply them.

export const INPUT_DEFAULTS = {
  'cluster-name': '',
  'aws-region': '',
  mode: 'pod-identity',
  namespace: 'default',
  'service-account': '',
  'role-name': '',
  'role-arn': '',
  'policy-arns': '',
  'inline-policy': '',
  'permissions-boundary': '',
  tags: '',
  'create-service-account': 'true',
  'install-agent': 'true',
  audience: 'sts.amazonaws.com',
  'scope-trust': 'false',
  'restart-workloads': 'false',
  'dry-run': 'false',
  kubeconfig: '',
  'wait-timeout': '600',
  'disable-session-tags': 'false',
  'session-policy': '',
  state: 'present',
  'migrate-from-irsa': 'false',
  'target-role-arn': '',
  'managed-policy': '',
  'managed-policy-name': '',
  addon: '',
  bindings: '',
  presets: '',
  'verify-credentials': 'none',
  'probe-image': 'public.ecr.aws/aws-cli/aws-cli:latest',
} as const satisfies Record<string, string | undefined>;

export type InputName = keyof typeof INPUT_DEFAULTS;

export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

/** Inputs that apply to the whole run: given once, at the top level, never in a `bindings` item. */
export const RUN_INPUTS = [
  'dry-run',
  'kubeconfig',
  'wait-timeout',
  'install-agent',
  'bindings',
  'verify-credentials',
  'probe-image',
] as const satisfies readonly InputName[];

export type RunInputName = (typeof RUN_INPUTS)[number];

/** The inputs of one binding: every other input. They are the keys of a `bindings` item. */
export type BindingInputName = Exclude<InputName, RunInputName>;

export const BINDING_INPUTS = INPUT_NAMES.filter(
  (n): n is BindingInputName => !(RUN_INPUTS as readonly string[]).includes(n),
);

/** Inputs taking "true" or "false" (any case): those whose default is one of them. */
export const isBooleanInput = (n: InputName) => INPUT_DEFAULTS[n] === 'true' || INPUT_DEFAULTS[n] === 'false';

export const OUTPUT_NAMES = [
  'role-arn',
  'association-id',
  'association-arn',
  'oidc-provider-arn',
  'changed',
  'changes',
  'external-id',
  'bindings',
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];

/** Reads one raw input value; undefined or '' means "not given". */
export type InputReader = (name: InputName) => string | undefined;
