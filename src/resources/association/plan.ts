// Plan for the service account's pod identity association: create it, or update it in place.
import type { Config } from '../../inputs/config.js';
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedAssociation } from '../../core/types.js';
import { ASSOCIATION } from './kind.js';

export function planAssociation(
  config: Config,
  roleArn: string,
  existing: ObservedAssociation[],
  after: string[],
  out: ChangeList,
  provenance: Readonly<Record<string, string>> = {},
): void {
  const who = `${config.namespace}/${config.serviceAccount}`;
  const current = existing[0];
  if (!current) {
    out.push(
      change('association', ASSOCIATION, 'create', `associate ${who} with ${roleArn}`, after, {
        kind: 'create-association',
        roleArn,
        tags: { ...config.tags, ...provenance },
      }),
    );
    return;
  }
  if (current.ownerArn)
    throw new PlanError(
      `The pod identity association ${current.associationId} for ${who} is owned by ${current.ownerArn} ` +
        '(an add-on); change it through that add-on, not eks-pod-iam.',
    );
  const clearTargetRole = !!current.targetRoleArn;
  const enableSessionTags = current.disableSessionTags;
  if (current.roleArn !== roleArn || clearTargetRole || enableSessionTags) {
    const what = [
      current.roleArn !== roleArn ? `role ${current.roleArn} → ${roleArn}` : '',
      clearTargetRole ? `clear target role ${current.targetRoleArn}` : '',
      enableSessionTags ? 'enable session tags' : '',
    ].filter(Boolean);
    out.push(
      change(
        'association',
        ASSOCIATION,
        'update',
        `update ${current.associationId} for ${who}: ${what.join(', ')}`,
        after,
        {
          kind: 'update-association',
          associationId: current.associationId,
          roleArn,
          clearTargetRole,
          enableSessionTags,
        },
      ),
    );
  }
  const tagChanges = Object.fromEntries(Object.entries(config.tags).filter(([k, v]) => current.tags[k] !== v));
  if (Object.keys(tagChanges).length > 0)
    out.push(
      change(
        'association-tags',
        ASSOCIATION,
        'tag',
        `tag ${current.associationId} with ${Object.keys(tagChanges).join(', ')}`,
        [],
        {
          kind: 'tag-association',
          associationArn: current.associationArn,
          tags: tagChanges,
        },
      ),
    );
}
