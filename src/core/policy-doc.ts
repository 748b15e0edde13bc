// Policy documents compared by meaning, not by text: IAM returns them URL-encoded, reorders keys,
// and lets a single value be written as a string or a one-element array.
import type { PolicyDocument } from '../inputs/config.js';

export type Statement = Record<string, unknown>;

/** Parses a policy as IAM returns it (URL-encoded JSON), as JSON text, or passes an object through. */
export function parsePolicy(doc: string | PolicyDocument): PolicyDocument {
  if (typeof doc !== 'string') return doc;
  const text = doc.trimStart().startsWith('{') ? doc : decodeURIComponent(doc);
  return JSON.parse(text) as PolicyDocument;
}

export function statementsOf(doc: PolicyDocument): Statement[] {
  const s = doc.Statement;
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]) as Statement[];
}

/** A string or list of strings as a sorted, de-duplicated list. */
export function asList(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return [...new Set(list.map(String))].sort();
}

/**
 * Canonical form: statements in a stable order, Sid kept, every string-or-list as a sorted list,
 * object keys sorted. Two documents mean the same when their canonical forms are equal.
 */
export function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value) || (typeof value === 'string' && LIST_KEYS.has(key))) {
    const items = (Array.isArray(value) ? value : [value]).map((v) => canonical(v));
    const unique = new Map(items.map((v) => [JSON.stringify(v), v]));
    return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Record<string, unknown>)[k], k);
    return out;
  }
  return value;
}

// Keys whose value may be a string or a list with the same meaning. Condition values and
// principals are handled by the generic rule: inside a Condition operator and a Principal every
// value is a string-or-list, so canonical() lists them all.
const LIST_KEYS = new Set(['Statement', 'Action', 'NotAction', 'Resource', 'NotResource']);

function canonicalDoc(doc: PolicyDocument): unknown {
  const statements = statementsOf(doc).map((s) => {
    const c = canonical(s) as Record<string, unknown>;
    if (s.Principal && typeof s.Principal === 'object')
      c.Principal = listValues(s.Principal as Record<string, unknown>);
    if (s.NotPrincipal && typeof s.NotPrincipal === 'object')
      c.NotPrincipal = listValues(s.NotPrincipal as Record<string, unknown>);
    if (s.Condition && typeof s.Condition === 'object') {
      const cond: Record<string, unknown> = {};
      for (const [op, kv] of Object.entries(s.Condition as Record<string, unknown>))
        cond[op] = kv && typeof kv === 'object' ? listValues(kv as Record<string, unknown>) : kv;
      c.Condition = canonical(cond);
    }
    return c;
  });
  return canonical({ ...doc, Version: doc.Version ?? '2008-10-17', Statement: statements });
}

function listValues(o: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asList(v)]));
}

export function samePolicy(a: string | PolicyDocument, b: string | PolicyDocument): boolean {
  return JSON.stringify(canonicalDoc(parsePolicy(a))) === JSON.stringify(canonicalDoc(parsePolicy(b)));
}
