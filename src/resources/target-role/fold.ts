// A target role's trust, folded: the grants the run's present bindings need (planTargetTrust) and the grants its
// absent bindings take back (planTargetTrustRemoval) become its one trust write. Pure.
import { change, refKey, type ChangeList, type Folded, type Owner, type Ref } from '../../core/changes.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { ObservedRole, ObservedTarget, Op, TargetGrant } from '../../core/types.js';
import { allows, EXTERNAL_ID_KEY, targetBinding, uniqueBindings, type Binding } from '../role-trust/trust.js';
import { hasStatements, unmergeTrustAll } from '../role-trust/unmerge.js';
import { TARGET_TRUST } from './kind.js';

/** What a planner wants of a target role's trust, and what the write must wait for. */
export interface TargetTrustIntent {
  /** Association roles to let in with their external IDs. */
  grants?: TargetGrant[];
  /** Grants to take out. */
  remove?: Binding[];
  after: string[];
}

export const targetTrustRef = (target: string): Ref => ({ kind: 'target-trust', target });
/** What a target role's changes are about, and the id its trust write gets (what others wait for). */
export const targetOwner = (arn: string): Owner => ({ kind: 'target', arn });
export const targetTrustId = (target: string) => `target-trust@${refKey(targetOwner(target))}`;

/**
 * The one trust change of a (readable, existing) target role. `empty`: the removals alone would leave the trust
 * without any statement, which IAM does not accept: nothing is written.
 */
export function foldTargetTrust(
  role: ObservedRole,
  intents: readonly TargetTrustIntent[],
): { changes: Folded[]; empty: boolean } {
  const statements = statementsOf(parsePolicy(role.trust));
  // An external ID not known yet (the association is created or re-targeted now) is always merged, at apply time.
  const missing = intents
    .flatMap((i) => i.grants ?? [])
    .filter((g) => !g.externalId || !statements.some((s) => allows(s, targetBinding(g.roleArn, g.externalId!))));
  const removed = uniqueBindings(intents.flatMap((i) => i.remove ?? []));
  const removing = intents.filter((i) => i.remove);
  const taken = unmergeTrustAll(role.trust, removed);
  const what = describeGrants(removed);
  if (missing.length > 0) {
    const who = [...new Set(missing.map((g) => g.roleArn))].join(', ');
    const detail =
      `allow ${who} with the association's external ID in the trust policy of target role ${role.name} ` +
      `(${statements.length} existing statement${statements.length === 1 ? '' : 's'} kept)`;
    const granting = intents.filter((i) => i.grants).flatMap((i) => i.after);
    const op: Op = {
      kind: 'trust-target',
      roleName: role.name,
      grants: missing,
      ...(taken.changed ? { removed } : {}),
    };
    const full = taken.changed ? `${detail}; remove ${what}` : detail;
    const after = taken.changed ? [...granting, ...removing.flatMap((i) => i.after)] : granting;
    const from = intents.findIndex((i) => i.grants);
    return { changes: [{ ...targetChange('update', full, after, op), from }], empty: false };
  }
  if (!taken.changed) return { changes: [], empty: false };
  if (!hasStatements(taken.document)) return { changes: [], empty: true };
  const left = statementsOf(taken.document).length;
  const detail =
    `remove ${what} from the trust policy of target role ${role.name} ` +
    `(${left} statement${left === 1 ? '' : 's'} kept)`;
  const op: Op = { kind: 'trust-target', roleName: role.name, grants: [], removed };
  const after = removing.flatMap((i) => i.after);
  return {
    changes: [{ ...targetChange('remove', detail, after, op), from: intents.indexOf(removing[0]!) }],
    empty: false,
  };
}

const targetChange = (action: string, detail: string, after: string[], op: Op) =>
  change('target-trust', TARGET_TRUST, action, detail, [...new Set(after)], op);

/** The grants, as `<role> (external ID <id>, …)`. */
export function describeGrants(bs: Binding[]): string {
  const ids = (p: string) => bs.filter((b) => b.principal === p).map((b) => b.context[EXTERNAL_ID_KEY]);
  return [...new Set(bs.map((b) => b.principal))].map((p) => `${p} (external ID ${ids(p).join(', ')})`).join(', ');
}

/** Folds every intent about the target role's trust into its change; true when the removals were left undone. */
export function settleTargetTrust(targetArn: string, target: ObservedTarget | undefined, out: ChangeList): boolean {
  if (!target?.readable || !target.role) return false;
  const ref = targetTrustRef(targetArn);
  const folded = foldTargetTrust(target.role, out.intents<TargetTrustIntent>(ref));
  out.settle(ref, folded.changes);
  return folded.empty;
}
