// The `presets` input: the policies of well-known controllers by name. As an input, one preset per line,
// `name` or `name key=value[,value] key2=value`; in a manifest, a list of names and `{name, <param>: value|list}`.
// Each request is checked against its preset's data (a known name, known and required parameters, ARNs of the
// right service and partition) here, before any call.
import type { Partition } from '../arn.js';
import { checkPresetFor, checkPresetRequest, expandPreset, type PresetRequest } from '../presets/index.js';
import { samePolicy } from '../core/policy-doc.js';
import { InputError } from './validate.js';

const show = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);

const refuse = (detail: string): never => {
  throw new InputError('presets', detail);
};

/** The input's text: one preset per line (blank lines and `#` comments skipped). */
export function presetLines(text: string): PresetRequest[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map(presetLine);
}

function presetLine(line: string): PresetRequest {
  const [name, ...rest] = line.split(/\s+/);
  const params: Record<string, string[]> = {};
  for (const token of rest) {
    const eq = token.indexOf('=');
    if (eq <= 0)
      refuse(
        `has ${show(token)} in line ${show(line)}: give one preset per line, ` +
          'its parameters as key=value (several values separated by commas).',
      );
    const key = token.slice(0, eq);
    if (key in params) refuse(`gives ${show(key)} twice in line ${show(line)}.`);
    params[key] = token
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return { name: name!, params };
}

/** A manifest's `presets`: a list (or one item) of names and `{name, <param>: value|list}` objects. */
export function presetItems(value: unknown): PresetRequest[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    const at = `item ${i + 1}`;
    if (typeof item === 'string') return presetLine(item.trim());
    if (!item || typeof item !== 'object' || Array.isArray(item))
      return refuse(`${at} must be a preset name or an object {name, <parameter>: value or list}.`);
    const { name, ...rest } = item as Record<string, unknown>;
    if (typeof name !== 'string' || !name.trim()) return refuse(`${at} must have a "name" (the preset's name).`);
    const params: Record<string, string[]> = {};
    for (const [key, v] of Object.entries(rest)) {
      const list = Array.isArray(v) ? v : [v];
      // Booleans and numbers as the manifest wrote them (`ipv6: true`); anything else is not a parameter value.
      const ok = list.every((x) => ['string', 'boolean', 'number'].includes(typeof x) || isScalar(x));
      if (!ok || list.length === 0)
        refuse(`${at} ("${name}") has ${show(key)} that is not a value or a list of values.`);
      params[key] = list.map((x) => String(x).trim()).filter(Boolean);
    }
    return { name: name.trim(), params };
  });
}

/** A YAML scalar the manifest reader kept as written (a number or boolean, with its source text). */
const isScalar = (x: unknown) => !!x && typeof x === 'object' && 'source' in x && 'type' in x;

/** Where the binding is, as far as its inputs are valid (what a preset's size depends on, besides the account). */
export interface PresetPlace {
  partition: Partition | undefined;
  region: string | undefined;
  clusterName: string | undefined;
}

/**
 * Each request checked (its preset's data says what it takes), each preset once, ARNs in the region's partition,
 * and, where the binding's place is known, each made document within IAM's size in that place.
 */
export function checkPresets(requests: readonly PresetRequest[], place: PresetPlace): PresetRequest[] {
  const { partition, region, clusterName } = place;
  const seen = new Set<string>();
  for (const req of requests) {
    for (const [key, values] of Object.entries(req.params))
      for (const value of values) {
        const given = value.split(':')[1];
        if (partition && value.startsWith('arn:') && given !== partition)
          refuse(
            `is refused: "${req.name}": "${key}" value ${show(value)} is in partition "${given}", ` +
              `but the region is in "${partition}".`,
          );
      }
    const problem = checkPresetRequest(req);
    if (problem) refuse(`is refused: ${problem.replace(/\.?$/, '.')}`);
    if (seen.has(req.name)) refuse(`names preset "${req.name}" twice: give it once, with all its parameters.`);
    seen.add(req.name);
    const tooLarge =
      partition && region && clusterName
        ? checkPresetFor(req, { partition, region, clusterName, accountId: ANY_ACCOUNT })
        : undefined;
    if (tooLarge) refuse(`is refused: ${tooLarge.replace(/\.?$/, '.')}`);
  }
  return [...requests];
}

/** An account number no real account has: two bindings of one role are compared in it (theirs is the same). */
const ANY_ACCOUNT = '000000000000';

interface PresetUser {
  index: number | undefined;
  role: string;
  partition: Partition;
  region: string;
  clusterName: string;
  presets: readonly PresetRequest[];
  label: string;
}

/**
 * One role's policy `<role>-<preset>` has one document: two bindings of the role that give one preset with other
 * parameters, or in clusters the preset scopes differently, would undo each other. Other presets add up (union).
 */
export function presetConflicts(users: readonly PresetUser[]): InputError[] {
  const problems: InputError[] = [];
  const first = new Map<string, { user: PresetUser; expanded: ReturnType<typeof expandPreset> }>();
  for (const user of users)
    for (const req of user.presets) {
      const key = `${user.role.toLowerCase()}/${req.name}`;
      const expanded = expandPreset(req, { ...user, accountId: ANY_ACCOUNT });
      const seen = first.get(key);
      if (!seen) {
        first.set(key, { user, expanded });
        continue;
      }
      const sameArns =
        [...seen.expanded.awsManagedPolicyArns].sort().join() === [...expanded.awsManagedPolicyArns].sort().join();
      const sameDoc =
        !seen.expanded.document || !expanded.document
          ? seen.expanded.document === expanded.document
          : samePolicy(seen.expanded.document, expanded.document);
      if (!sameArns || !sameDoc)
        problems.push(
          new InputError(
            'presets',
            `gives role "${user.role}" preset "${req.name}" scoped otherwise than bindings[${seen.user.index}] does ` +
              `(other parameters, or another cluster or region): the role has one policy ${user.role}-${req.name}, ` +
              'so give the same parameters, or bind the other one to its own role.',
            user.label,
          ),
        );
    }
  return problems;
}
