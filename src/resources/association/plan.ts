// Plan for the service account's pod identity association: create it, or update it in place.
import type { Config } from '../../inputs/config.js';
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedAssociation } from '../../core/types.js';
import { samePolicy } from '../../core/policy-doc.js';
import { ASSOCIATION } from './kind.js';

const sessionNote = (config: Config) =>
  (config.targetRoleArn ? `, then target role ${config.targetRoleArn}` : '') +
  (config.sessionPolicy ? ', no session tags, a session policy' : config.disableSessionTags ? ', no session tags' : '');

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
      change('association', ASSOCIATION, 'create', `associate ${who} with ${roleArn}${sessionNote(config)}`, after, {
        kind: 'create-association',
        roleArn,
        tags: { ...config.tags, ...provenance },
        disableSessionTags: config.disableSessionTags,
        policy: config.sessionPolicy && JSON.stringify(config.sessionPolicy),
        ...(config.targetRoleArn ? { targetRoleArn: config.targetRoleArn } : {}),
      }),
    );
    return;
  }
  if (current.ownerArn) {
    // arn:aws:eks:<region>:<account>:addon/<cluster>/<add-on>/<id>
    const addon = current.ownerArn.split(':').pop()?.split('/')[2] ?? '<add-on>';
    throw new PlanError(
      `The pod identity association ${current.associationId} for ${who} is owned by ${current.ownerArn} ` +
        `(an add-on); bind it through that add-on: set "addon: ${addon}".`,
    );
  }
  // Another target (or none): changed in place; the association keeps its id.
  const target = current.targetRoleArn !== config.targetRoleArn;
  const clearTargetRole = target && !config.targetRoleArn;
  const sessionTags = current.disableSessionTags !== config.disableSessionTags;
  // Compared by meaning: whitespace or key order never causes a write.
  const wanted = config.sessionPolicy;
  const policy = wanted ? !current.policy || !samePolicy(current.policy, wanted) : !!current.policy;
  if (current.roleArn !== roleArn || target || sessionTags || policy) {
    const what = [
      current.roleArn !== roleArn ? `role ${current.roleArn} → ${roleArn}` : '',
      clearTargetRole ? `clear target role ${current.targetRoleArn}` : '',
      target && config.targetRoleArn
        ? `target role ${current.targetRoleArn ? `${current.targetRoleArn} → ` : ''}${config.targetRoleArn}`
        : '',
      sessionTags ? `${config.disableSessionTags ? 'disable' : 'enable'} session tags` : '',
      policy ? (wanted ? `${current.policy ? 'change' : 'set'} the session policy` : 'remove the session policy') : '',
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
          ...(target && config.targetRoleArn ? { targetRoleArn: config.targetRoleArn } : {}),
          ...(sessionTags ? { disableSessionTags: config.disableSessionTags } : {}),
          ...(policy ? { policy: wanted ? JSON.stringify(wanted) : '' } : {}),
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
