// migrate-from-irsa, the role's side: once the associations are confirmed, the migrated service accounts' subjects
// leave the role's web-identity trust (a statement goes when no subject is left; other subjects, the Pod Identity
// statement and foreign statements stay), in one write per role.
import { check, type Check } from '../../core/check.js';
import { change, type ChangeList } from '../../core/changes.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import type { AssociationGuard, IrsaRole, ObservedRole } from '../../core/types.js';
import type { PolicyDocument } from '../../inputs/config.js';
import { ROLE_TRUST } from './kind.js';
import { subjectOf, type Binding } from './trust.js';
import { hasStatements, unmergeTrust, unmergeTrustAll } from './unmerge.js';

const subjectOrPrincipal = (b: Binding) => subjectOf(b) ?? b.principal;

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
  // IAM accepts no trust without a statement, and a role left for another is never deleted: its check says so.
  if (left === 0) return undefined;
  const detail =
    `remove ${removed.map(subjectOrPrincipal).join(', ')} from the web-identity trust of ${roleName} ` +
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

/**
 * After a migration: no web-identity statement of the role lists the service account's subject. `role`: the bound
 * role, or the annotated one it was bound to under IRSA, when that is another (read, or why it could not be: then
 * the check is not verifiable and says what to remove by hand).
 */
export function checkSubjectRemoved(
  role: ObservedRole | IrsaRole | null | undefined,
  irsa: Binding | undefined,
): Check {
  const name = 'IRSA subject removed';
  if (role && 'readable' in role) {
    if (!role.readable) return unreadable(role.arn, role.why, irsa);
    if (!role.role)
      return check(name, true, `${role.arn} does not exist: nothing trusts the service account through it`);
    if (!irsa) return checkSubjectRemoved(role.role, irsa);
    const left = unmergeTrust(role.role.trust, irsa);
    if (left.changed && !hasStatements(left.document))
      return {
        ...check(name, undefined, `not done: ${lastStatement(role.role.name, subjectOrPrincipal(irsa))}`),
        todo: `Delete role ${role.arn} once nothing uses it: its trust still lets ${subjectOrPrincipal(irsa)} in.`,
      };
    return checkSubjectRemoved(role.role, irsa);
  }
  if (!irsa || !role)
    return check(name, undefined, role ? 'the cluster has no OIDC issuer' : 'the role does not exist');
  const still = unmergeTrust(role.trust, irsa).changed;
  return check(
    name,
    !still,
    `${role.name} ${still ? 'still trusts' : 'no longer trusts'} ${subjectOrPrincipal(irsa)} through ${irsa.principal}`,
  );
}

function unreadable(arn: string, why: string, irsa: Binding | undefined): Check {
  const what = irsa ? `${subjectOrPrincipal(irsa)} from the web-identity (${irsa.principal}) trust of ${arn}` : '';
  return {
    ...check('IRSA subject removed', undefined, `not verifiable: ${arn} cannot be read (${why})`),
    ...(irsa ? { todo: `Remove ${what}: the service account no longer uses that role.` } : {}),
  };
}

const lastStatement = (roleName: string, subjects: string) =>
  `the web-identity trust of ${roleName} keeps ${subjects}: it is the role's last statement, and IAM accepts no ` +
  'trust policy without one; the role is not deleted.';
