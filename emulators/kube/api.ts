// URL → (resource, namespace, name, verb) as the apiserver's request-info resolver does, and the REST handlers.
import { openapiGroupVersion, openapiRoot } from './openapi.js';
import { decodeProtobuf } from './protobuf.js';
import { badRequest, methodNotAllowed, pageNotFound, unsupportedMediaType } from './errors.js';
import {
  RESOURCES,
  VERSION,
  apiGroup,
  apiGroupList,
  apiVersionOf,
  apiVersions,
  findResource,
  resourceList,
  type ResourceDef,
} from './resources.js';
import type { KubeObject, Store } from './store.js';

export interface RequestInfo {
  isResource: boolean;
  /** Kubernetes verb: get list watch create update patch delete deletecollection (or the lower-case HTTP method). */
  verb: string;
  def?: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const VERB_BY_METHOD: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  const nonResource = { isResource: false, verb: method.toLowerCase() };
  let group: string, rest: string[];
  if (segs[0] === 'api' && segs[1] === 'v1') {
    group = '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 3) {
    group = segs[1]!;
    rest = segs.slice(3);
    if (segs[2] !== 'v1') return nonResource;
  } else return nonResource;
  if (rest.length === 0) return nonResource;
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}/... is namespaced unless {resource} is a namespace subresource (status, finalize).
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const def = findResource(group, rest[0]!);
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  const collection = rest.length === 1;
  let verb = VERB_BY_METHOD[method] ?? (collection ? (watch ? 'watch' : 'list') : watch ? 'watch' : 'get');
  if (method === 'DELETE' && collection) verb = 'deletecollection';
  return {
    isResource: true,
    verb,
    ...(def ? { def } : {}),
    ...(namespace ? { namespace } : {}),
    ...(rest[1] ? { name: rest[1] } : {}),
    ...(rest[2] ? { subresource: rest[2] } : {}),
  };
}

/** Discovery and health documents; undefined when the path is not one of them. */
export function discovery(path: string, hostPort: string): { status: number; body: unknown } | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  const docs: Record<string, () => unknown> = {
    '/version': () => VERSION,
    '/api': () => apiVersions(hostPort),
    '/api/v1': () => resourceList(''),
    '/apis': () => apiGroupList(),
  };
  const doc = docs[p];
  if (doc) return { status: 200, body: doc() };
  const m = /^\/apis\/([^/]+)(\/v1)?$/.exec(p);
  const group = m && apiGroup(m[1]!);
  if (group) return { status: 200, body: m[2] ? resourceList(m[1]!) : group };
  if (p === '/openapi/v3') return { status: 200, body: openapiRoot() };
  const gv = p.startsWith('/openapi/v3/') ? openapiGroupVersion(p.slice('/openapi/v3/'.length)) : undefined;
  return gv ? { status: 200, body: gv } : undefined;
}

const JSON_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const listKind = (def: ResourceDef) => `${def.kind}List`;

/** JSON, or the protobuf that kubectl's typed commands send (see protobuf.ts). */
export function parseBody(raw: Buffer, contentType: string): unknown {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobuf(raw);
  if (type && type !== 'application/json' && type !== '*/*') throw unsupportedMediaType(JSON_TYPES);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

/** Handles one resource request (not watch) and returns the HTTP status and body. */
export function handle(
  store: Store,
  info: RequestInfo,
  method: string,
  query: URLSearchParams,
  raw: Buffer,
  contentType: string,
): { status: number; body: unknown } {
  const { def, namespace: ns, name, subresource, verb } = info;
  if (!def) throw pageNotFound();
  if (def.namespaced && name && !ns) throw pageNotFound(); // /api/v1/serviceaccounts/foo is not a route
  if (!def.namespaced && ns) throw pageNotFound();
  if (subresource && !(subresource === 'status' && def.statusOwned)) throw pageNotFound();
  const dryRun = query.getAll('dryRun').includes('All');
  switch (verb) {
    case 'list': {
      if (method !== 'GET') throw methodNotAllowed();
      const limit = Number(query.get('limit') ?? 0) || undefined;
      const page = store.list(def, ns, {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
        limit,
        continue: query.get('continue'),
      });
      // Items in a List carry no kind/apiVersion on the wire, as from the real server.
      const items = page.items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
      const metadata = {
        resourceVersion: store.resourceVersion,
        ...(page.continue ? { continue: page.continue, remainingItemCount: page.remaining } : {}),
      };
      return { status: 200, body: { kind: listKind(def), apiVersion: apiVersionOf(def), metadata, items } };
    }
    case 'get':
      return { status: 200, body: store.mustGet(def, ns, name!) };
    case 'create': {
      if (name) throw methodNotAllowed();
      if (def.namespaced && !ns)
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      return { status: dryRun ? 200 : 201, body: store.create(def, ns, parseBody(raw, contentType), { dryRun }) };
    }
    case 'update':
      return {
        status: 200,
        body: store.update(def, ns, name!, parseBody(raw, contentType), {
          dryRun,
          ...(subresource ? { subresource } : {}),
        }),
      };
    case 'patch': {
      const applying = contentType.startsWith('application/apply-patch') && !store.get(def, ns, name!);
      const body = store.patch(def, ns, name!, contentType, raw.toString('utf8'), {
        dryRun,
        ...(subresource ? { subresource } : {}),
      });
      return { status: applying ? 201 : 200, body };
    }
    case 'delete': {
      let opts: unknown = {};
      if (raw.length) opts = parseBody(raw, contentType || 'application/json');
      const propagation = query.get('propagationPolicy');
      if (propagation) opts = { ...(opts as object), propagationPolicy: propagation };
      const body = store.delete(def, ns, name!, { dryRun, body: opts });
      return { status: 200, body };
    }
    case 'deletecollection': {
      const { items } = store.list(def, ns, {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
      });
      // An item may already be gone (garbage-collected with an earlier one).
      if (!dryRun)
        for (const o of items)
          if (store.get(def, o.metadata.namespace, o.metadata.name))
            store.delete(def, o.metadata.namespace, o.metadata.name);
      return {
        status: 200,
        body: {
          kind: listKind(def),
          apiVersion: apiVersionOf(def),
          metadata: { resourceVersion: store.resourceVersion },
          items,
        },
      };
    }
    default:
      throw methodNotAllowed();
  }
}

/** The resource of an object given to `seed` (by kind and apiVersion). */
export function defForObject(obj: KubeObject): ResourceDef {
  const def = RESOURCES.find((r) => r.kind === obj.kind && (!obj.apiVersion || apiVersionOf(r) === obj.apiVersion));
  if (!def) throw new Error(`seed: the emulator does not serve ${obj.apiVersion}/${obj.kind}`);
  return def;
}
