// Reads every input once, validates all of them, and returns one frozen RunConfig: the run's settings and its
// bindings (the single inputs, or the items of `bindings` over them; see bindings.ts).
// Every problem is collected so the user sees all of them at once; nothing is called before they pass.
import { existsSync } from 'node:fs';
import { partitionOfRegion, type Partition } from '../arn.js';
import { manifestBindings } from './bindings.js';
import type { BindingConfig, Config, KubeAccess, RoleRef, RunConfig, RunSettings } from './config.js';
import { inlinePolicy, managedPolicy, sessionPolicy } from './policy.js';
import { checkPresets, presetLines } from './presets.js';
import type { PresetRequest } from '../presets/index.js';
import { INPUT_DEFAULTS, type BindingInputName, type InputName, type InputReader } from './spec.js';
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

export interface ParsedRun {
  config: RunConfig;
  /** Inputs that are valid but have no effect where they are given. */
  warnings: string[];
}

export interface ParseEnv {
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
  fileExists?: (path: string) => boolean;
}

/** A binding input's value as given: text ('' = not given), or, from a manifest, a list or key/value pairs. */
export type GivenValue =
  | string
  | { readonly list: readonly string[] }
  | { readonly pairs: readonly (readonly [string, string])[] }
  | { readonly presets: readonly PresetRequest[] };

/** Where one binding's inputs come from: the single inputs, or one `bindings` item over them. */
export interface BindingSource {
  readonly index: number | undefined;
  /** The value as given; '' when not given (the input's default applies). */
  readonly value: (name: BindingInputName) => GivenValue;
  /** Who gave the value, for messages: the input (`role-arn`) or a manifest item's key (`bindings[3].role-arn`). */
  readonly label: (name: InputName) => string;
  /** Whether the binding gives this value itself (a top-level default an item inherits is not its own). */
  readonly own: (name: BindingInputName) => boolean;
  /** What a missing required value is told to give. */
  readonly requiredHint: (name: 'cluster-name' | 'service-account') => string;
}

/** What parsing one binding needs besides its source; problems and warnings are appended to. */
export interface BindingContext {
  env: NodeJS.ProcessEnv;
  readFile: ((path: string) => string) | undefined;
  problems: InputError[];
  warnings: string[];
}

/** Reads the inputs into the run: its settings and its bindings (the single inputs, or `bindings`). */
export function parseRun(
  read: InputReader,
  { env = process.env, readFile, fileExists = existsSync }: ParseEnv = {},
): ParsedRun {
  const problems: InputError[] = [];
  const warnings: string[] = [];
  let settings = parseRunSettings(read, env, fileExists, problems);
  const ctx: BindingContext = { env, readFile, problems, warnings };
  let bindings: BindingConfig[] = [];
  let skipped: RunConfig['skipped'] = [];
  if (read('bindings')?.trim()) {
    ({ bindings, skipped } = manifestBindings(read, ctx));
  } else {
    const one = parseBinding(singleSource(read), ctx);
    if (one) bindings = [one];
  }
  const clusters = new Set(bindings.map((b) => `${b.region}/${b.clusterName}`));
  if (clusters.size > 1 && settings.kube && settings.kube.kind !== 'eks') {
    // A kubeconfig reaches one cluster; each cluster of the run is reached through DescribeCluster instead.
    if (read('kubeconfig')?.trim())
      problems.push(
        new InputError(
          'kubeconfig',
          `reaches one cluster, but this run binds service accounts in ${clusters.size} clusters: leave it empty ` +
            '(each cluster is then reached through DescribeCluster and an EKS token), or run one cluster per job.',
        ),
      );
    else {
      warnings.push(
        `KUBECONFIG is ignored: this run binds service accounts in ${clusters.size} clusters, ` +
          'each reached through DescribeCluster and an EKS token.',
      );
      settings = { ...settings, kube: { kind: 'eks' } };
    }
  }
  if (problems.length > 0) throw new InvalidInputs(unique(problems));
  const config: RunConfig = { ...settings, bindings, skipped };
  return { config: deepFreeze(config), warnings: [...new Set(warnings)] };
}

/**
 * The single inputs as one Config (the run before `bindings`). Kept while callers move to parseRun: a run with
 * `bindings` is refused here, since one Config cannot hold it.
 */
export function parseInputs(read: InputReader, env: ParseEnv = {}): ParsedInputs {
  const { config, warnings } = parseRun(read, env);
  const [binding, ...more] = config.bindings;
  if (!binding || more.length > 0 || binding.index !== undefined)
    throw new InvalidInputs([new InputError('bindings', 'is not supported by this entry point; use parseRun.')]);
  const { index: _index, ...fields } = binding;
  const { bindings: _bindings, skipped: _skipped, ...settings } = config;
  return { config: deepFreeze({ ...fields, ...settings }), warnings };
}

/** The inputs that apply to the whole run. */
function parseRunSettings(
  read: InputReader,
  env: NodeJS.ProcessEnv,
  fileExists: (path: string) => boolean,
  problems: InputError[],
): RunSettings {
  const raw = (name: InputName): string => read(name)?.trim() || (INPUT_DEFAULTS[name] ?? '');
  const check = checker(problems, (name) => name);
  return {
    installAgent: check(() => v.boolean('install-agent', raw('install-agent')))!,
    dryRun: check(() => v.boolean('dry-run', raw('dry-run')))!,
    waitTimeoutSeconds: check(() => v.waitTimeout(raw('wait-timeout')))!,
    verifyCredentials: check(() => v.proofMethod(raw('verify-credentials')))!,
    probeImage: check(() => v.probeImage(raw('probe-image')))!,
    kube: check(() => kubeAccess(raw('kubeconfig') || env.KUBECONFIG?.trim() || '', fileExists, !!raw('kubeconfig')))!,
  };
}

/** The single inputs as the source of the one binding. */
function singleSource(read: InputReader): BindingSource {
  return {
    index: undefined,
    value: (name) => read(name) ?? '',
    label: (name) => name,
    own: () => true,
    requiredHint: (name) =>
      name === 'cluster-name' ? "give the EKS cluster's name" : 'give the Kubernetes service account name',
  };
}

/** Runs one validator; on failure records the problem, said of where the value was given, and yields undefined. */
function checker(problems: InputError[], label: (name: InputName) => string) {
  return <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof InputError) problems.push(e.at(label(e.input)));
      else throw e;
      return undefined;
    }
  };
}

/** One binding from its source; undefined when any of its values is invalid (the problems are recorded). */
export function parseBinding(src: BindingSource, { env, readFile, problems, warnings }: BindingContext) {
  const before = problems.length;
  const given = (name: BindingInputName): GivenValue => {
    const value = src.value(name);
    return typeof value === 'string' ? value.trim() : value;
  };
  const raw = (name: BindingInputName): string => {
    const value = given(name);
    return (typeof value === 'string' && value) || (INPUT_DEFAULTS[name] ?? '');
  };
  const check = checker(problems, src.label);
  const required = (name: 'cluster-name' | 'service-account'): string | undefined => {
    const value = raw(name);
    if (!value) problems.push(new InputError(name, `is required: ${src.requiredHint(name)}.`, src.label(name)));
    return value || undefined;
  };

  const clusterName = check(() => required('cluster-name') && v.clusterName(raw('cluster-name')));
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
        src.label('aws-region'),
      ),
    );

  const mode = check(() => v.mode(raw('mode')));
  const namespace = check(() => v.namespace(raw('namespace')));
  const serviceAccount = check(() => required('service-account') && v.serviceAccount(raw('service-account')));
  const role = check(() =>
    roleRef(raw('role-name'), raw('role-arn'), partition, /^true$/i.test(raw('migrate-from-irsa'))),
  );
  const arns = given('policy-arns');
  const policyArns = check(() =>
    typeof arns === 'object' && 'list' in arns
      ? v.policyArnList(arns.list, partition)
      : v.policyArns(raw('policy-arns'), partition),
  );
  const inline = raw('inline-policy') ? check(() => inlinePolicy(raw('inline-policy'), readFile)) : undefined;
  const boundary = raw('permissions-boundary')
    ? check(() => v.permissionsBoundary(raw('permissions-boundary'), partition))
    : undefined;
  const tagsGiven = given('tags');
  const tags = check(() =>
    typeof tagsGiven === 'string'
      ? v.tags(raw('tags'))
      : 'list' in tagsGiven
        ? v.tagLines(tagsGiven.list)
        : v.tagEntries('pairs' in tagsGiven ? tagsGiven.pairs : []),
  );
  const bool = (name: BindingInputName) => check(() => v.boolean(name, raw(name)));
  const createServiceAccount = bool('create-service-account');
  const scopeTrust = bool('scope-trust');
  const restartWorkloads = bool('restart-workloads');
  const disableSessionTags = bool('disable-session-tags');
  const session = raw('session-policy') ? check(() => sessionPolicy(raw('session-policy'), readFile)) : undefined;
  const audience = check(() => v.audience(raw('audience')));
  const state = check(() => v.state(raw('state')));
  const migrateFromIrsa = bool('migrate-from-irsa');
  const targetRoleArn = raw('target-role-arn')
    ? check(() => v.roleArnInput(raw('target-role-arn'), partition, 'target-role-arn').arn)
    : undefined;
  const managedDocument = raw('managed-policy')
    ? check(() => managedPolicy(raw('managed-policy'), readFile))
    : undefined;
  const managedName = raw('managed-policy-name')
    ? check(() => v.managedPolicyName(raw('managed-policy-name')))
    : undefined;
  const addon = raw('addon') ? check(() => v.addon(raw('addon'))) : undefined;
  const presetsGiven = given('presets');
  const presets = check(() =>
    checkPresets(
      typeof presetsGiven === 'object' && 'presets' in presetsGiven
        ? presetsGiven.presets
        : presetLines(raw('presets')),
      { partition, region, clusterName },
    ),
  );
  const refuse = (name: BindingInputName, detail: string) =>
    problems.push(new InputError(name, detail, src.label(name)));
  const podIdentityOnly = (name: BindingInputName, what: string) =>
    refuse(name, `applies to pod-identity mode only (${what}); remove it or use "mode: pod-identity".`);
  if (mode === 'irsa' && migrateFromIrsa)
    podIdentityOnly('migrate-from-irsa', 'it moves a service account to Pod Identity');
  if (mode === 'irsa' && targetRoleArn) podIdentityOnly('target-role-arn', 'EKS assumes it after the association role');
  if (mode === 'irsa' && addon) podIdentityOnly('addon', "it binds through the add-on's Pod Identity associations");
  if (migrateFromIrsa && state === 'absent')
    refuse(
      'migrate-from-irsa',
      'moves a binding to Pod Identity, but "state: absent" removes it: give one or the other.',
    );
  if (raw('managed-policy-name') && !raw('managed-policy'))
    refuse(
      'managed-policy-name',
      'names the policy made from "managed-policy", which is not given: give both, or neither.',
    );
  if (session && disableSessionTags === false)
    problems.push(
      new InputError(
        'session-policy',
        'needs "disable-session-tags: true": EKS applies a session policy only to sessions without session tags.',
        src.label('session-policy'),
      ),
    );
  if (scopeTrust && disableSessionTags && mode === 'pod-identity')
    problems.push(
      new InputError(
        'scope-trust',
        'conditions the trust on session tags, which "disable-session-tags: true" turns off: ' +
          'the role could not be assumed; give one or the other.',
        src.label('scope-trust'),
      ),
    );

  if (problems.length > before) return undefined;

  // Said only of values the binding gives itself: a top-level default that some items cannot use is no mistake.
  if (mode === 'irsa' && scopeTrust && src.own('scope-trust'))
    warnings.push(`Input "${src.label('scope-trust')}" applies to pod-identity mode only; it is ignored in irsa mode.`);
  for (const name of ['disable-session-tags', 'session-policy'] as const)
    if (mode === 'irsa' && raw(name) !== INPUT_DEFAULTS[name] && src.own(name))
      warnings.push(`Input "${src.label(name)}" applies to pod-identity mode only; it is ignored in irsa mode.`);
  if (mode === 'pod-identity' && audience !== INPUT_DEFAULTS.audience && src.own('audience'))
    warnings.push(`Input "${src.label('audience')}" applies to irsa mode only; it is ignored in pod-identity mode.`);
  if (role?.kind === 'arn' && boundary && src.own('permissions-boundary'))
    warnings.push(
      `Input "${src.label('permissions-boundary')}" applies only to a role eks-pod-iam creates; ` +
        `the role given by "${src.label('role-arn')}" is left as it is.`,
    );

  const binding: BindingConfig = {
    index: src.index,
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
    audience: audience!,
    scopeTrust: scopeTrust!,
    restartWorkloads: restartWorkloads!,
    disableSessionTags: disableSessionTags!,
    sessionPolicy: session,
    state: state!,
    migrateFromIrsa: migrateFromIrsa!,
    targetRoleArn,
    managedPolicy: managedDocument && { name: managedName ?? `${role!.name}-eks-pod-iam`, document: managedDocument },
    presets: presets!,
    addon,
  };
  return binding;
}

function roleRef(name: string, arn: string, partition: Partition | undefined, migrate: boolean): RoleRef {
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
  // Migrating: the service account's IRSA annotation names the role (read before the role, in observe).
  if (!name && migrate) return { kind: 'annotation', name: '' };
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

/** The same problem said twice (a top-level value many items inherit) is reported once. */
function unique(problems: InputError[]): InputError[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.message) && !!seen.add(p.message));
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const value of Object.values(o)) deepFreeze(value);
  }
  return o;
}
