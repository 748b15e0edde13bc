// Reads every input once, validates all of them, and returns one frozen Config.
// Every problem is collected so the user sees all of them at once; nothing is called before they pass.
import { existsSync } from 'node:fs';
import { partitionOfRegion, type Partition } from '../arn.js';
import type { Config, KubeAccess, RoleRef, RunConfig } from './config.js';
import { inlinePolicy } from './policy.js';
import { INPUT_DEFAULTS, type InputName, type InputReader } from './spec.js';
import * as v from './validate.js';
import { InputError } from './validate.js';

export class InvalidInputs extends Error {
  constructor(readonly problems: readonly InputError[]) {
    super(
      problems.length === 1
        ? problems[0]!.message
        : `${problems.length} inputs are invalid: ${problems.map((p) => p.message).join(' ')}`,
    );
  }
}

export interface ParsedInputs {
  config: Config;
  /** Inputs that are valid but have no effect in this mode. */
  warnings: string[];
}

export interface ParseEnv {
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
  fileExists?: (path: string) => boolean;
}

export function parseInputs(
  read: InputReader,
  { env = process.env, readFile, fileExists = existsSync }: ParseEnv = {},
): ParsedInputs {
  const problems: InputError[] = [];
  const raw = (name: InputName): string => {
    const given = read(name)?.trim();
    return given ? given : (INPUT_DEFAULTS[name] ?? '');
  };
  /** Runs one validator; on failure records the problem and yields undefined. */
  const check = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof InputError) problems.push(e);
      else throw e;
      return undefined;
    }
  };
  const required = (name: InputName, what: string): string | undefined => {
    const value = raw(name);
    if (!value) problems.push(new InputError(name, `is required: ${what}.`));
    return value || undefined;
  };

  const clusterName = check(
    () => required('cluster-name', "give the EKS cluster's name") && v.clusterName(raw('cluster-name')),
  );
  const regionRaw = raw('aws-region') || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || '';
  const region = check(() => {
    if (!regionRaw)
      throw new InputError(
        'aws-region',
        "is required: set it, or AWS_REGION / AWS_DEFAULT_REGION, to the cluster's region.",
      );
    return v.region(regionRaw);
  });
  const partition: Partition | undefined = region ? partitionOfRegion(region) : undefined;
  if (region && !partition)
    problems.push(
      new InputError(
        'aws-region',
        `is in an AWS partition eks-pod-iam does not support (${region}); aws, aws-cn and aws-us-gov are supported.`,
      ),
    );

  const mode = check(() => v.mode(raw('mode')));
  const namespace = check(() => v.namespace(raw('namespace')));
  const serviceAccount = check(
    () =>
      required('service-account', 'give the Kubernetes service account name') &&
      v.serviceAccount(raw('service-account')),
  );
  const role = check(() => roleRef(raw('role-name'), raw('role-arn'), partition));
  const policyArns = check(() => v.policyArns(raw('policy-arns'), partition));
  const inline = raw('inline-policy') ? check(() => inlinePolicy(raw('inline-policy'), readFile)) : undefined;
  const boundary = raw('permissions-boundary')
    ? check(() => v.permissionsBoundary(raw('permissions-boundary'), partition))
    : undefined;
  const tags = check(() => v.tags(raw('tags')));
  const bool = (name: InputName) => check(() => v.boolean(name, raw(name)));
  const createServiceAccount = bool('create-service-account');
  const installAgent = bool('install-agent');
  const scopeTrust = bool('scope-trust');
  const restartWorkloads = bool('restart-workloads');
  const dryRun = bool('dry-run');
  const audience = check(() => v.audience(raw('audience')));
  const waitTimeoutSeconds = check(() => v.waitTimeout(raw('wait-timeout')));
  const kube = check(() =>
    kubeAccess(raw('kubeconfig') || env.KUBECONFIG?.trim() || '', fileExists, !!raw('kubeconfig')),
  );

  if (problems.length > 0) throw new InvalidInputs(problems);

  const warnings: string[] = [];
  if (mode === 'irsa' && scopeTrust)
    warnings.push('Input "scope-trust" applies to pod-identity mode only; it is ignored in irsa mode.');
  if (mode === 'pod-identity' && audience !== INPUT_DEFAULTS.audience)
    warnings.push('Input "audience" applies to irsa mode only; it is ignored in pod-identity mode.');
  if (role?.kind === 'arn' && boundary)
    warnings.push(
      'Input "permissions-boundary" applies only to a role eks-pod-iam creates; ' +
        'the role given by "role-arn" is left as it is.',
    );

  const config: Config = {
    clusterName: clusterName!,
    region: region!,
    partition: partition!,
    mode: mode!,
    namespace: namespace!,
    serviceAccount: serviceAccount!,
    role: role!,
    policyArns: policyArns!,
    inlinePolicy: inline,
    permissionsBoundary: boundary,
    tags: tags!,
    createServiceAccount: createServiceAccount!,
    installAgent: installAgent!,
    audience: audience!,
    scopeTrust: scopeTrust!,
    restartWorkloads: restartWorkloads!,
    dryRun: dryRun!,
    kube: kube!,
    waitTimeoutSeconds: waitTimeoutSeconds!,
  };
  return { config: deepFreeze(config), warnings };
}

function roleRef(name: string, arn: string, partition: Partition | undefined): RoleRef {
  if (name && arn)
    throw new InputError(
      'role-name',
      'and "role-arn" were both given: ' +
        'give exactly one (role-name to create or update a role, role-arn to use an existing one).',
    );
  if (arn) {
    const parsed = v.roleArnInput(arn, partition);
    return { kind: 'arn', arn, name: parsed.name, path: parsed.path, accountId: parsed.accountId };
  }
  if (!name)
    throw new InputError('role-name', 'is required unless "role-arn" is given: name the IAM role to create or update.');
  return { kind: 'name', name: v.roleName(name) };
}

function kubeAccess(value: string, fileExists: (p: string) => boolean, fromInput: boolean): KubeAccess {
  if (!value) return { kind: 'eks' };
  const text = kubeconfigText(value);
  if (text) return { kind: 'kubeconfig-text', text };
  // KUBECONFIG may list several files; client-node reads the first that exists.
  const paths = fromInput ? [value] : value.split(':').filter(Boolean);
  const found = paths.find((p) => fileExists(p));
  if (!found) {
    const from = fromInput ? '' : '(from KUBECONFIG) ';
    // A kubeconfig can hold credentials: echo the value only when it plainly is a path.
    const shown = /^[\w./~:-]{1,200}$/.test(value) ? JSON.stringify(value) : `a value of ${value.length} characters`;
    throw new InputError(
      'kubeconfig',
      `${from}points at ${shown}, which is neither an existing file nor kubeconfig content; ` +
        'give a kubeconfig path or its content (YAML, JSON or base64), ' +
        'or leave it empty to use DescribeCluster and an EKS token.',
    );
  }
  return { kind: 'kubeconfig-file', path: found };
}

/** A kubeconfig given as its content (YAML, one-line JSON, or base64 as CI secrets often hold it), else undefined. */
function kubeconfigText(value: string): string | undefined {
  if (value.includes('\n') || /^apiVersion\s*:/.test(value) || value.startsWith('{')) return value;
  if (value.length >= 40 && /^[A-Za-z0-9+/=\s]+$/.test(value)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    if (/apiVersion|clusters/.test(decoded)) return decoded;
  }
  return undefined;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const value of Object.values(o)) deepFreeze(value);
  }
  return o;
}

/** Temporary: the single inputs as a one-binding run (the bindings manifest replaces this). */
export function parseRun(read: InputReader, opts: ParseEnv = {}): { config: RunConfig; warnings: string[] } {
  const { config, warnings } = parseInputs(read, opts);
  const { installAgent, dryRun, kube, waitTimeoutSeconds, ...binding } = config;
  const run: RunConfig = { installAgent, dryRun, kube, waitTimeoutSeconds, bindings: [{ ...binding, index: undefined }], skipped: [] };
  return { config: deepFreeze(run), warnings };
}
