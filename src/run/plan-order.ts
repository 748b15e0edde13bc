// The order a plan is listed in. Pure.
import type { Change } from '../core/types.js';

/**
 * Listed as a person reads the chain: providers, roles, add-ons, then each binding's own, and last what waits for a
 * read-back of the associations (a migration's removals). Apply follows `after`.
 */
export function inReadingOrder(changes: Change[]): Change[] {
  const rank = (c: Change) => {
    const { kind } = c.owner;
    if (c.guard) return kind === 'role' ? 4 : 3;
    if (kind === 'policy') return 1; // a managed policy: created before the role that it is attached to
    // A removal's own parts (association — or its add-on's write —, service account) come before its role's, as
    // they are done.
    const own = c.target.binding || c.op.kind === 'addon-associations';
    if (own && (c.action === 'delete' || c.action === 'remove')) return 0.5;
    return kind === 'provider' ? 0 : kind === 'role' ? 1 : kind === 'cluster' ? 2 : 3;
  };
  return changes
    .map((c, i) => [c, i] as const)
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([c]) => c);
}
