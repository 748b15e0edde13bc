// A role's trust, folded: what the run's planners want of it — bindings let in (planRole), bindings taken out
// (removal) — becomes its one trust write, whose detail says exactly what it writes. Pure.
import type { Folded, Ref } from '../../core/changes.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { ObservedRole, Op } from '../../core/types.js';
import { ROLE_TRUST } from './kind.js';
import { mergeTrust, subjectOf, trustPolicySize, uniqueBindings, type Binding } from './trust.js';
import { unmergeTrustAll } from './unmerge.js';

/** What a planner wants of a role's trust, and what the write must wait for. */
export interface TrustIntent {
  /** Bindings to let in (each is merged, in order, into the trust as it is observed). */
  add?: Binding[];
  /** Bindings to take out, after adding. */
  remove?: Binding[];
  after: string[];
  /**
   * Waited for only when the write lets no binding in: a change that itself waits for the bindings let in (an
   * add-on's association write with a present binding of the role) — the present binding's need wins.
   */
  afterUnlessAdding?: string[];
}

export const roleTrustRef = (role: string): Ref => ({ kind: 'role-trust', role });

/** The one trust change of an existing role; `adds`: it lets bindings in (what they must wait for). */
export function foldRoleTrust(
  name: string,
  role: ObservedRole,
  intents: readonly TrustIntent[],
): { changes: Folded[]; adds: boolean } {
  let trust = parsePolicy(role.trust);
  const added: Binding[] = [];
  for (const b of intents.flatMap((i) => i.add ?? [])) {
    const merge = mergeTrust(trust, b);
    if (!merge.changed) continue;
    trust = merge.document;
    added.push(b);
  }
  const removed = uniqueBindings(intents.flatMap((i) => i.remove ?? []));
  const removing = intents.filter((i) => i.remove?.length);
  const what = [...new Set(removed.map(describe))].join(', ');
  const taken = unmergeTrustAll(trust, removed);
  if (added.length > 0) {
    const from = intents.findIndex((i) => i.add?.length);
    const kept = statementsOf(parsePolicy(role.trust)).length;
    const detail =
      `allow ${[...new Set(added.map(describe))].join(', ')} in the trust policy of ${name} ` +
      `(${kept} existing statement${kept === 1 ? '' : 's'} kept; ${trustPolicySize(trust)} bytes)`;
    const adding = intents.filter((i) => i.add?.length).flatMap((i) => i.after);
    const after = taken.changed ? [...new Set([...adding, ...removing.flatMap((i) => i.after)])] : adding;
    const op: Op = {
      kind: 'update-trust',
      roleName: name,
      trust: taken.document,
      bindings: added,
      ...(taken.changed ? { removed } : {}),
    };
    const full = taken.changed ? `${detail}; remove ${what}` : detail;
    return { changes: [{ ...trustChange('update', full, after, op), from }], adds: true };
  }
  if (!taken.changed) return { changes: [], adds: false };
  const left = statementsOf(taken.document).length;
  const size = trustPolicySize(parsePolicy(taken.document));
  const note = `${left} statement${left === 1 ? '' : 's'} kept; ${size} bytes`;
  const after = [...new Set(removing.flatMap((i) => [...i.after, ...(i.afterUnlessAdding ?? [])]))];
  const op: Op = { kind: 'update-trust', roleName: name, trust: taken.document, bindings: [], removed };
  const detail = `remove ${what} from the trust policy of ${name} (${note})`;
  return {
    changes: [{ ...trustChange('remove', detail, after, op), from: intents.indexOf(removing[0]!) }],
    adds: false,
  };
}

const trustChange = (action: string, detail: string, after: string[], op: Op): Folded => ({
  id: 'trust',
  resource: ROLE_TRUST,
  action,
  detail,
  after: [...after],
  op,
});

export function describe(b: Binding): string {
  const subject = subjectOf(b);
  if (subject) return `${b.principal} for ${subject}`;
  return Object.keys(b.context).length ? `${b.principal} (scoped by session tags)` : b.principal;
}
