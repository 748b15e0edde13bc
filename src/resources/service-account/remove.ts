// Removal: a service account eks-pod-iam created (its label) is deleted — only the very object read; any other
// loses only the IRSA annotations that name this binding's role. Other annotations, labels and the namespace stay.
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../../core/ownership.js';
import type { Config } from '../../inputs/config.js';
import { change, type ChangeList } from '../../core/changes.js';
import type { ObservedServiceAccount } from '../../core/types.js';
import { SERVICE_ACCOUNT } from './kind.js';
import { irsaAnnotations } from './migrate.js';
import { ROLE_ARN_ANNOTATION } from './plan.js';

/** What happens to the service account; the id of its change, if any. */
export function planServiceAccountRemoval(
  config: Config,
  roleArn: string,
  sa: ObservedServiceAccount | null | undefined,
  out: ChangeList,
): { deleted: boolean; ids: string[] } {
  if (!sa) return { deleted: false, ids: [] };
  const who = `${config.namespace}/${config.serviceAccount}`;
  const annotation = sa.annotations[ROLE_ARN_ANNOTATION];
  // Ours, and not bound by IRSA to another role meanwhile (by hand): it goes.
  if (sa.labels[CREATED_BY_LABEL] === CREATED_BY_VALUE && (!annotation || annotation === roleArn)) {
    const id = out.push(
      change(
        'service-account',
        SERVICE_ACCOUNT,
        'delete',
        `delete service account ${who} (created by eks-pod-iam)`,
        [],
        { kind: 'delete-service-account', uid: sa.uid, resourceVersion: sa.resourceVersion },
      ),
    );
    return { deleted: true, ids: [id] };
  }
  if (config.mode !== 'irsa' || annotation !== roleArn) return { deleted: false, ids: [] };
  const annotations = irsaAnnotations(sa);
  const id = out.push(
    change(
      'service-account',
      SERVICE_ACCOUNT,
      'remove',
      `remove ${Object.keys(annotations).join(', ')} from ${who} (its other annotations and labels stay)`,
      [],
      { kind: 'unannotate-service-account', annotations },
    ),
  );
  return { deleted: false, ids: [id] };
}
