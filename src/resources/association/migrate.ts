// migrate-from-irsa to a role other than the annotated one: the association records the annotated role (a tag),
// written with or before the association's own change and so before the annotation goes. The annotation is what
// named that role; once it is gone, a run stopped before the role's trust gave up the subject leaves the next run
// only this to find the role by.
import { change, type ChangeList } from '../../core/changes.js';
import { IRSA_ROLE_TAG } from '../../core/ownership.js';
import type { BindingKey } from '../../inputs/config.js';
import type { ObservedAssociation } from '../../core/types.js';
import { ASSOCIATION } from './kind.js';
import { associationRef, type AssociationIntent } from './plan.js';

/** `irsaRoleArn`: the annotated role. Folded into the association's create or tag change (foldAssociation). */
export function planIrsaRecord(
  key: BindingKey,
  current: ObservedAssociation | undefined,
  irsaRoleArn: string,
  out: ChangeList,
): void {
  if (current?.tags[IRSA_ROLE_TAG] === irsaRoleArn) return;
  out.intend<AssociationIntent>(associationRef(key), { record: irsaRoleArn });
}

/**
 * Once the move is complete (the subject is out of the annotated role's trust, or that role is gone, and the
 * annotation is gone), the record has done its job: it goes, so that reruns no longer read the annotated role.
 * `after`: the subject's removal and the binding's own changes. Nothing when no record is on the association or
 * planned for it.
 */
export function planIrsaRecordRemoval(
  key: BindingKey,
  current: ObservedAssociation | undefined,
  after: string[],
  out: ChangeList,
): void {
  const planned = out
    .settled(associationRef(key))
    .some((c) => (c.op.kind === 'create-association' || c.op.kind === 'tag-association') && IRSA_ROLE_TAG in c.op.tags);
  if (!planned && !(current && IRSA_ROLE_TAG in current.tags)) return;
  out.push(
    change(
      'association-untag',
      ASSOCIATION,
      'untag',
      `remove ${IRSA_ROLE_TAG} from ${current?.associationId ?? 'the association'} (the move from the IRSA role is ` +
        'complete: nothing is left to take out of its trust)',
      after,
      { kind: 'untag-association', associationArn: current?.associationArn, tagKeys: [IRSA_ROLE_TAG] },
    ),
  );
}
