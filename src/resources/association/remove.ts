// Removal: the service account's association goes when it names this binding's role; one naming another role is
// not this binding's and stays. One an add-on owns goes through the add-on (`addon`: the add-on room), not here.
import type { Config } from '../../inputs/config.js';
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedAssociation } from '../../core/types.js';
import { ASSOCIATION } from './kind.js';

/** Returns its deletions' change ids and associations (the trust is taken back only after them). */
export function planAssociationRemoval(
  config: Config,
  roleArn: string,
  existing: ObservedAssociation[],
  out: ChangeList,
): { id: string; associationId: string }[] {
  const who = `${config.namespace}/${config.serviceAccount}`;
  const deleted: { id: string; associationId: string }[] = [];
  for (const a of existing) {
    if (a.roleArn !== roleArn) {
      out.warn(`The association ${a.associationId} of ${who} names ${a.roleArn}, not ${roleArn}: it is left as it is.`);
      continue;
    }
    if (a.ownerArn) {
      // arn:aws:eks:<region>:<account>:addon/<cluster>/<add-on>/<id>
      const addon = a.ownerArn.split(':').pop()?.split('/')[2] ?? '<add-on>';
      throw new PlanError(
        `The pod identity association ${a.associationId} for ${who} is owned by ${a.ownerArn} ` +
          `(an add-on); remove it through that add-on: set "addon: ${addon}".`,
      );
    }
    const id = out.push(
      change(
        `association:${a.associationId}`,
        ASSOCIATION,
        'delete',
        `delete ${a.associationId} (${who} → ${roleArn})`,
        [],
        {
          kind: 'delete-association',
          associationId: a.associationId,
        },
      ),
    );
    deleted.push({ id, associationId: a.associationId });
  }
  return deleted;
}
