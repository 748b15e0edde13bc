// A preset data file checked against the PresetData shape when it is loaded: a malformed file throws, naming the
// file and the field, so the tests that load the catalog fail instead of a user's run doing something odd.
import type { PresetData, PresetDocument, PresetParameter } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const PARAM_NAME = /^[a-z][a-z0-9-]*$/;

export function asPresetData(file: string, json: unknown): PresetData {
  const fail = (what: string): never => {
    throw new Error(`preset data ${file}: ${what}`);
  };
  if (!isObj(json)) return fail('not an object');
  for (const key of ['name', 'purpose'] as const) if (typeof json[key] !== 'string') fail(`"${key}" is not a string`);
  const up = json.upstream;
  if (!isObj(up) || !['project', 'version', 'source'].every((k) => typeof up[k] === 'string' && up[k] !== '')) {
    fail('"upstream" needs project, version and source');
  }
  if (!isObj(json.parameters)) fail('"parameters" is not an object');
  for (const [name, spec] of Object.entries(json.parameters as Obj)) {
    if (!PARAM_NAME.test(name) || !isParameter(spec)) fail(`parameter "${name}" is malformed`);
  }
  checkPolicies(json, '', fail);
  if (json.variants !== undefined) {
    if (!Array.isArray(json.variants)) fail('"variants" is not a list');
    (json.variants as unknown[]).forEach((v, i) => {
      if (!isObj(v) || !isObj(v.when)) return fail(`variants[${i}] needs "when"`);
      const params = json.parameters as Obj;
      const badWhen = Object.entries(v.when).find(
        ([k, want]) => !params[k] || (want !== 'given' && typeof want !== 'boolean'),
      );
      if (badWhen) fail(`variants[${i}].when names "${badWhen[0]}" wrongly`);
      checkPolicies(v, `variants[${i}].`, fail);
    });
  }
  return json as unknown as PresetData;
}

function checkPolicies(o: Obj, at: string, fail: (what: string) => never): void {
  if (o.awsManagedPolicies !== undefined && !isStrings(o.awsManagedPolicies)) {
    fail(`${at}awsManagedPolicies is not a list of ARNs`);
  }
  if (o.document !== undefined && !isDocument(o.document)) fail(`${at}document is not a policy document`);
  if (o.awsManagedPolicies === undefined && o.document === undefined && at === '') {
    fail('neither awsManagedPolicies nor document');
  }
}

function isParameter(v: unknown): v is PresetParameter {
  if (!isObj(v) || typeof v.description !== 'string' || typeof v.required !== 'boolean') return false;
  if (v.kind === 'boolean') return v.required === false && typeof v.default === 'boolean';
  if (v.kind !== 'arn-list' || typeof v.service !== 'string' || typeof v.resource !== 'string') return false;
  return v.default === undefined || (isStrings(v.default) && v.default.length > 0);
}

function isDocument(v: unknown): v is PresetDocument {
  if (!isObj(v) || v.Version !== '2012-10-17' || !Array.isArray(v.Statement) || v.Statement.length === 0) return false;
  return v.Statement.every(
    (s) =>
      isObj(s) &&
      (s.Effect === 'Allow' || s.Effect === 'Deny') &&
      (s.Action !== undefined || s.NotAction !== undefined) &&
      (s.Resource !== undefined || s.NotResource !== undefined) &&
      (s.ifParam === undefined || typeof s.ifParam === 'string'),
  );
}
