// Removal (state: absent) of a binding with a target role: what it made in the target's trust goes — its role with
// its association's external ID — in one write per target role (the one that also carries the run's added
// grants, if any), after the associations are deleted. The target role itself is never deleted (eks-pod-iam did
// not make it), and every other statement and part of a statement stays. Unreadable: nothing written; the
// verification prints the statement to take out.
import type { ChangeList } from '../../core/changes.js';
import { asList, parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { ObservedRole, ObservedTarget, TargetUser, UnreadRegion } from '../../core/types.js';
import { describeUnread } from '../region-scan/unread.js';
import type { PolicyDocument } from '../../inputs/config.js';
import { EXTERNAL_ID_KEY, statementFor, targetBinding, uniqueBindings, type Binding } from '../role-trust/trust.js';
import { statementsTaken } from '../role-trust/unmerge.js';
import { describeGrants, settleTargetTrust, targetTrustRef, type TargetTrustIntent } from './fold.js';

/** An absent binding's part in a target role's trust. */
export interface TargetRemoval {
  /** The association's role (the principal of the grant). */
  roleArn: string;
  /** The external ID of the association being deleted; undefined when it is gone already (a rerun). */
  externalId: string | undefined;
  /** The changes the trust write must follow (the association's deletion). */
  after: string[];
}

/** What removal meant to leave in the target's trust for one binding: what verification checks. */
export interface TargetRemovalIntent {
  arn: string;
  /** The grants taken out (this binding's, and stale ones of its role). */
  removed: Binding[];
  /** Taken out only in the plan's mind: they would leave the trust without any statement, so it is not written. */
  kept: boolean;
  /** The binding's role (eks-pod-iam's, staying) loses the target from its eks-pod-iam-target policy. */
  revoked?: boolean;
}

const OUR_SID = /^EksPodIamTarget/;

/**
 * Stale grants of these roles: statements eks-pod-iam wrote (its Sid) for exactly one of the roles with exactly one
 * external ID that no association in `inUse` has. Only ever eks-pod-iam's own statements: a foreign one is never
 * judged stale. Why: a run killed between deleting the association and writing the target's trust leaves the
 * association gone, and with it the only record of its external ID; the next run still recognises the statement
 * (our Sid, this binding's role) and that no association in the account (every enabled region) uses its external ID
 * any more. An association of the same role and target in another region has its own statement and external ID,
 * which the account-wide scan sees in use.
 */
export function staleGrants(
  trust: string | PolicyDocument,
  roleArns: readonly string[],
  inUse: ReadonlySet<string>,
): Binding[] {
  const stale: Binding[] = [];
  for (const s of statementsOf(parsePolicy(trust))) {
    if (s.Effect !== 'Allow' || typeof s.Sid !== 'string' || !OUR_SID.test(s.Sid)) continue;
    const principals = asList((s.Principal as Record<string, unknown> | undefined)?.AWS);
    const condition = s.Condition as Record<string, Record<string, unknown>> | undefined;
    const ids = asList(condition?.StringEquals?.[EXTERNAL_ID_KEY]);
    if (principals.length !== 1 || ids.length !== 1 || !roleArns.includes(principals[0]!)) continue;
    if (!inUse.has(ids[0]!)) stale.push(targetBinding(principals[0]!, ids[0]!));
  }
  return stale;
}

/**
 * Plans the target's trust change for its absent bindings. `target.users`: the associations naming the target, as
 * read for removal (undefined: not read, no stale grant looked for); `deleted`: the association ids this run
 * deletes; `known`: the external IDs of the associations the run observed and keeps (in use wherever they are).
 * Returns, per removal (same order), what verification checks.
 */
export function planTargetTrustRemoval(
  targetArn: string,
  target: ObservedTarget | undefined,
  removals: readonly TargetRemoval[],
  deleted: ReadonlySet<string>,
  out: ChangeList,
  known: ReadonlySet<string> = new Set(),
): TargetRemovalIntent[] {
  const own = (r: TargetRemoval) => (r.externalId ? [targetBinding(r.roleArn, r.externalId)] : []);
  const intent = (removed: Binding[], kept = false): TargetRemovalIntent => ({ arn: targetArn, removed, kept });
  if (!target?.readable || !target.role) return removals.map((r) => intent(own(r)));
  const { role } = target;
  const inUse = new Set([
    ...known,
    ...(target.users ?? []).flatMap((u: TargetUser) =>
      !deleted.has(u.associationId) && u.externalId ? [u.externalId] : [],
    ),
  ]);
  const candidates = target.users ? staleGrants(role.trust, [...new Set(removals.map((r) => r.roleArn))], inUse) : [];
  // A region not read may hold an association using a grant that looks stale: it stays, named for removal by hand.
  const stale = target.unreadRegions?.length ? [] : candidates;
  // The grants of the associations this run deletes go anyway (their external IDs are theirs alone).
  const owned = new Set(removals.flatMap(own).map((b) => JSON.stringify(b)));
  const held = candidates.filter((b) => !stale.includes(b) && !owned.has(JSON.stringify(b)));
  if (held.length) warnUnread(role, held, target.unreadRegions!, out);
  const removedFor = (r: TargetRemoval) => [
    ...own(r),
    ...stale.filter((b) => b.principal === r.roleArn && b.context[EXTERNAL_ID_KEY] !== r.externalId),
  ];
  const all = uniqueBindings(removals.flatMap(removedFor));
  // One write per target role: the removals are folded with the grants the run adds (foldTargetTrust).
  out.intend<TargetTrustIntent>(targetTrustRef(targetArn), { remove: all, after: removals.flatMap((r) => r.after) });
  const empty = settleTargetTrust(targetArn, target, out);
  if (empty)
    out.warn(
      `Removing ${describeGrants(all)} would leave the trust policy of target role ${role.name} without any ` +
        'statement, which IAM does not accept; it is left as it is (eks-pod-iam did not create the role and never ' +
        'deletes it).',
    );
  return removals.map((r) => intent(removedFor(r), empty));
}

function warnUnread(role: ObservedRole, grants: Binding[], unread: UnreadRegion[], out: ChangeList): void {
  const statements = grants.flatMap((g) => statementsTaken(role.trust, g)).map((s) => JSON.stringify(s));
  out.warn(
    `The grant(s) of ${describeGrants(grants)} in the trust policy of target role ${role.name} stay: no association ` +
      `read uses their external IDs, but the associations of ${describeUnread(unread)} could not be read, and one ` +
      'there may still use them. A run that can read every region removes them; or, once no association in any ' +
      `region has those external IDs, remove by hand: ${[...new Set(statements)].join(' ')}`,
  );
}

/** The statement to take out by hand when the target cannot be read. */
export const statementToRemove = (roleArn: string, externalId: string) =>
  JSON.stringify(statementFor(targetBinding(roleArn, externalId)));
