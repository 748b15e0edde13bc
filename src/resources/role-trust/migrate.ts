// migrate-from-irsa, the role's side: once the associations are confirmed, the migrated service accounts' subjects
// leave the role's web-identity trust (a statement goes when no subject is left; other subjects, the Pod Identity
// statement and foreign statements stay), in one write per role.
import { check, type Check } from '../../core/check.js';
import { change, type ChangeList } from '../../core/changes.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { AssociationGuard, ObservedRole } from '../../core/types.js';
import type { PolicyDocument } from '../../inputs/config.js';
import { ROLE_TRUST } from './kind.js';
import type { Binding } from './trust.js';
import { unmergeTrust, unmergeTrustAll } from './unmerge.js';

const subjectOf = (b: Binding) => Object.entries(b.context).find(([k]) => k.endsWith(':sub'))?.[1] ?? b.principal;

/** `trust`: the role's trust as the plan leaves it before this change. Returns the change's id, when there is one. */
export function planSubjectRemoval(
  roleName: string,
  trust: string | PolicyDocument,
  irsa: Binding[],
  after: string[],
  guard: AssociationGuard[],
  out: ChangeList,
): string | undefined {
  const removed = irsa.filter((b) => unmergeTrust(trust, b).changed);
  if (removed.length === 0) return undefined;
  const document = unmergeTrustAll(trust, removed).document;
  const left = statementsOf(document).length;
  const detail =
    `remove ${removed.map(subjectOf).join(', ')} from the web-identity trust of ${roleName} ` +
    `(once the association is read back; ${left} statement${left === 1 ? '' : 's'} left)`;
  const d = change('untrust-irsa', ROLE_TRUST, 'remove', detail, after, {
    kind: 'update-trust',
    roleName,
    trust: parsePolicy(document),
    bindings: [],
    removed,
  });
  return out.push({ ...d, guard });
}

/** After a migration: no web-identity statement of the role lists the service account's subject. */
export function checkSubjectRemoved(role: ObservedRole | null | undefined, irsa: Binding | undefined): Check {
  if (!irsa || !role)
    return check(
      'IRSA subject removed',
      undefined,
      role ? 'the cluster has no OIDC issuer' : 'the role does not exist',
    );
  const still = unmergeTrust(role.trust, irsa).changed;
  return check(
    'IRSA subject removed',
    !still,
    `${role.name} ${still ? 'still trusts' : 'no longer trusts'} ${subjectOf(irsa)} through ${irsa.principal}`,
  );
}
