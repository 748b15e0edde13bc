// labelSelector / fieldSelector query parameters, with the syntax of k8s.io/apimachinery/pkg/labels:
//   a=b  a==b  a!=b  a in (x,y)  a notin (x)  a  !a   (comma = AND; a space-free "in(" also parses)
import { badRequest } from './errors.js';
import type { KubeObject } from './store.js';

type Req = { key: string; op: 'in' | 'notin' | 'exists' | '!exists'; values: string[] };
export type Matcher = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0,
    cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function parseTerm(term: string): Req {
  let m = /^!\s*([^\s=!(),]+)$/.exec(term);
  if (m) return { key: m[1]!, op: '!exists', values: [] };
  m = /^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) };
  m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
  if (m) return { key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] };
  m = /^([^\s=!(),]+)$/.exec(term);
  if (m) return { key: m[1]!, op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${term}', expected: identifier`);
}

export function labelMatcher(selector: string | null | undefined): Matcher {
  if (!selector) return () => true;
  const reqs = splitTerms(selector).map(parseTerm);
  return (labels) =>
    reqs.every(({ key, op, values }) => {
      const has = Object.prototype.hasOwnProperty.call(labels, key);
      switch (op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case 'in':
          return has && values.includes(labels[key]!);
        case 'notin':
          return !has || !values.includes(labels[key]!); // a!=b also matches objects without a
      }
    });
}

/** Matches a workload's spec.selector (matchLabels + matchExpressions) against labels. */
export function selectorMatches(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      }
    | undefined,
  labels: Record<string, string>,
): boolean {
  if (!sel) return false;
  const ml = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const me = (sel.matchExpressions ?? []).every((e) => {
    const has = k(labels, e.key);
    if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key]!);
    if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(labels[e.key]!);
    if (e.operator === 'Exists') return has;
    return !has; // DoesNotExist
  });
  return ml && me;
}
const k = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** Field selectors the real server supports for each resource (a subset: what this project needs). */
const FIELDS: Record<string, Record<string, (o: KubeObject) => string | undefined>> = {
  common: { 'metadata.name': (o) => o.metadata.name, 'metadata.namespace': (o) => o.metadata.namespace ?? '' },
  pods: {
    'spec.serviceAccountName': (o) => (o.spec?.serviceAccountName as string | undefined) ?? '',
    'spec.nodeName': (o) => (o.spec?.nodeName as string | undefined) ?? '',
    'status.phase': (o) => (o.status?.phase as string | undefined) ?? '',
  },
  namespaces: { 'status.phase': (o) => (o.status?.phase as string | undefined) ?? '' },
};

export function fieldMatcher(resource: string, selector: string | null | undefined): (o: KubeObject) => boolean {
  if (!selector) return () => true;
  const fields = { ...FIELDS.common, ...(FIELDS[resource] ?? {}) };
  const reqs = splitTerms(selector).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const get = fields[m[1]!];
    if (!get) throw badRequest(`field label not supported: ${m[1]}`);
    return { get, neg: m[2] === '!=', value: m[3]! };
  });
  return (o) => reqs.every(({ get, neg, value }) => (get(o) === value) !== neg);
}
