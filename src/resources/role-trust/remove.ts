// Removal from a role: the trust gives up exactly the removed bindings (an IRSA subject, a scoped statement, or the
// plain Pod Identity statement once no association in any region of the account still names the role — and every
// region could be read), in the same one write as the bindings
// the run adds. A role eks-pod-iam created is deleted once no statement is left; any other role is never deleted.
import { MANAGED_TAG } from '../../core/ownership.js';
import { change, type ChangeList } from '../../core/changes.js';
import type { ObservedRole, UnreadRegion } from '../../core/types.js';
import { describeUnread } from '../region-scan/unread.js';
import { ROLE } from './kind.js';
import { describe, roleTrustRef, type TrustIntent } from './fold.js';
import type { RoleMember } from './plan.js';
import { isPlainPodIdentity, sameBinding as same, type Binding } from './trust.js';
import { hasStatements, statementsTaken, unmergeTrustAll } from './unmerge.js';

/** What removal does to the role: `deleted` (eks-pod-iam's, nothing left in it), else it stays. */
export interface TrustRemoval {
  /** The role goes: its policies must be cleared first (the caller plans that), then `planRoleDeletion`. */
  deleteRole: boolean;
  /** The bindings taken out of the trust (or that go with the role). */
  removed: Binding[];
  /** Bindings whose statement stays on purpose (still used elsewhere, or the last statement of a foreign role). */
  kept: Binding[];
}

/**
 * `absent`: the role's bindings being removed; `present`: its bindings this run keeps or adds (planRole states them;
 * the removals join them in the role's one trust write). `after`: the removed bindings' own changes (association,
 * service account), done first; `afterUnlessAdding`: those done first only when the write lets no binding in.
 */
export function planTrustRemoval(
  name: string,
  role: ObservedRole | null,
  absent: RoleMember[],
  present: RoleMember[],
  after: string[],
  out: ChangeList,
  afterUnlessAdding: string[] = [],
): TrustRemoval {
  if (!role) return { deleteRole: false, removed: [], kept: [] };
  const removed: Binding[] = [];
  const kept: Binding[] = [];
  for (const m of absent) {
    const b = m.binding;
    const wanted = present.some((p) => same(p.binding, b));
    const users = isPlainPodIdentity(b) ? (role.associatedElsewhere ?? []) : [];
    const unread = isPlainPodIdentity(b) ? (role.unreadRegions ?? []) : [];
    if (wanted || users.length || unread.length) {
      if (!kept.some((k) => same(k, b))) warnKept(name, role, b, users, unread, wanted, out);
      kept.push(b);
    } else if (!removed.some((r) => same(r, b))) removed.push(b);
  }
  const what = [...new Set(removed.map(describe))].join(', ');

  const taken = unmergeTrustAll(role.trust, removed);
  if (!hasStatements(taken.document) && present.length === 0) {
    if (role.tags[MANAGED_TAG] === 'true') return { deleteRole: true, removed, kept };
    // IAM accepts no trust policy without a statement, and this role is not ours to delete.
    out.warn(
      `Removing ${what} would leave the trust policy of ${name} without any statement, which IAM does not accept; ` +
        'the role was not created by eks-pod-iam, so it is neither deleted nor changed.',
    );
    return { deleteRole: false, removed: [], kept: [...kept, ...removed] };
  }
  // One write per role: the removals are folded with the bindings the run lets in (foldRoleTrust).
  if (removed.length) out.intend<TrustIntent>(roleTrustRef(name), { remove: removed, after, afterUnlessAdding });
  return { deleteRole: false, removed, kept };
}

/** Why a plain Pod Identity statement stays: associations name the role, or regions could not be read. */
function warnKept(
  name: string,
  role: ObservedRole,
  b: Binding,
  users: string[],
  unread: UnreadRegion[],
  wanted: boolean,
  out: ChangeList,
): void {
  if (wanted) return;
  if (users.length)
    out.warn(
      `The ${b.principal} statement of ${name} stays: ${users.length} other association(s) name the role ` +
        `(${users.slice(0, 3).join(', ')}${users.length > 3 ? ', …' : ''}).`,
    );
  else if (unread.length) {
    const statements = statementsTaken(role.trust, b).map((s) => JSON.stringify(s));
    out.warn(
      `The ${b.principal} statement of role ${name} stays: the associations of ${describeUnread(unread)} could ` +
        'not be read, and one there may still name the role (its pods would lose their credentials). A run that ' +
        'can read every region removes it; or, once no association in any region names the role, remove this ' +
        `statement from its trust policy by hand: ${statements.join(' ')}`,
    );
  }
}

/** The role eks-pod-iam created, once nothing is left in its trust: after its policies are cleared (`after`). */
export function planRoleDeletion(name: string, removed: Binding[], after: string[], out: ChangeList): string[] {
  return [
    out.push(
      change(
        'role-delete',
        ROLE,
        'delete',
        `delete role ${name} (created by eks-pod-iam; no trust statement left)`,
        after,
        {
          kind: 'delete-role',
          roleName: name,
          removed,
        },
      ),
    ),
  ];
}
