// The smallest OpenAPI v3 that keeps `kubectl apply/create -f` happy. kubectl (--validate=strict, the default)
// asks /openapi/v3 whether each kind's PATCH endpoint takes the `fieldValidation` query parameter and, if so,
// leaves validation to the server; without the document it fails with "failed to download openapi".
// No component schemas are served, so kubectl apply computes strategic merge patches from its built-in types.
// (The emulator itself accepts unknown fields: it does not implement strict field validation.)
import { RESOURCES, VERSION } from './resources.js';

const HASH = `EMULATOR${'0'.repeat(118)}`;
const gvPath = (group: string) => (group ? `apis/${group}/v1` : 'api/v1');

export function openapiRoot() {
  const groups = [...new Set(RESOURCES.map((r) => r.group))];
  return {
    paths: Object.fromEntries(
      groups.map((g) => [gvPath(g), { serverRelativeURL: `/openapi/v3/${gvPath(g)}?hash=${HASH}` }]),
    ),
  };
}

/** Document for "api/v1" or "apis/apps/v1"; undefined for other paths. */
export function openapiGroupVersion(path: string) {
  const defs = RESOURCES.filter((r) => gvPath(r.group) === path);
  if (!defs.length) return undefined;
  const param = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  const paths = Object.fromEntries(
    defs.map((r) => {
      const base = `/${path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
      const gvk = { group: r.group, version: 'v1', kind: r.kind };
      const op = (action: string) => ({
        'x-kubernetes-action': action,
        'x-kubernetes-group-version-kind': gvk,
        parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')],
        responses: { '200': { description: 'OK' } },
      });
      return [base, { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') }];
    }),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}
