// The inline policy eks-pod-iam-target: the association's role may assume (and tag sessions of) its bindings' target
// roles. Add-only while bindings are present: the targets it grants stay (a binding moved to another target, or run
// separately with another one, never takes a grant away); written only when a target is missing. Only removal takes
// a target back (see revoke.ts).
import type { PolicyDocument } from '../../inputs/config.js';
import { asList, parsePolicy, statementsOf } from '../../core/policy-doc.js';
import { POD_IDENTITY_ACTIONS } from '../role-trust/trust.js';

/** The target role ARNs the policy lets the role assume with both actions, unconditionally. */
export function grantedTargets(policy: string | PolicyDocument | undefined): string[] {
  if (!policy) return [];
  return statementsOf(parsePolicy(policy))
    .filter(
      (s) =>
        s.Effect === 'Allow' &&
        !s.Condition &&
        POD_IDENTITY_ACTIONS.every((a) => asList(s.Action).some((x) => x.toLowerCase() === a.toLowerCase())),
    )
    .flatMap((s) => asList(s.Resource));
}

const SID = 'EksPodIamTarget';

/** The policy with the targets added to our statement; any other statement is kept as it is. */
export function withTargets(policy: string | PolicyDocument | undefined, targets: readonly string[]): PolicyDocument {
  const doc = policy ? parsePolicy(policy) : { Version: '2012-10-17', Statement: [] };
  const statements = statementsOf(doc);
  const ours = statements.find((s) => s.Sid === SID);
  const resources = [...new Set([...asList(ours?.Resource), ...targets])].sort();
  const statement = { Sid: SID, Effect: 'Allow', Action: [...POD_IDENTITY_ACTIONS], Resource: resources };
  return { ...doc, Statement: [...statements.filter((s) => s !== ours), statement] };
}

/** The policy without these targets (a statement left with no resource goes); undefined when nothing is left. */
export function withoutTargets(
  policy: string | PolicyDocument,
  targets: readonly string[],
): PolicyDocument | undefined {
  const doc = parsePolicy(policy);
  const kept = statementsOf(doc).flatMap((s) => {
    const resources = asList(s.Resource);
    if (!resources.some((r) => targets.includes(r))) return [s];
    const left = resources.filter((r) => !targets.includes(r));
    return left.length ? [{ ...s, Resource: left }] : [];
  });
  return kept.length ? { ...doc, Statement: kept } : undefined;
}
