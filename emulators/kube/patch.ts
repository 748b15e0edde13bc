// The three patch formats of the Kubernetes API, applied to plain JSON.
import { badRequest, patchRejected } from './errors.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// Objects are plain JSON; a JSON round trip is several times faster than structuredClone here.
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else (lists too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

// Strategic merge patch. The real server reads patchStrategy/patchMergeKey tags from the Go types; these are the
// list fields of the objects served here that merge instead of replace (keyed by field name, which is unambiguous
// for these kinds). Lists of primitives marked "merge" (finalizers) are unions.
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  secrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  resourceClaims: 'name',
  schedulingGates: 'name',
  topologySpreadConstraints: 'topologyKey',
};
const PRIMITIVE_MERGE = new Set(['finalizers']);

/**
 * Applies an application/strategic-merge-patch+json body (maps merge, keyed
 * lists merge, $patch/$retainKeys directives).
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const directive = patch.$patch;
  if (directive === 'replace') {
    const p = clone(patch);
    delete p.$patch;
    return stripDirectives(p);
  }
  if (directive === 'delete') return undefined;
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = out[f].filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      const merged = mergeList(k, out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    const merged = strategicMerge(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged as Json;
  }
  // $retainKeys (sent by kubectl apply for union fields like strategy/volumes): drop keys not listed.
  if (Array.isArray(patch.$retainKeys))
    for (const key of Object.keys(out)) if (!patch.$retainKeys.includes(key)) delete out[key];
  const order = Object.entries(patch).filter(([key]) => key.startsWith('$setElementOrder/'));
  for (const [key, want] of order) reorder(out, key.slice('$setElementOrder/'.length), want);
  return out;
}

function mergeList(field: string, current: Json | undefined, patch: Json[]): Json[] | undefined {
  const key = MERGE_KEYS[field];
  const cur = Array.isArray(current) ? clone(current) : [];
  if (PRIMITIVE_MERGE.has(field)) return [...cur, ...patch.filter((x) => !cur.includes(x))];
  if (!key) return stripDirectives(clone(patch)) as Json[]; // no merge strategy: the list is replaced
  if (patch.some((p) => isObj(p) && p.$patch === 'replace'))
    return stripDirectives(patch.filter((p) => !(isObj(p) && p.$patch === 'replace'))) as Json[];
  for (const item of patch) {
    if (!isObj(item)) {
      // A scalar (or a nested list) where an object with the merge key belongs.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- String() is the wanted text, lists included
      const shown = String(item);
      throw badRequest(`unable to find api field in struct ${field} for the json field "${shown}"`);
    }
    const idx = cur.findIndex((c) => isObj(c) && c[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) cur.splice(idx, 1);
      continue;
    }
    if (idx >= 0) cur[idx] = strategicMerge(cur[idx], item) as Json;
    else cur.push(stripDirectives(clone(item)) as Json);
  }
  return cur;
}

function reorder(obj: Obj, field: string, want: Json) {
  const list = obj[field];
  const key = MERGE_KEYS[field];
  if (!Array.isArray(list) || !Array.isArray(want)) return;
  const id = (x: Json) => (key && isObj(x) ? x[key] : x);
  const wanted = want.map((w) => id(w));
  const pos = (x: Json) => {
    const i = wanted.indexOf(id(x));
    return i < 0 ? wanted.length : i;
  };
  obj[field] = [...list].sort((a, b) => pos(a) - pos(b));
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x) as Json;
  return out;
}

// RFC 6902 JSON patch. Error texts follow evanphx/json-patch (what the apiserver uses).
type Op = { op: string; path: string; value?: Json; from?: string };

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchRejected(`the path "${path}" must begin with '/'`);
  return path.slice(1).split('/').map(unescape);
}

function parentOf(doc: Json, parts: string[], opName: string, path: string): { parent: Obj | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (next === undefined || next === null)
      throw patchRejected(`${opName} operation does not apply: doc is missing path: "${path}": missing value`);
    cur = next;
  }
  if (!isObj(cur) && !Array.isArray(cur))
    throw patchRejected(`${opName} operation does not apply: doc is missing path: "${path}": missing value`);
  return { parent: cur, key: parts[parts.length - 1]! };
}

function getAt(doc: Json, path: string): Json | undefined {
  let cur: Json | undefined = doc;
  for (const p of pointer(path)) cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
  return cur;
}

function remove(doc: Json, path: string, opName = 'remove'): Json {
  const { parent, key } = parentOf(doc, pointer(path), opName, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length)
      throw patchRejected(`Unable to remove nonexistent key: ${key}: missing value`);
    return parent.splice(i, 1)[0]!;
  }
  if (!(key in parent)) throw patchRejected(`Unable to remove nonexistent key: ${key}: missing value`);
  const v = parent[key]!;
  delete parent[key];
  return v;
}

function add(doc: Json, path: string, value: Json, replace = false): Json {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts, replace ? 'replace' : 'add', path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length))
      throw patchRejected(`Unable to access invalid index: ${i}: invalid index referenced`);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !(key in parent))
      throw patchRejected(`replace operation does not apply: doc is missing key: ${path}: missing value`);
    parent[key] = value;
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(target) as Json;
  for (const o of ops as Op[]) {
    if (!isObj(o) || typeof o.path !== 'string') throw badRequest('invalid JSON patch operation');
    switch (o.op) {
      case 'add':
        doc = add(doc, o.path, clone(o.value ?? null));
        break;
      case 'replace':
        doc = add(doc, o.path, clone(o.value ?? null), true);
        break;
      case 'remove':
        remove(doc, o.path);
        break;
      case 'test':
        if (JSON.stringify(canonical(getAt(doc, o.path))) !== JSON.stringify(canonical(o.value)))
          throw patchRejected(`testing value ${o.path} failed: test failed`);
        break;
      case 'move': {
        const v = remove(doc, o.from ?? '', 'move');
        doc = add(doc, o.path, v);
        break;
      }
      case 'copy': {
        const v = getAt(doc, o.from ?? '');
        if (v === undefined)
          throw patchRejected(`copy operation does not apply: doc is missing from path: ${o.from}: missing value`);
        doc = add(doc, o.path, clone(v));
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${String(o.op)}`);
    }
  }
  return doc;
}

/** Key-order-independent form for `test` comparisons. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isObj(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical(v[k])]),
  );
}
