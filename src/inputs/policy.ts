// The policy-document inputs (`inline-policy`, `session-policy`, `managed-policy`): a JSON identity policy, or file://path to one.
import { readFileSync } from 'node:fs';
import type { PolicyDocument } from './config.js';
import { InputError } from './validate.js';

/** IAM's limit on the aggregate size of a role's inline policies, whitespace excluded. */
const MAX_INLINE_POLICY_CHARS = 10240;

/** EKS's limit on an association's session policy. */
const MAX_SESSION_POLICY_CHARS = 2048;

/** IAM's limit on a customer-managed policy document, whitespace excluded. */
const MAX_MANAGED_POLICY_CHARS = 6144;

type DocumentInput = 'inline-policy' | 'session-policy' | 'managed-policy';

const failing =
  (input: DocumentInput) =>
  (detail: string): never => {
    throw new InputError(input, detail);
  };

const defaultRead = (p: string) => readFileSync(p, 'utf8');

export const inlinePolicy = (raw: string, readFile = defaultRead) =>
  policyDocument('inline-policy', raw, readFile, MAX_INLINE_POLICY_CHARS, 'IAM');

export const sessionPolicy = (raw: string, readFile = defaultRead) =>
  policyDocument('session-policy', raw, readFile, MAX_SESSION_POLICY_CHARS, 'EKS');

export const managedPolicy = (raw: string, readFile = defaultRead) =>
  policyDocument('managed-policy', raw, readFile, MAX_MANAGED_POLICY_CHARS, 'IAM');

function policyDocument(
  input: DocumentInput,
  raw: string,
  readFile: (path: string) => string,
  maxChars: number,
  service: string,
): PolicyDocument {
  const fail = failing(input);
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
  return checkIdentityPolicy(doc, fail, maxChars, service);
}

function checkIdentityPolicy(
  doc: unknown,
  fail: (detail: string) => never,
  maxChars: number,
  service: string,
): PolicyDocument {
  if (!isObject(doc)) return fail('must be a JSON object with a "Statement".');
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17')
    fail(`has Version ${JSON.stringify(doc.Version)}; use "2012-10-17".`);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (doc.Statement === undefined || statements.length === 0) fail('must have at least one "Statement".');
  statements.forEach((s, i) => checkStatement(s, i + 1, fail));
  if (JSON.stringify(doc).length > maxChars)
    fail(`is ${JSON.stringify(doc).length} characters without whitespace; ${service} allows ${maxChars}.`);
  return doc as PolicyDocument;
}

function checkStatement(s: unknown, n: number, fail: (detail: string) => never): void {
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
