// A preset's data made concrete for one binding: the variant its parameters select, its statements kept or dropped
// by their `ifParam` marker, its placeholders filled (see types.ts for the placeholder rules). Pure.
import type {
  ExpandedPreset,
  PresetContext,
  PresetData,
  PresetDocument,
  PresetRequest,
  PresetStatement,
} from './types.js';

/** The values of every parameter: the given ones, else the default (context placeholders filled). */
type Values = Record<string, string[]>;

/** IAM's size limit for a managed policy, counted without white space. */
export const MAX_POLICY_CHARS = 6144;
export const policyChars = (doc: PresetDocument) => JSON.stringify(doc).replace(/\s/g, '').length;

const PARAM = /^\$\{param:([a-z0-9-]+)\}(.*)$/s;
/** Our placeholders are bare words; `${aws:…}`-style IAM policy variables have a colon and are left to IAM. */
const PLACEHOLDER = /\$\{([a-z-]+)\}/g;

export function expandWith(data: PresetData, req: PresetRequest, ctx: PresetContext): ExpandedPreset {
  const values = valuesOf(data, req, ctx);
  const given = new Set(Object.keys(req.params));
  const matches = ([k, want]: [string, boolean | 'given']) =>
    want === 'given' ? given.has(k) : values[k]?.[0] === `${want}`;
  const variant = data.variants?.find((v) => Object.entries(v.when).every(matches));
  const managed = (variant ?? data).awsManagedPolicies ?? [];
  const document = (variant ?? data).document;
  const made = document && expandDocument(document, given, values, ctx);
  return {
    name: data.name,
    version: data.upstream.version,
    source: data.upstream.source,
    awsManagedPolicyArns: managed.map((arn) => fill(arn, ctx)),
    ...(made ? { document: made } : {}),
  };
}

/** A made document over IAM's limit (long cluster names, many ARNs), as one line; undefined when it fits. */
export function sizeProblem(expanded: ExpandedPreset, ctx: PresetContext): string | undefined {
  const size = expanded.document && policyChars(expanded.document);
  if (!size || size <= MAX_POLICY_CHARS) return undefined;
  return (
    `"${expanded.name}": its policy for cluster "${ctx.clusterName}" would be ${size} characters, ` +
    `over IAM's ${MAX_POLICY_CHARS} for a managed policy (fewer ARNs, or a shorter cluster name)`
  );
}

function valuesOf(data: PresetData, req: PresetRequest, ctx: PresetContext): Values {
  const values: Values = {};
  for (const [name, spec] of Object.entries(data.parameters)) {
    const given = req.params[name];
    if (spec.kind === 'boolean') values[name] = [`${given ? given[0]!.toLowerCase() === 'true' : spec.default}`];
    else values[name] = given ?? (spec.default ?? []).map((v) => fill(v, ctx));
  }
  return values;
}

function expandDocument(
  doc: PresetDocument,
  given: Set<string>,
  values: Values,
  ctx: PresetContext,
): PresetDocument | undefined {
  const kept = doc.Statement.filter((s) => typeof s.ifParam !== 'string' || given.has(s.ifParam));
  if (kept.length === 0) return undefined;
  const Statement = kept.map(({ ifParam: _marker, ...s }) => expandValue(s, values, ctx) as PresetStatement);
  return { Version: doc.Version, Statement };
}

function expandValue(value: unknown, values: Values, ctx: PresetContext): unknown {
  if (typeof value === 'string') {
    const list = paramValues(value, values, ctx);
    return list ?? fill(value, ctx);
  }
  if (Array.isArray(value)) {
    const out = (value as unknown[]).flatMap((v) =>
      typeof v === 'string' ? (paramValues(v, values, ctx) ?? [fill(v, ctx)]) : [v],
    );
    return [...new Set(out.map((v) => (typeof v === 'string' ? v : expandValue(v, values, ctx))))];
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [fill(k, ctx), expandValue(v, values, ctx)]));
  }
  return value;
}

/** `${param:x}<tail>` → each value of x with the tail; undefined for any other string. */
function paramValues(text: string, values: Values, ctx: PresetContext): string[] | undefined {
  const m = PARAM.exec(text);
  if (!m) return undefined;
  const list = values[m[1]!];
  // An optional parameter without a default may only be used where it is given (ifParam, a `given` variant).
  if (!list?.length) throw new Error(`preset data: "${text}" has no value here`);
  const tail = fill(m[2]!, ctx);
  return list.map((v) => v + tail);
}

/** Fills the context placeholders of one string. */
function fill(text: string, ctx: PresetContext): string {
  const byName: Record<string, string> = {
    partition: ctx.partition,
    region: ctx.region,
    'account-id': ctx.accountId,
    'cluster-name': ctx.clusterName,
  };
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const v = byName[name];
    if (v === undefined) throw new Error(`preset data: unknown placeholder ${whole}`);
    return v;
  });
}
