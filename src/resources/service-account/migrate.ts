// migrate-from-irsa, the service account's side: which role it names, and taking its IRSA wiring off once the
// association is verified. Only the role-arn annotation (and the audience annotation that goes with it) leave;
// every other annotation and label stays.
import { parseRoleArn } from '../../arn.js';
import { change, type ChangeList } from '../../core/changes.js';
import { check, type Check } from '../../core/check.js';
import type { AssociationGuard, ObservedAssociation, ObservedServiceAccount } from '../../core/types.js';
import type { BindingConfig, Config, RoleRef } from '../../inputs/config.js';
import { RunError } from '../../errors.js';
import { IRSA_ROLE_TAG } from '../../core/ownership.js';
import { SERVICE_ACCOUNT } from './kind.js';
import { AUDIENCE_ANNOTATION, ROLE_ARN_ANNOTATION } from './plan.js';

/** The IRSA annotations a migration removes (the audience one only goes along with the role-arn one). */
export const IRSA_ANNOTATIONS = [ROLE_ARN_ANNOTATION, AUDIENCE_ANNOTATION] as const;

/**
 * The role of a migrating binding that gives none: the one its IRSA annotation names, or, once that annotation is
 * gone (a migration done, or stopped after removing it), the one its association names. Throws when neither says.
 */
export function roleFromServiceAccount(
  b: BindingConfig,
  sa: ObservedServiceAccount | null | undefined,
  associations: ObservedAssociation[] | undefined,
): RoleRef & { kind: 'arn' } {
  const who = `${b.namespace}/${b.serviceAccount}`;
  const annotated = sa?.annotations[ROLE_ARN_ANNOTATION]?.trim();
  const arn = annotated || associations?.[0]?.roleArn;
  if (!arn)
    throw new RunError(
      `Input "migrate-from-irsa" takes the role from the service account's ${ROLE_ARN_ANNOTATION} annotation, but ` +
        (sa ? `${who} has none (nor a Pod Identity association)` : `service account ${who} does not exist`) +
        ': give "role-name" or "role-arn".',
    );
  const parsed = parseRoleArn(arn);
  if (!parsed || parsed.partition !== b.partition)
    throw new RunError(
      `Input "migrate-from-irsa": the ${ROLE_ARN_ANNOTATION} annotation of ${who} is ${JSON.stringify(arn)}, ` +
        `not an IAM role ARN of partition ${b.partition}: fix it, or give "role-name" or "role-arn".`,
    );
  return { kind: 'arn', arn, name: parsed.name, path: parsed.path, accountId: parsed.accountId, annotated: true };
}

/**
 * The role IRSA gave a migrating binding's service account, when it is not the role the binding binds (given by
 * `role-name`/`role-arn`): its annotation, or once that is gone, the record the migration left on the association.
 * `accountId`: the account a role given by name is in.
 */
export function otherIrsaRoleArn(
  b: BindingConfig,
  sa: ObservedServiceAccount | null | undefined,
  associations: ObservedAssociation[] | undefined,
  accountId: string,
): string | undefined {
  if (b.mode !== 'pod-identity' || !b.migrateFromIrsa || b.state === 'absent' || b.role.kind === 'annotation')
    return undefined;
  const arn = sa?.annotations[ROLE_ARN_ANNOTATION]?.trim() || associations?.[0]?.tags[IRSA_ROLE_TAG];
  const parsed = arn ? parseRoleArn(arn) : undefined;
  if (!parsed || parsed.partition !== b.partition) return undefined;
  const account = b.role.kind === 'arn' ? b.role.accountId : accountId;
  return parsed.name === b.role.name && parsed.accountId === account ? undefined : arn;
}

/**
 * The IRSA annotations to take off a migrating service account, as they are now (the removal is refused if
 * either changes meanwhile). The audience annotation goes only along with the role-arn one.
 */
export function irsaAnnotations(sa: ObservedServiceAccount): Record<string, string> {
  if (!sa.annotations[ROLE_ARN_ANNOTATION]) return {};
  return Object.fromEntries(IRSA_ANNOTATIONS.filter((k) => k in sa.annotations).map((k) => [k, sa.annotations[k]!]));
}

/**
 * migrate-from-irsa: remove the annotations once the association is confirmed (`guard`, after `after`). Without
 * the flag, an annotation on a pod-identity binding's service account stays and is reported. Returns the id of the
 * removal, when there is one.
 */
export function planUnannotate(
  config: Config,
  roleArn: string,
  sa: ObservedServiceAccount | null,
  after: string[],
  guard: AssociationGuard[],
  out: ChangeList,
): string | undefined {
  const who = `${config.namespace}/${config.serviceAccount}`;
  const annotated = sa?.annotations[ROLE_ARN_ANNOTATION];
  if (!sa || !annotated) return undefined;
  if (!config.migrateFromIrsa) {
    out.warn(
      `Service account ${who} keeps its IRSA annotation ${ROLE_ARN_ANNOTATION}=${annotated}: Pod Identity takes ` +
        'precedence for new pods; set migrate-from-irsa: true to remove it (and its web-identity trust) once the ' +
        'association is verified.',
    );
    return undefined;
  }
  const annotations = irsaAnnotations(sa);
  const list = Object.entries(annotations)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const detail = `remove ${list} from ${who} (once the association is read back naming ${roleArn})`;
  const d = change('unannotate', SERVICE_ACCOUNT, 'remove', detail, after, {
    kind: 'unannotate-service-account',
    annotations,
  });
  return out.push({ ...d, guard });
}

/** After a migration: the service account carries no IRSA role annotation. */
export function checkUnannotated(config: Config, sa: ObservedServiceAccount | null | undefined): Check {
  const annotation = sa?.annotations[ROLE_ARN_ANNOTATION];
  return check(
    'IRSA annotation removed',
    sa === undefined ? undefined : !annotation,
    sa
      ? annotation
        ? `${ROLE_ARN_ANNOTATION}=${annotation} is still there`
        : `${config.namespace}/${config.serviceAccount} has no ${ROLE_ARN_ANNOTATION}`
      : sa === null
        ? `${config.namespace}/${config.serviceAccount} does not exist`
        : 'the service account was not read',
  );
}
