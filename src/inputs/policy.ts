// The `inline-policy` input: a JSON identity policy, or file://path to one.
import { readFileSync } from 'node:fs';
import type { PolicyDocument } from './config.js';
import { InputError } from './validate.js';

/** IAM's limit on the aggregate size of a role's inline policies, whitespace excluded. */
const MAX_INLINE_POLICY_CHARS = 10240;

const fail = (detail: string): never => {
  throw new InputError('inline-policy', detail);
};

export function inlinePolicy(raw: string, readFile = (p: string) => readFileSync(p, 'utf8')): PolicyDocument {
  let text = raw.trim();
  if (text.startsWith('file://')) {
    const path = text.slice('file://'.length);
    try {
      text = readFile(path);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      fail(`points at ${JSON.stringify(path)}, which cannot be read (${why}).`);
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`is not valid JSON (${(e as Error).message}).`);
  }
  return checkIdentityPolicy(doc);
}

function checkIdentityPolicy(doc: unknown): PolicyDocument {
  if (!isObject(doc)) return fail('must be a JSON object with a "Statement".');
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17')
    fail(`has Version ${JSON.stringify(doc.Version)}; use "2012-10-17".`);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (doc.Statement === undefined || statements.length === 0) fail('must have at least one "Statement".');
  statements.forEach((s, i) => checkStatement(s, i + 1));
  if (JSON.stringify(doc).length > MAX_INLINE_POLICY_CHARS)
    fail(`is ${JSON.stringify(doc).length} characters without whitespace; IAM allows ${MAX_INLINE_POLICY_CHARS}.`);
  return doc as PolicyDocument;
}

function checkStatement(s: unknown, n: number): void {
  if (!isObject(s)) return fail(`statement ${n} must be a JSON object.`);
  if ('Principal' in s || 'NotPrincipal' in s)
    fail(`statement ${n} has a Principal: that is a trust (resource) policy; give a permissions policy for the role.`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail(`statement ${n} must have "Effect": "Allow" or "Deny".`);
  if ('Action' in s === 'NotAction' in s) fail(`statement ${n} must have exactly one of "Action" or "NotAction".`);
  if ('Resource' in s === 'NotResource' in s)
    fail(`statement ${n} must have exactly one of "Resource" or "NotResource".`);
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const)
    if (key in s && !isStringOrStrings(s[key])) fail(`statement ${n} "${key}" must be a string or a list of strings.`);
  if ('Condition' in s && !isObject(s.Condition)) fail(`statement ${n} "Condition" must be a JSON object.`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isStringOrStrings = (v: unknown) =>
  typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));
