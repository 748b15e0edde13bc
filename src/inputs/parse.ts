// Reads every input once, validates all of them, and returns one frozen RunConfig: the run's settings and its
// bindings (the single inputs, or the items of `bindings` over them; see bindings.ts). Each binding's fields are
// read by binding-fields.ts, whichever the source; the inputs that apply to the whole run are read here.
// Every problem is collected so the user sees all of them at once; nothing is called before they pass.
import { existsSync } from 'node:fs';
import { checker, parseBinding, type BindingContext, type BindingSource } from './binding-fields.js';
import { manifestBindings } from './bindings.js';
import type { BindingConfig, Config, KubeAccess, RunConfig, RunSettings } from './config.js';
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
