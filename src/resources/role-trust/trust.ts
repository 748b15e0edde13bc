// Trust policies are merged, never replaced. A binding (who may assume the role, with which
// request context) is added only when no statement already allows it; foreign statements are kept
// exactly; our IRSA statement gathers subjects so many service accounts share one statement.
import { createHash } from 'node:crypto';
import type { PolicyDocument } from '../../inputs/config.js';
import { asList, parsePolicy, statementsOf, type Statement } from '../../core/policy-doc.js';

export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';
export const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];
export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
const SID_PREFIX = 'EksPodIam';

/** Who assumes the role and what the request carries: what a statement must allow. */
export interface Binding {
  /** `AWS`: a role (by ARN) of an account, e.g. an association's role assuming a cross-account target role. */
  principalType: 'Service' | 'Federated' | 'AWS';
  principal: string;
  actions: string[];
  /** Condition keys and the single value the request has for each. */
  context: Record<string, string>;
}

export function podIdentityBinding(scope?: { clusterArn: string; namespace: string; serviceAccount: string }): Binding {
  return {
    principalType: 'Service',
    principal: POD_IDENTITY_PRINCIPAL,
    actions: POD_IDENTITY_ACTIONS,
    context: scope
      ? {
          'aws:RequestTag/eks-cluster-arn': scope.clusterArn,
          'aws:RequestTag/kubernetes-namespace': scope.namespace,
          'aws:RequestTag/kubernetes-service-account': scope.serviceAccount,
        }
      : {},
  };
}

export function irsaBinding(
  providerArn: string,
  issuerHostPath: string,
  namespace: string,
  serviceAccount: string,
  audience: string,
): Binding {
  return {
    principalType: 'Federated',
    principal: providerArn,
    actions: [WEB_IDENTITY_ACTION],
    context: {
      [`${issuerHostPath}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
      [`${issuerHostPath}:aud`]: audience,
    },
  };
}

/**
 * The association's role assuming its target role (cross-account role chaining): EKS sends the association's
 * external ID as `sts:ExternalId`, and tags the session unless session tags are disabled.
 */
export function targetBinding(associationRoleArn: string, externalId: string): Binding {
  return {
    principalType: 'AWS',
    principal: associationRoleArn,
    actions: POD_IDENTITY_ACTIONS,
    context: { [EXTERNAL_ID_KEY]: externalId },
  };
}

export const EXTERNAL_ID_KEY = 'sts:ExternalId';

/** Does this statement allow the binding? Conservative: anything we cannot evaluate does not. */
export function allows(s: Statement, b: Binding): boolean {
  if (s.Effect !== 'Allow' || 'NotPrincipal' in s || 'NotAction' in s) return false;
  const principal = s.Principal as Record<string, unknown> | string | undefined;
  if (!principal || typeof principal !== 'object' || !asList(principal[b.principalType]).includes(b.principal))
    return false;
  const actions = asList(s.Action);
  if (!b.actions.every((a) => actions.some((pattern) => globMatch(pattern, a, true)))) return false;
  return conditionsHold(s.Condition, b.context);
}

function conditionsHold(condition: unknown, context: Record<string, string>): boolean {
  if (condition === undefined) return true;
  if (!condition || typeof condition !== 'object') return false;
  for (const [operator, keys] of Object.entries(condition as Record<string, unknown>)) {
    if (!keys || typeof keys !== 'object') return false;
    for (const [key, expected] of Object.entries(keys as Record<string, unknown>)) {
      const actual = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      if (actual === undefined || !operatorHolds(operator, asList(expected), actual)) return false;
    }
  }
  return true;
}

function operatorHolds(operator: string, values: string[], actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
      return values.includes(actual);
    case 'StringEqualsIgnoreCase':
      return values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringLike':
      return values.some((v) => globMatch(v, actual, false));
    default:
      return false;
  }
}

/** IAM wildcards: `*` any run, `?` one character. Actions compare case-insensitively. */
function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'i' : '').test(value);
}

const hash8 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** The statement we write for a binding (Sid marks it as ours). */
export function statementFor(b: Binding): Statement {
  const isIrsa = b.principalType === 'Federated';
  const hasContext = Object.keys(b.context).length > 0;
  const sid = isIrsa
    ? `${SID_PREFIX}Irsa${hash8(`${b.principal}|${audienceOf(b) ?? ''}`)}`
    : b.principalType === 'AWS'
      ? `${SID_PREFIX}Target${hash8(`${b.principal}|${JSON.stringify(b.context)}`)}`
      : `${SID_PREFIX}PodIdentity${hasContext ? hash8(JSON.stringify(b.context)) : ''}`;
  const statement: Statement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: { [b.principalType]: b.principal },
    Action: b.actions.length === 1 ? b.actions[0] : [...b.actions],
  };
  if (hasContext) statement.Condition = { StringEquals: { ...b.context } };
  return statement;
}

/** The plain (unscoped) `pods.eks.amazonaws.com` binding: one statement shared by every association of the role. */
export const isPlainPodIdentity = (b: Binding) => b.principalType === 'Service' && Object.keys(b.context).length === 0;

/** Two bindings are the same when every field is: they make the same statement. */
export const sameBinding = (a: Binding, b: Binding) => JSON.stringify(a) === JSON.stringify(b);

/** The bindings without repeats (the first of equal ones kept). */
export const uniqueBindings = (bs: readonly Binding[]) => [...new Map(bs.map((b) => [JSON.stringify(b), b])).values()];

/** IRSA: the service account's subject (`system:serviceaccount:<namespace>:<name>`). */
export const subjectOf = (b: Binding) => Object.entries(b.context).find(([k]) => k.endsWith(':sub'))?.[1];

const audienceOf = (b: Binding) => Object.entries(b.context).find(([k]) => k.endsWith(':aud'))?.[1];

export interface TrustMerge {
  document: PolicyDocument;
  /** False when a statement already allows the binding: nothing to write. */
  changed: boolean;
}

/**
 * Adds the binding to a trust policy. Foreign statements are kept as they are. For IRSA, our own
 * statement for the same provider and audience gains the subject; otherwise a statement is appended.
 */
export function mergeTrust(existing: string | PolicyDocument, b: Binding): TrustMerge {
  const doc = parsePolicy(existing);
  const statements = statementsOf(doc);
  if (statements.some((s) => allows(s, b))) return { document: doc, changed: false };
  const ours = statementFor(b);
  const merged = statements.map((s) => ({ ...s }));
  const gather =
    b.principalType === 'Federated' ? merged.find((s) => s.Sid === ours.Sid && canGather(s, b)) : undefined;
  if (gather) {
    // A copy: the statement given (the observed trust, when it is already parsed) stays as it was.
    const equals = { ...(gather.Condition as { StringEquals: Record<string, unknown> }).StringEquals };
    const subKey = Object.keys(b.context).find((k) => k.endsWith(':sub'))!;
    equals[subKey] = [...asList(equals[subKey]), b.context[subKey]!].sort();
    gather.Condition = { StringEquals: equals };
  } else {
    const sids = new Set(merged.map((s) => s.Sid));
    const base = String(ours.Sid);
    for (let n = 2; sids.has(ours.Sid); n++) ours.Sid = `${base}N${n}`;
    merged.push(ours);
  }
  return { document: { Version: '2012-10-17', ...doc, Statement: merged }, changed: true };
}

/** Adds every binding (one merge after another): what one trust write carries for all bindings of a role. */
export function mergeTrustAll(existing: string | PolicyDocument, bindings: readonly Binding[]): TrustMerge {
  let result: TrustMerge = { document: parsePolicy(existing), changed: false };
  for (const b of bindings) {
    const next = mergeTrust(result.document, b);
    result = { document: next.document, changed: result.changed || next.changed };
  }
  return result;
}

/** Our IRSA statement can take another subject only when it has exactly our shape. */
function canGather(s: Statement, b: Binding): boolean {
  const cond = s.Condition as Record<string, unknown> | undefined;
  if (!cond || Object.keys(cond).length !== 1 || !cond.StringEquals) return false;
  const equals = cond.StringEquals as Record<string, unknown>;
  const keys = Object.keys(b.context);
  if (Object.keys(equals).length !== keys.length || !keys.every((k) => k in equals)) return false;
  const audKey = keys.find((k) => k.endsWith(':aud'))!;
  return (
    asList(equals[audKey]).length === 1 &&
    asList(equals[audKey])[0] === b.context[audKey] &&
    allows({ ...s, Condition: undefined }, { ...b, context: {} })
  );
}

/** Bytes IAM counts for the trust-policy quota (it ignores whitespace). */
export function trustPolicySize(doc: PolicyDocument): number {
  return Buffer.byteLength(JSON.stringify(doc), 'utf8');
}
