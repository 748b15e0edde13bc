// Server-side printing: `kubectl get` asks for `application/json;as=Table;g=meta.k8s.io;v=v1` and prints the
// columns the server chooses. These follow pkg/printers/internalversion/printers.go (priority 1 = `-o wide`).
import type { KubeObject } from './store.js';

type Col = [name: string, type: string, priority: number, cell: (o: KubeObject) => unknown];
type Json = Record<string, unknown>;
/** A meta.k8s.io/v1 Table, as `kubectl get` reads it. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: unknown;
  columnDefinitions: { name: string; type: string; format: string; description: string; priority: number }[];
  rows: { cells: unknown[]; object: unknown }[];
}

// Stored objects passed validation, but their fields are still `unknown`: read them through these, which treat a
// missing (or malformed) field as empty.
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
/** `k=v,k=v` for a label map (matchLabels, nodeSelector: string to string). */
const pairs = (v: unknown) =>
  Object.entries(obj(v) as Record<string, string>)
    .map(([k, val]) => `${k}=${val}`)
    .join(',');

/** duration.HumanDuration, as used for the Age column. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60),
    h = Math.floor(s / 3600),
    d = Math.floor(h / 24);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  return h < 24 * 365 * 8 && d % 365 ? `${y}y${d % 365}d` : `${y}y`;
}

const spec = (o: KubeObject) => obj(o.spec);
const status = (o: KubeObject) => obj(o.status);
const age: Col = [
  'Age',
  'string',
  0,
  (o) => humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp ?? '')),
];
const name: Col = ['Name', 'string', 0, (o) => o.metadata.name];
const containers = (o: KubeObject) => list(obj(obj(spec(o).template).spec).containers);
const wide: Col[] = [
  [
    'Containers',
    'string',
    1,
    (o) =>
      containers(o)
        .map((c) => c.name)
        .join(','),
  ],
  [
    'Images',
    'string',
    1,
    (o) =>
      containers(o)
        .map((c) => c.image)
        .join(','),
  ],
];
const selector: Col = ['Selector', 'string', 1, (o) => pairs(obj(spec(o).selector).matchLabels)];
const n = (v: unknown) => Number(v ?? 0);

const COLUMNS: Record<string, Col[]> = {
  namespaces: [name, ['Status', 'string', 0, (o) => status(o).phase ?? ''], age],
  serviceaccounts: [name, ['Secrets', 'integer', 0, (o) => ((o.secrets as unknown[]) ?? []).length], age],
  pods: [
    name,
    [
      'Ready',
      'string',
      0,
      (o) => {
        const cs = list(status(o).containerStatuses);
        return `${cs.filter((c) => c.ready).length}/${list(spec(o).containers).length}`;
      },
    ],
    ['Status', 'string', 0, (o) => (o.metadata.deletionTimestamp ? 'Terminating' : (status(o).phase ?? 'Pending'))],
    [
      'Restarts',
      'string',
      0,
      (o) => String(list(status(o).containerStatuses).reduce((a, c) => a + n(c.restartCount), 0)),
    ],
    age,
    ['IP', 'string', 1, (o) => status(o).podIP ?? '<none>'],
    ['Node', 'string', 1, (o) => spec(o).nodeName ?? '<none>'],
    ['Nominated Node', 'string', 1, () => '<none>'],
    ['Readiness Gates', 'string', 1, () => '<none>'],
  ],
  deployments: [
    name,
    ['Ready', 'string', 0, (o) => `${n(status(o).readyReplicas)}/${n(spec(o).replicas)}`],
    ['Up-to-date', 'integer', 0, (o) => n(status(o).updatedReplicas)],
    ['Available', 'integer', 0, (o) => n(status(o).availableReplicas)],
    age,
    ...wide,
    selector,
  ],
  replicasets: [
    name,
    ['Desired', 'integer', 0, (o) => n(spec(o).replicas)],
    ['Current', 'integer', 0, (o) => n(status(o).replicas)],
    ['Ready', 'integer', 0, (o) => n(status(o).readyReplicas)],
    age,
    ...wide,
    selector,
  ],
  statefulsets: [
    name,
    ['Ready', 'string', 0, (o) => `${n(status(o).readyReplicas)}/${n(spec(o).replicas)}`],
    age,
    ...wide,
  ],
  daemonsets: [
    name,
    ['Desired', 'integer', 0, (o) => n(status(o).desiredNumberScheduled)],
    ['Current', 'integer', 0, (o) => n(status(o).currentNumberScheduled)],
    ['Ready', 'integer', 0, (o) => n(status(o).numberReady)],
    ['Up-to-date', 'integer', 0, (o) => n(status(o).updatedNumberScheduled)],
    ['Available', 'integer', 0, (o) => n(status(o).numberAvailable)],
    ['Node Selector', 'string', 0, (o) => pairs(obj(obj(spec(o).template).spec).nodeSelector) || '<none>'],
    age,
    ...wide,
    selector,
  ],
  mutatingwebhookconfigurations: [
    name,
    ['Webhooks', 'integer', 0, (o) => ((o.webhooks as unknown[]) ?? []).length],
    age,
  ],
};

export const wantsTable = (accept: string | undefined) => /as=Table/.test(accept ?? '');
export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** Converts a get (one object) or list body into a meta.k8s.io/v1 Table. */
export function toTable(resource: string, result: unknown, includeObject: string | null): Table {
  const body = obj(result);
  const cols = COLUMNS[resource] ?? [name, age];
  const items = (body.items ?? [body]) as KubeObject[];
  const object = (o: KubeObject) =>
    includeObject === 'Object'
      ? o
      : includeObject === 'None'
        ? undefined
        : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: body.items ? body.metadata : { resourceVersion: obj(body.metadata).resourceVersion },
    columnDefinitions: cols.map(([n, type, priority]) => ({
      name: n,
      type,
      format: n === 'Name' ? 'name' : '',
      description: '',
      priority,
    })),
    rows: items.map((o) => ({ cells: cols.map(([, , , cell]) => cell(o)), object: object(o) })),
  };
}
