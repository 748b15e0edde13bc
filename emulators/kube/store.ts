// In-memory object store with the bookkeeping of the real apiserver: uid, a global resourceVersion counter,
// creationTimestamp, generation, optimistic concurrency, no-op writes that do not bump resourceVersion,
// garbage collection of owned objects, and controller hooks (see controllers.ts).
import { randomUUID } from 'node:crypto';
import {
  KubeError,
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  qualified,
  success,
  unsupportedMediaType,
  type StatusCause,
} from './errors.js';
import { applyDefaults } from './defaults.js';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { RESOURCES, apiVersionOf, type ResourceDef } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import { validateMeta, validatePod, validateWebhooks, validateWorkload } from './validate.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [k: string]: unknown;
}
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent {
  type: EventType;
  def: ResourceDef;
  object: KubeObject;
}
export interface WriteOptions {
  dryRun?: boolean;
}
export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];
// Objects are plain JSON; a JSON round trip is several times faster than structuredClone here.
export const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
/** Stored objects are frozen and handed out without copying (controllers read a lot); writers build new objects. */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
const now = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'; // what apiserver uses for generateName suffixes
export const randomSuffix = (n = 5) =>
  Array.from({ length: n }, () => NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)]).join('');
const nsDef = RESOURCES.find((r) => r.resource === 'namespaces')!;

export class Store {
  private objects = new Map<string, KubeObject>();
  private counter = 0;
  private listeners = new Set<(e: WatchEvent) => void>();
  /** Called after every committed change; controllers react here (synchronously). */
  afterWrite: (e: WatchEvent) => void = () => {};
  /** Mutating admission for creates (defaults, service-account check, EKS webhook); may throw a KubeError. */
  admit: (def: ResourceDef, obj: KubeObject) => void = () => {};

  get resourceVersion(): string {
    return String(this.counter);
  }
  subscribe(fn: (e: WatchEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private key = (def: ResourceDef, ns: string | undefined, name: string) =>
    `${def.group}/${def.resource}/${def.namespaced ? (ns ?? '') : ''}/${name}`;

  clear(): void {
    this.objects.clear();
  }

  /** The stored object itself (frozen): copy before changing it. */
  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(this.key(def, ns, name));
  }

  mustGet(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const o = this.get(def, ns, name);
    if (!o) throw notFound(def.resource, def.group, name);
    return o;
  }

  /** Items sorted as etcd returns them (namespace, then name); `continue` is an opaque key token. */
  list(
    def: ResourceDef,
    ns?: string,
    opts: ListOptions = {},
  ): { items: KubeObject[]; continue?: string; remaining?: number } {
    const prefix = `${def.group}/${def.resource}/${def.namespaced && ns ? `${ns}/` : ''}`;
    const byLabel = labelMatcher(opts.labelSelector);
    const byField = fieldMatcher(def.resource, opts.fieldSelector);
    let after = '';
    if (opts.continue) {
      try {
        after = (JSON.parse(Buffer.from(opts.continue, 'base64').toString()) as { start: string }).start;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
    }
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const matched = keys.map((k) => this.objects.get(k)!).filter((o) => byLabel(o.metadata.labels ?? {}) && byField(o));
    if (!opts.limit || matched.length <= opts.limit) return { items: matched };
    const page = matched.slice(0, opts.limit);
    const last = page[page.length - 1]!;
    const token = Buffer.from(
      JSON.stringify({
        v: 'meta.k8s.io/v1',
        rv: this.counter,
        start: this.key(def, last.metadata.namespace, last.metadata.name),
      }),
    ).toString('base64');
    return { items: page, continue: token, remaining: matched.length - page.length };
  }

  create(def: ResourceDef, ns: string | undefined, body: unknown, opts: WriteOptions = {}): KubeObject {
    const obj = this.decode(def, body);
    const m = obj.metadata;
    if (def.namespaced) {
      if (m.namespace && m.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      m.namespace = ns;
      if (!this.get(nsDef, undefined, ns!)) throw notFound('namespaces', '', ns!);
    } else delete m.namespace;
    if (!m.name && m.generateName) m.name = m.generateName + randomSuffix();
    if (m.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'generation']) delete m[f];
    if (def.statusOwned) obj.status = def.resource === 'namespaces' ? { phase: 'Active' } : {};
    applyDefaults(def, obj);
    this.admit(def, obj); // mutating admission runs before validation and storage, as in the apiserver
    this.validate(def, obj);
    if (this.get(def, ns, m.name)) throw alreadyExists(def.resource, def.group, m.name);
    return opts.dryRun ? this.stamp(def, obj, undefined, true) : this.commit(def, obj, undefined);
  }

  /** PUT semantics: metadata.resourceVersion, when given, must be current (optimistic concurrency). */
  update(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions & { subresource?: string } = {},
  ): KubeObject {
    const obj = this.decode(def, body);
    if (obj.metadata.name !== name)
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    if (def.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const cur = this.mustGet(def, ns, name);
    return this.write(def, cur, obj, opts);
  }

  patch(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    contentType: string,
    patchBody: string,
    opts: WriteOptions & { subresource?: string } = {},
  ): KubeObject {
    const type = contentType.split(';')[0]!.trim().toLowerCase();
    if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(PATCH_TYPES);
    let p: unknown;
    try {
      p = JSON.parse(patchBody);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const cur = this.get(def, ns, name);
    // Server-side apply creates.
    if (!cur && type === 'application/apply-patch+yaml') return this.create(def, ns, p, opts);
    if (!cur) throw notFound(def.resource, def.group, name);
    const patched =
      type === 'application/json-patch+json'
        ? jsonPatch(cur, p)
        : type === 'application/merge-patch+json'
          ? mergePatch(cur, p)
          : strategicMerge(cur, p); // apply-patch: approximated by a strategic merge (no field managers)
    return this.write(def, cur, this.decode(def, patched), opts);
  }

  private write(
    def: ResourceDef,
    cur: KubeObject,
    next: KubeObject,
    opts: WriteOptions & { subresource?: string },
  ): KubeObject {
    const m = next.metadata;
    const name = cur.metadata.name;
    if (m.resourceVersion && m.resourceVersion !== cur.metadata.resourceVersion)
      throw conflict(def.resource, def.group, name);
    // Fields the server owns are carried over whatever the client sent.
    m.name = name;
    m.uid = cur.metadata.uid;
    m.creationTimestamp = cur.metadata.creationTimestamp;
    if (def.namespaced) m.namespace = cur.metadata.namespace;
    else delete m.namespace;
    if (cur.metadata.generation !== undefined) m.generation = cur.metadata.generation;
    if (cur.metadata.deletionTimestamp) m.deletionTimestamp = cur.metadata.deletionTimestamp;
    if (opts.subresource === 'status') next = { ...cur, metadata: { ...cur.metadata }, status: next.status ?? {} };
    else if (def.statusOwned) next.status = cur.status;
    if (opts.subresource !== 'status') applyDefaults(def, next);
    this.validate(def, next, cur);
    if (def.generation && !same(next.spec ?? {}, cur.spec ?? {}))
      next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    // No-op: the real server does not bump resourceVersion.
    if (sameObject(next, cur)) return this.stamp(def, cur, cur, true);
    return opts.dryRun ? this.stamp(def, next, cur, true) : this.commit(def, next, cur);
  }

  /** Deletes with garbage collection of dependents (background propagation) unless propagationPolicy=Orphan. */
  delete(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    opts: WriteOptions & { body?: unknown } = {},
  ): unknown {
    const cur = this.mustGet(def, ns, name);
    const body = (opts.body ?? {}) as {
      preconditions?: { uid?: string; resourceVersion?: string };
      propagationPolicy?: string;
    };
    const pre = body.preconditions ?? {};
    // storage.Preconditions.Check, turned into a 409 Conflict by the registry (NewConflict wraps the storage error).
    const failed = (detail: string) =>
      new KubeError({
        ...conflict(def.resource, def.group, name).status,
        message:
          `Operation cannot be fulfilled on ${qualified(def.resource, def.group)} "${name}": ` +
          `Precondition failed: ${detail}`,
      });
    if (pre.uid && pre.uid !== cur.metadata.uid)
      throw failed(`UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
    if (pre.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion)
      throw failed(
        `ResourceVersion in precondition: ${pre.resourceVersion}, ` +
          `ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
      );
    // As registered in the apiserver (ReturnDeletedObject): ServiceAccounts come back as they were, pods and
    // namespaces as being deleted (graceful deletion / Terminating), everything else as a Status.
    const deleting = def.resource === 'pods' || def.resource === 'namespaces';
    const reply =
      def.resource === 'serviceaccounts'
        ? cur
        : deleting
          ? {
              ...cur,
              metadata: {
                ...cur.metadata,
                deletionTimestamp: now(),
                ...(def.resource === 'pods' ? { deletionGracePeriodSeconds: 30 } : {}),
              },
              ...(def.resource === 'namespaces' ? { status: { phase: 'Terminating' } } : {}),
            }
          : success(def.resource, def.group, name, cur.metadata.uid!);
    if (opts.dryRun) return reply;
    this.remove(def, cur, body.propagationPolicy === 'Orphan');
    return reply;
  }

  /** Removal used by delete, namespace deletion and controllers. */
  remove(def: ResourceDef, obj: KubeObject, orphan = false): void {
    const k = this.key(def, obj.metadata.namespace, obj.metadata.name);
    const cur = this.objects.get(k);
    if (!cur) return;
    this.objects.delete(k);
    this.counter++;
    const gone = deepFreeze({ ...cur, metadata: { ...cur.metadata, resourceVersion: String(this.counter) } });
    this.emit({ type: 'DELETED', def, object: gone });
    for (const [dk, dep] of [...this.objects]) {
      const refs = dep.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === cur.metadata.uid)) continue;
      const depDef = RESOURCES.find((r) => dk.startsWith(`${r.group}/${r.resource}/`))!;
      if (orphan)
        this.put(depDef, {
          ...dep,
          metadata: { ...dep.metadata, ownerReferences: refs.filter((r) => r.uid !== cur.metadata.uid) },
        });
      else this.remove(depDef, dep);
    }
    if (def.resource === 'namespaces') {
      for (const [dk, dep] of [...this.objects]) {
        const depDef = RESOURCES.find((r) => dk.startsWith(`${r.group}/${r.resource}/`))!;
        if (depDef.namespaced && dep.metadata.namespace === obj.metadata.name) this.remove(depDef, dep);
      }
    }
  }

  /** Writes an object as a controller or a test seed would: no validation, bookkeeping filled in. */
  put(def: ResourceDef, obj: KubeObject): KubeObject {
    const cur = this.get(def, obj.metadata.namespace, obj.metadata.name);
    const next = clone(obj);
    if (cur) {
      next.metadata.uid ??= cur.metadata.uid;
      next.metadata.creationTimestamp ??= cur.metadata.creationTimestamp;
      next.metadata.resourceVersion = cur.metadata.resourceVersion;
      if (sameObject(next, cur)) return cur;
    }
    return this.commit(def, next, cur);
  }

  private commit(def: ResourceDef, obj: KubeObject, prev: KubeObject | undefined): KubeObject {
    this.counter++;
    const stored = deepFreeze(this.stamp(def, obj, prev, false));
    this.objects.set(this.key(def, stored.metadata.namespace, stored.metadata.name), stored);
    this.emit({ type: prev ? 'MODIFIED' : 'ADDED', def, object: stored });
    return stored;
  }

  /** Fills kind/apiVersion and metadata bookkeeping; `dry` keeps the current resourceVersion. */
  private stamp(def: ResourceDef, obj: KubeObject, prev: KubeObject | undefined, dry: boolean): KubeObject {
    const { metadata, ...rest } = obj; // shallow copies suffice: only these two levels are changed
    const meta: ObjectMeta = { ...metadata };
    meta.uid ??= randomUUID();
    if (!dry) meta.resourceVersion = String(this.counter);
    meta.creationTimestamp ??= prev?.metadata.creationTimestamp ?? now();
    if (def.generation) meta.generation ??= 1;
    delete rest.kind;
    delete rest.apiVersion;
    return { kind: def.kind, apiVersion: apiVersionOf(def), metadata: meta, ...rest };
  }

  private emit(e: WatchEvent): void {
    for (const l of this.listeners) l(e);
    this.afterWrite(e);
  }

  private decode(def: ResourceDef, body: unknown): KubeObject {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest(`Object '${def.kind}' is missing in '${JSON.stringify(body)}'`);
    const obj = clone(body) as KubeObject;
    if (obj.kind && obj.kind !== def.kind)
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
    if (obj.apiVersion && obj.apiVersion !== apiVersionOf(def))
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) ` +
          `does not match the expected API version (${apiVersionOf(def)})`,
      );
    obj.metadata = typeof obj.metadata === 'object' && obj.metadata !== null ? obj.metadata : ({} as ObjectMeta);
    return obj;
  }

  private validate(def: ResourceDef, obj: KubeObject, prev?: KubeObject): void {
    const causes: StatusCause[] = validateMeta(obj, def.resource === 'namespaces');
    if (def.group === 'apps') causes.push(...validateWorkload(obj));
    if (def.resource === 'pods') causes.push(...validatePod(obj));
    if (def.resource === 'mutatingwebhookconfigurations') causes.push(...validateWebhooks(obj));
    if (prev && def.group === 'apps' && JSON.stringify(obj.spec?.selector) !== JSON.stringify(prev.spec?.selector))
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(obj.spec?.selector)}: field is immutable`,
        field: 'spec.selector',
      });
    if (
      prev &&
      def.resource === 'pods' &&
      JSON.stringify(mutablePodSpec(obj.spec)) !== JSON.stringify(mutablePodSpec(prev.spec))
    )
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'spec',
        message: `Forbidden: pod updates may not change fields other than ${POD_UPDATABLE.join(',')}`,
      });
    if (causes.length) throw invalid(def.kind, def.group, obj.metadata.name ?? obj.metadata.generateName ?? '', causes);
  }
}

/** The fields a pod update may change, as ValidatePodUpdate lists them. */
const POD_UPDATABLE = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** Pod spec with the fields a pod update may change blanked out. */
function mutablePodSpec(spec: Record<string, unknown> | undefined) {
  const s = clone<Record<string, unknown>>(spec ?? {});
  for (const f of ['containers', 'initContainers']) {
    const list = s[f] as { image?: string }[] | undefined;
    if (Array.isArray(list)) s[f] = list.map((c) => ({ ...c, image: '' }));
  }
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  delete s.terminationGracePeriodSeconds;
  return s;
}

/** Deep equality that ignores key order (a merge patch may reorder keys without changing anything). */
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = ({ kind: _k, apiVersion: _a, ...rest }: KubeObject) => rest;
  return same(strip(a), strip(b));
}
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
  );
}
