// The inputs of action.yml, with their defaults. action.yml is the source of truth;
// __tests__/action-contract.test.ts fails when this table and action.yml disagree.
// The defaults are applied here too because the CLI and Octopus shells have no runner to apply them.

export const INPUT_DEFAULTS = {
  'cluster-name': undefined,
  'aws-region': '',
  mode: 'pod-identity',
  namespace: 'default',
  'service-account': undefined,
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
} as const satisfies Record<string, string | undefined>;

export type InputName = keyof typeof INPUT_DEFAULTS;

export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

export const OUTPUT_NAMES = [
  'role-arn',
  'association-id',
  'association-arn',
  'oidc-provider-arn',
  'changed',
  'changes',
  'bindings',
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];

/** Reads one raw input value; undefined or '' means "not given". */
export type InputReader = (name: InputName) => string | undefined;
