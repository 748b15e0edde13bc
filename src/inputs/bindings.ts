// The `bindings` input: many bindings in one run, as a YAML or JSON list (inline, or file://path) of objects whose
// keys are the binding inputs. A key an item leaves out takes the top-level input's value. With a top-level
// `cluster-name` only that cluster's items run; the others are listed as skipped, so one manifest serves a fleet.
// Every problem is collected and named `bindings[<index>].<key>`, like the single inputs, before any call.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { parseBinding, type BindingContext, type BindingSource, type GivenValue } from './binding-fields.js';
import { bindingKey, type BindingConfig, type BindingKey } from './config.js';
import { repeatedServiceAccounts, sharedRoleConflicts, type ParsedItem } from './manifest-conflicts.js';
import { describe, givenValue, isMap, keepScalars } from './manifest-values.js';
import {
  BINDING_INPUTS,
  INPUT_NAMES,
  RUN_INPUTS,
  type BindingInputName,
  type InputName,
  type InputReader,
} from './spec.js';
import { presetConflicts } from './presets.js';
import * as v from './validate.js';
import { InputError } from './validate.js';

/**
 * Most items one manifest may hold. A cluster binds 10-30 service accounts; IAM throttles mutating calls per
 * account at low rates, so a run of more than a few hundred bindings would spend most of its time being
 * throttled: a fleet that large is better split into several manifests (or jobs).
 */
export const MAX_BINDINGS = 500;

/** Inputs of which an item gives one or the other: giving either replaces both top-level values. */
const ONE_OF: readonly (readonly BindingInputName[])[] = [['role-name', 'role-arn']];

const RUN_LEVEL: ReadonlySet<string> = new Set(RUN_INPUTS);
const BINDING_KEYS: ReadonlySet<string> = new Set(BINDING_INPUTS);

interface Item {
  index: number;
  values: Map<BindingInputName, GivenValue>;
  /** Keys given in a shape their input cannot take (already reported): not reported again as missing. */
  invalid: Set<string>;
}

/** The manifest's bindings that run, and the keys of those skipped (other clusters); problems go to ctx. */
export function manifestBindings(
  read: InputReader,
  ctx: BindingContext,
): { bindings: BindingConfig[]; skipped: BindingKey[] } {
  const none = { bindings: [], skipped: [] };
  const manifest = readManifest(read('bindings')!, ctx);
  if (!manifest) return none;

  const topCluster = read('cluster-name')?.trim() ?? '';
  if (topCluster)
    try {
      v.clusterName(topCluster);
    } catch (e) {
      if (e instanceof InputError) ctx.problems.push(e);
      else throw e;
    }

  const parsed: ParsedItem[] = [];
  for (const [index, raw] of manifest.list.entries()) {
    const item = readItem(raw, index, manifest.baseDir, ctx.problems);
    if (!item) continue;
    const source = itemSource(item, read, ctx.env);
    const before = ctx.problems.length;
    const binding = parseBinding(source, ctx);
    if (binding) parsed.push({ binding, source });
    const after = ctx.problems.splice(before).filter((p) => !item.invalid.has(p.label));
    ctx.problems.push(...after);
  }

  repeatedServiceAccounts(parsed, ctx.problems);

  const selected = parsed.filter(({ binding }) => !topCluster || binding.clusterName === topCluster);
  // Checked among the bindings that run only: they run with one set of credentials, so one role name is one role.
  // Another cluster's items may run in another account, where a role of the same name is another role.
  sharedRoleConflicts(selected, ctx.problems);
  ctx.problems.push(
    ...presetConflicts(
      selected
        .filter(({ binding }) => binding.role.kind !== 'annotation')
        .map(({ binding, source }) => ({ ...binding, role: binding.role.name, label: source.label('presets') })),
    ),
  );

  const skipped = parsed.filter((p) => !selected.includes(p)).map(({ binding }) => bindingKey(binding));
  if (topCluster && selected.length === 0 && parsed.length > 0)
    ctx.warnings.push(
      `No item of "bindings" is for cluster "${topCluster}" (the top-level "cluster-name"): ` +
        `nothing to do here; the ${skipped.length === 1 ? 'item' : `${skipped.length} items`} of other clusters ` +
        `${skipped.length === 1 ? 'is' : 'are'} skipped.`,
    );
  return { bindings: selected.map(({ binding }) => binding), skipped };
}

/** The manifest's items, and the directory its relative file:// paths resolve against (undefined: as given). */
function readManifest(
  value: string,
  { readFile, problems }: BindingContext,
): { list: unknown[]; baseDir: string | undefined } | undefined {
  const fail = (detail: string) => void problems.push(new InputError('bindings', detail));
  let text = value;
  let baseDir: string | undefined;
  if (value.trim().startsWith('file://')) {
    const path = value.trim().slice('file://'.length);
    try {
      text = (readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      return fail(`points at ${JSON.stringify(path)}, which cannot be read (${why}).`);
    }
    baseDir = dirname(path);
  }

  const doc = parseDocument(text, {
    merge: true,
    customTags: keepScalars,
    uniqueKeys: true,
    logLevel: 'error', // a warning would go to the console, past the platform's log
  });
  const error = doc.errors[0];
  if (error) {
    // The parser's own first line says what is wrong; its code frame would quote the manifest, so it is left out.
    const what = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const at = error.linePos?.[0];
    return fail(`is not valid YAML or JSON: ${what}${at ? ` (line ${at.line}, column ${at.col})` : ''}.`);
  }
  let list: unknown;
  try {
    list = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return fail(`cannot be read as YAML: ${(e as Error).message.split('\n')[0]}.`);
  }
  if (!Array.isArray(list))
    return fail(
      `must be a YAML or JSON list of bindings (objects whose keys are binding inputs), got ${describe(list)}.`,
    );
  if (list.length === 0) return fail('is an empty list: give at least one binding, or leave it out.');
  if (list.length > MAX_BINDINGS)
    return fail(
      `lists ${list.length} bindings; at most ${MAX_BINDINGS} are allowed, ` +
        'as IAM throttles the writes of one account: split the manifest (for example one per cluster).',
    );
  return { list, baseDir };
}

/** One item's keys and values, checked for shape; problems of shape are recorded, the valid keys kept. */
function readItem(raw: unknown, index: number, baseDir: string | undefined, problems: InputError[]): Item | undefined {
  const at = `bindings[${index}]`;
  if (!isMap(raw)) {
    problems.push(
      new InputError(
        'bindings',
        `must be an object whose keys are binding inputs (such as service-account: app), got ${describe(raw)}.`,
        at,
      ),
    );
    return undefined;
  }
  const values = new Map<BindingInputName, GivenValue>();
  const invalid = new Set<string>();
  for (const [key, value] of Object.entries(raw)) {
    if (RUN_LEVEL.has(key)) {
      problems.push(
        new InputError(
          'bindings',
          'is a run-level input: give it once, at the top level, not in a binding.',
          `${at}.${key}`,
        ),
      );
      continue;
    }
    if (!BINDING_KEYS.has(key)) {
      problems.push(new InputError('bindings', unknownKey(key), `${at}.${key}`));
      // The key meant is not missing, only misspelt: that is the one problem to report.
      const meant = nearest(key);
      if (meant) invalid.add(`${at}.${meant}`);
      continue;
    }
    const name = key as BindingInputName;
    try {
      values.set(name, givenValue(name, value, baseDir));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(e.at(`${at}.${key}`));
      invalid.add(`${at}.${key}`);
    }
  }
  return { index, values, invalid };
}

/** The item over the top-level inputs: a key it leaves out takes the top-level value (or the default). */
function itemSource(item: Item, read: InputReader, env: NodeJS.ProcessEnv): BindingSource {
  const at = (name: string) => `bindings[${item.index}].${name}`;
  const replaced = (name: BindingInputName) =>
    ONE_OF.some((group) => group.includes(name) && group.some((n) => item.values.has(n)));
  const top = (name: BindingInputName) => (replaced(name) ? '' : (read(name) ?? ''));
  return {
    index: item.index,
    value: (name) => item.values.get(name) ?? top(name),
    own: (name) => item.values.has(name),
    // A value the item inherits is named as the top-level input; a missing one is named in the item.
    label: (name) => {
      if (!BINDING_KEYS.has(name) || item.values.has(name as BindingInputName)) return at(name);
      const inherited =
        !!top(name as BindingInputName).trim() ||
        (name === 'aws-region' && !!(env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim()));
      return inherited ? name : at(name);
    },
    requiredHint: (name) =>
      name === 'cluster-name'
        ? 'with no top-level "cluster-name", every item names its cluster'
        : 'give the Kubernetes service account name here or as the top-level input',
  };
}

/** An unknown key, with the key most likely meant. */
function unknownKey(key: string): string {
  const near = nearest(key);
  const all = 'the keys are the action inputs except dry-run, kubeconfig, wait-timeout, install-agent and bindings';
  if (!near) return `is not a binding input (${all}).`;
  return RUN_LEVEL.has(near)
    ? `is not a binding input; did you mean "${near}"? That is a run-level input: give it at the top level.`
    : `is not a binding input; did you mean "${near}"?`;
}

/** The input a key most likely means: the same words spelt differently (role_name, roleName), or a near typo. */
export function nearest(key: string): InputName | undefined {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  if ((INPUT_NAMES as string[]).includes(words)) return words as InputName;
  let best: InputName | undefined;
  let bestDistance = Infinity;
  for (const name of INPUT_NAMES) {
    const d = distance(words, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 5)) ? best : undefined;
}

/** Edit distance with transpositions (optimal string alignment). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}
