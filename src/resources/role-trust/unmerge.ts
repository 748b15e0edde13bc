// Taking a binding back out of a trust policy: the opposite of mergeTrust, and just as careful. Only what grants
// exactly this binding goes; every other statement, and every other subject of a shared IRSA statement, stays.
import type { PolicyDocument } from '../../inputs/config.js';
import { asList, canonical, parsePolicy, statementsOf, type Statement } from '../../core/policy-doc.js';
import { EXTERNAL_ID_KEY, statementFor, WEB_IDENTITY_ACTION, type Binding, type TrustMerge } from './trust.js';

/**
 * The trust without this binding.
 * - IRSA: the service account's subject leaves every web-identity statement of the binding's OIDC provider that
 *   lists it under `StringEquals` (whoever wrote it, whatever its audience: the subject is this service account's
 *   and nobody else's); a statement left with no subject goes.
 * - Pod Identity: a statement granting exactly this binding goes (Sid aside): the scoped statement of this
 *   binding, or the plain `pods.eks.amazonaws.com` statement — the caller decides whether the plain one may go
 *   (only once no association names the role).
 * - A target role's grant (`AWS` principal): the association's role with its external ID leaves every statement
 *   that lists both (whoever wrote it: the external ID is the association's and nobody else's); see withoutTarget.
 */
export function unmergeTrust(existing: string | PolicyDocument, b: Binding): TrustMerge {
  const doc = parsePolicy(existing);
  const before = statementsOf(doc);
  const after =
    b.principalType === 'Federated'
      ? withoutSubject(before, b)
      : b.principalType === 'AWS'
        ? withoutTarget(before, b)
        : withoutGrant(before, b);
  const changed = JSON.stringify(after) !== JSON.stringify(before);
  return { document: changed ? { ...doc, Statement: after } : doc, changed };
}

/** Removes every binding in turn (one trust write for all the removals of a role). */
export function unmergeTrustAll(existing: string | PolicyDocument, bindings: readonly Binding[]): TrustMerge {
  let result: TrustMerge = { document: parsePolicy(existing), changed: false };
  for (const b of bindings) {
    const next = unmergeTrust(result.document, b);
    result = { document: next.document, changed: result.changed || next.changed };
  }
  return result;
}

/** The statements of the trust, exactly as they are, that taking the binding out would remove or change. */
export function statementsTaken(existing: string | PolicyDocument, b: Binding): Statement[] {
  const after = new Set(statementsOf(unmergeTrust(existing, b).document).map((s) => JSON.stringify(s)));
  return statementsOf(parsePolicy(existing)).filter((s) => !after.has(JSON.stringify(s)));
}

/** Whether the trust still has any statement (a role eks-pod-iam created goes when it has none). */
export const hasStatements = (doc: string | PolicyDocument) => statementsOf(parsePolicy(doc)).length > 0;

function withoutGrant(statements: Statement[], b: Binding): Statement[] {
  const grant = meaning(statementFor(b));
  return statements.filter((s) => meaning(s) !== grant);
}

const meaning = (s: Statement) => {
  const { Sid: _sid, ...rest } = s;
  return JSON.stringify(canonical(rest));
};

function withoutSubject(statements: Statement[], b: Binding): Statement[] {
  const subKey = Object.keys(b.context).find((k) => k.endsWith(':sub'))!;
  const subject = b.context[subKey]!;
  const out: Statement[] = [];
  for (const s of statements) {
    const equals = webIdentityEquals(s, b.principal);
    const key = equals && Object.keys(equals).find((k) => k.toLowerCase() === subKey.toLowerCase());
    const subjects = key ? asList(equals[key]) : [];
    if (!key || !subjects.includes(subject)) {
      out.push(s);
      continue;
    }
    const left = subjects.filter((x) => x !== subject);
    if (left.length === 0) continue;
    const condition = s.Condition as Record<string, unknown>;
    const value = Array.isArray(equals[key]) || left.length > 1 ? left : left[0];
    out.push({ ...s, Condition: { ...condition, StringEquals: { ...equals, [key]: value } } });
  }
  return out;
}

/** The `StringEquals` block of an Allow statement for this provider's web identities; undefined otherwise. */
function webIdentityEquals(s: Statement, provider: string): Record<string, unknown> | undefined {
  if (s.Effect !== 'Allow') return undefined;
  const principal = s.Principal as Record<string, unknown> | undefined;
  if (!principal || typeof principal !== 'object' || Object.keys(principal).length !== 1) return undefined;
  const federated = asList(principal.Federated);
  if (federated.length !== 1 || federated[0] !== provider) return undefined;
  if (!asList(s.Action).some((a) => a.toLowerCase() === WEB_IDENTITY_ACTION.toLowerCase())) return undefined;
  const equals = (s.Condition as Record<string, unknown> | undefined)?.StringEquals;
  return equals && typeof equals === 'object' ? (equals as Record<string, unknown>) : undefined;
}

/**
 * The association's role R with its external ID E taken out of each Allow statement that lists R as an AWS principal
 * and E under `StringEquals` `sts:ExternalId`; everything else the statement grants stays:
 * - R its only principal: E leaves the external IDs (the statement goes with the last one);
 * - E its only external ID: R leaves the principals (the statement goes with the last one);
 * - several of both: the statement stays for the other principals, and a copy (no Sid: Sids are unique) for R with
 *   the other external IDs.
 */
function withoutTarget(statements: Statement[], b: Binding): Statement[] {
  const externalId = b.context[EXTERNAL_ID_KEY]!;
  const out: Statement[] = [];
  for (const s of statements) {
    const principal = s.Principal as Record<string, unknown> | undefined;
    const equals = (s.Condition as Record<string, unknown> | undefined)?.StringEquals as
      Record<string, unknown> | undefined;
    const key = equals && Object.keys(equals).find((k) => k.toLowerCase() === EXTERNAL_ID_KEY.toLowerCase());
    const ids = key ? asList(equals[key]) : [];
    const principals = principal && typeof principal === 'object' ? asList(principal.AWS) : [];
    if (s.Effect !== 'Allow' || !principals.includes(b.principal) || !ids.includes(externalId)) {
      out.push(s);
      continue;
    }
    const otherIds = ids.filter((x) => x !== externalId);
    const otherPrincipals = principals.filter((x) => x !== b.principal);
    const withIds = (st: Statement, left: string[]): Statement => {
      const value = Array.isArray(equals![key!]) || left.length > 1 ? left : left[0];
      return { ...st, Condition: { ...(st.Condition as object), StringEquals: { ...equals, [key!]: value } } };
    };
    const withPrincipals = (left: string[]): Statement | undefined => {
      const { AWS: _aws, ...rest } = principal!;
      const value = Array.isArray(principal!.AWS) || left.length > 1 ? left : left[0];
      const next = left.length ? { ...rest, AWS: value } : rest;
      return Object.keys(next).length ? { ...s, Principal: next } : undefined;
    };
    if (otherPrincipals.length === 0 && Object.keys(principal!).length === 1) {
      if (otherIds.length) out.push(withIds(s, otherIds));
      continue;
    }
    const others = withPrincipals(otherPrincipals);
    if (others) out.push(others);
    if (otherIds.length) {
      const { Sid: _sid, ...copy } = s;
      out.push(withIds({ ...copy, Principal: { AWS: b.principal } }, otherIds));
    }
  }
  return out;
}
