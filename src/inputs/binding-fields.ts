// One binding's fields, read from where they are given: the single inputs (parse.ts) or one `bindings` item over
// them (bindings.ts). Both come here so that a value is judged, and a problem said, the same way wherever it is
// given; only its label (`role-arn` or `bindings[3].role-arn`) differs. Every problem is recorded, none thrown.
import { partitionOfRegion, type Partition } from '../arn.js';
import type { BindingConfig, RoleRef } from './config.js';
import { inlinePolicy, managedPolicy, sessionPolicy } from './policy.js';
import { checkPresets, presetLines } from './presets.js';
import type { PresetRequest } from '../presets/index.js';
import { INPUT_DEFAULTS, type BindingInputName, type InputName } from './spec.js';
import * as v from './validate.js';
import { InputError } from './validate.js';

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

/** Runs one validator; on failure records the problem, said of where the value was given, and yields undefined. */
export function checker(problems: InputError[], label: (name: InputName) => string) {
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
export function parseBinding(src: BindingSource, ctx: BindingContext): BindingConfig | undefined {
  const before = ctx.problems.length;
  const read = fieldReader(src, ctx.problems);
  const fields = readFields(read, src, ctx);
  refuseContradictions(fields, read, src, ctx.problems);
  if (ctx.problems.length > before) return undefined;
  warnIgnored(fields, read, src, ctx.warnings);
  return toBinding(fields, src.index);
}

/** How one source's values are read: as given, as text with the input's default, checked, required. */
interface FieldReader {
  given: (name: BindingInputName) => GivenValue;
  raw: (name: BindingInputName) => string;
  check: ReturnType<typeof checker>;
  required: (name: 'cluster-name' | 'service-account') => string | undefined;
}

function fieldReader(src: BindingSource, problems: InputError[]): FieldReader {
  const given = (name: BindingInputName): GivenValue => {
    const value = src.value(name);
    return typeof value === 'string' ? value.trim() : value;
  };
  const raw = (name: BindingInputName): string => {
    const value = given(name);
    return (typeof value === 'string' && value) || (INPUT_DEFAULTS[name] ?? '');
  };
  const required = (name: 'cluster-name' | 'service-account'): string | undefined => {
    const value = raw(name);
    if (!value) problems.push(new InputError(name, `is required: ${src.requiredHint(name)}.`, src.label(name)));
    return value || undefined;
  };
  return { given, raw, check: checker(problems, src.label), required };
}

/**
 * Each field checked alone (undefined: invalid, recorded). An object literal's values are computed in the order
 * written: keep it the inputs' order, in which the problems are listed.
 */
function readFields({ given, raw, check, required }: FieldReader, src: BindingSource, ctx: BindingContext) {
  const { readFile } = ctx;
  const place = readPlace({ given, raw, check, required }, src, ctx);
  const { partition } = place;
  const [arns, tags, presets] = [given('policy-arns'), given('tags'), given('presets')];
  const bool = (name: BindingInputName) => check(() => v.boolean(name, raw(name)));
  const ifGiven = <T>(name: BindingInputName, fn: (value: string) => T): T | undefined =>
    raw(name) ? check(() => fn(raw(name))) : undefined;
  return {
    ...place,
    mode: check(() => v.mode(raw('mode'))),
    namespace: check(() => v.namespace(raw('namespace'))),
    serviceAccount: check(() => required('service-account') && v.serviceAccount(raw('service-account'))),
    role: check(() => roleRef(raw('role-name'), raw('role-arn'), partition, /^true$/i.test(raw('migrate-from-irsa')))),
    policyArns: check(() =>
      typeof arns === 'object' && 'list' in arns
        ? v.policyArnList(arns.list, partition)
        : v.policyArns(raw('policy-arns'), partition),
    ),
    inlinePolicy: ifGiven('inline-policy', (value) => inlinePolicy(value, readFile)),
    permissionsBoundary: ifGiven('permissions-boundary', (value) => v.permissionsBoundary(value, partition)),
    tags: check(() =>
      typeof tags === 'string'
        ? v.tags(raw('tags'))
        : 'list' in tags
          ? v.tagLines(tags.list)
          : v.tagEntries('pairs' in tags ? tags.pairs : []),
    ),
    createServiceAccount: bool('create-service-account'),
    scopeTrust: bool('scope-trust'),
    restartWorkloads: bool('restart-workloads'),
    disableSessionTags: bool('disable-session-tags'),
    sessionPolicy: ifGiven('session-policy', (value) => sessionPolicy(value, readFile)),
    audience: check(() => v.audience(raw('audience'))),
    state: check(() => v.state(raw('state'))),
    migrateFromIrsa: bool('migrate-from-irsa'),
    targetRoleArn: ifGiven('target-role-arn', (value) => v.roleArnInput(value, partition, 'target-role-arn').arn),
    managedDocument: ifGiven('managed-policy', (value) => managedPolicy(value, readFile)),
    managedName: ifGiven('managed-policy-name', (value) => v.managedPolicyName(value)),
    addon: ifGiven('addon', (value) => v.addon(value)),
    presets: check(() =>
      checkPresets(
        typeof presets === 'object' && 'presets' in presets ? presets.presets : presetLines(raw('presets')),
        { partition, region: place.region, clusterName: place.clusterName },
      ),
    ),
  };
}

type Fields = ReturnType<typeof readFields>;

/** Where the binding is: its cluster, its region (the input, else the environment) and that region's partition. */
function readPlace({ raw, check, required }: FieldReader, src: BindingSource, { env, problems }: BindingContext) {
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
  return { clusterName, region, partition };
}

/** Values valid alone that cannot go together: the binding could not do what both ask. */
function refuseContradictions(f: Fields, { raw }: FieldReader, src: BindingSource, problems: InputError[]) {
  const refuse = (name: BindingInputName, detail: string) =>
    problems.push(new InputError(name, detail, src.label(name)));
  const podIdentityOnly = (name: BindingInputName, what: string) =>
    refuse(name, `applies to pod-identity mode only (${what}); remove it or use "mode: pod-identity".`);
  if (f.mode === 'irsa' && f.migrateFromIrsa)
    podIdentityOnly('migrate-from-irsa', 'it moves a service account to Pod Identity');
  if (f.mode === 'irsa' && f.targetRoleArn)
    podIdentityOnly('target-role-arn', 'EKS assumes it after the association role');
  if (f.mode === 'irsa' && f.addon) podIdentityOnly('addon', "it binds through the add-on's Pod Identity associations");
  if (f.migrateFromIrsa && f.state === 'absent')
    refuse(
      'migrate-from-irsa',
      'moves a binding to Pod Identity, but "state: absent" removes it: give one or the other.',
    );
  if (raw('managed-policy-name') && !raw('managed-policy'))
    refuse(
      'managed-policy-name',
      'names the policy made from "managed-policy", which is not given: give both, or neither.',
    );
  if (f.sessionPolicy && f.disableSessionTags === false)
    refuse(
      'session-policy',
      'needs "disable-session-tags: true": EKS applies a session policy only to sessions without session tags.',
    );
  if (f.scopeTrust && f.disableSessionTags && f.mode === 'pod-identity')
    refuse(
      'scope-trust',
      'conditions the trust on session tags, which "disable-session-tags: true" turns off: ' +
        'the role could not be assumed; give one or the other.',
    );
}

/**
 * Values that are valid but do nothing in this binding's mode or with its role. Said only of values the binding
 * gives itself: a top-level default that some items cannot use is no mistake.
 */
function warnIgnored(f: Fields, { raw }: FieldReader, src: BindingSource, warnings: string[]) {
  if (f.mode === 'irsa' && f.scopeTrust && src.own('scope-trust'))
    warnings.push(`Input "${src.label('scope-trust')}" applies to pod-identity mode only; it is ignored in irsa mode.`);
  for (const name of ['disable-session-tags', 'session-policy'] as const)
    if (f.mode === 'irsa' && raw(name) !== INPUT_DEFAULTS[name] && src.own(name))
      warnings.push(`Input "${src.label(name)}" applies to pod-identity mode only; it is ignored in irsa mode.`);
  if (f.mode === 'pod-identity' && f.audience !== INPUT_DEFAULTS.audience && src.own('audience'))
    warnings.push(`Input "${src.label('audience')}" applies to irsa mode only; it is ignored in pod-identity mode.`);
  if (f.role?.kind === 'arn' && f.permissionsBoundary && src.own('permissions-boundary'))
    warnings.push(
      `Input "${src.label('permissions-boundary')}" applies only to a role eks-pod-iam creates; ` +
        `the role given by "${src.label('role-arn')}" is left as it is.`,
    );
}

/** The binding, from fields that all passed (none undefined but the optional ones). */
function toBinding(f: Fields, index: number | undefined): BindingConfig {
  return {
    index,
    clusterName: f.clusterName!,
    region: f.region!,
    partition: f.partition!,
    mode: f.mode!,
    namespace: f.namespace!,
    serviceAccount: f.serviceAccount!,
    role: f.role!,
    policyArns: f.policyArns!,
    inlinePolicy: f.inlinePolicy,
    permissionsBoundary: f.permissionsBoundary,
    tags: f.tags!,
    createServiceAccount: f.createServiceAccount!,
    audience: f.audience!,
    scopeTrust: f.scopeTrust!,
    restartWorkloads: f.restartWorkloads!,
    disableSessionTags: f.disableSessionTags!,
    sessionPolicy: f.sessionPolicy,
    state: f.state!,
    migrateFromIrsa: f.migrateFromIrsa!,
    targetRoleArn: f.targetRoleArn,
    managedPolicy: f.managedDocument && {
      name: f.managedName ?? `${f.role!.name}-eks-pod-iam`,
      document: f.managedDocument,
    },
    presets: f.presets!,
    addon: f.addon,
  };
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
