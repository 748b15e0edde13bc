// Plan for the service account's pod identity association: create it, or update it in place. What the binding
// wants of it (planAssociation) and the record a migration leaves on it (planIrsaRecord) are intents, folded into
// its changes by foldAssociation.
import { bindingKey, type BindingKey, type Config } from '../../inputs/config.js';
import { PlanError, change, type ChangeList, type Folded, type Ref } from '../../core/changes.js';
import type { ObservedAssociation } from '../../core/types.js';
import { IRSA_ROLE_TAG } from '../../core/ownership.js';
import { samePolicy } from '../../core/policy-doc.js';
import { ASSOCIATION } from './kind.js';

/** What a planner wants of a binding's association. */
export interface AssociationIntent {
  /** The binding's association as its inputs say, once `after` is done. */
  want?: { config: Config; roleArn: string; after: string[]; provenance: Readonly<Record<string, string>> };
  /** migrate-from-irsa to another role: the annotated role, recorded as a tag (see migrate.ts). */
  record?: string;
}

export const associationRef = (binding: BindingKey): Ref => ({ kind: 'association', binding });

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
  const current = existing[0];
  if (current?.ownerArn) {
    // arn:aws:eks:<region>:<account>:addon/<cluster>/<add-on>/<id>
    const addon = current.ownerArn.split(':').pop()?.split('/')[2] ?? '<add-on>';
    throw new PlanError(
      `The pod identity association ${current.associationId} for ${config.namespace}/${config.serviceAccount} is ` +
        `owned by ${current.ownerArn} (an add-on); bind it through that add-on: set "addon: ${addon}".`,
    );
  }
  out.intend<AssociationIntent>(associationRef(bindingKey(config)), { want: { config, roleArn, after, provenance } });
}

/** The association's changes: its create, or its update and its tags (each listed where it was first wanted). */
export function foldAssociation(current: ObservedAssociation | undefined, intents: readonly AssociationIntent[]) {
  const w = intents.findIndex((i) => i.want);
  if (w < 0) return [];
  const { config, roleArn, after, provenance } = intents[w]!.want!;
  const r = intents.findIndex((i) => i.record && current?.tags[IRSA_ROLE_TAG] !== i.record);
  const record: Record<string, string> = r < 0 ? {} : { [IRSA_ROLE_TAG]: intents[r]!.record! };
  const who = `${config.namespace}/${config.serviceAccount}`;
  if (!current) {
    const detail = `associate ${who} with ${roleArn}${sessionNote(config)}`;
    const d = change('association', ASSOCIATION, 'create', detail, after, {
      kind: 'create-association',
      roleArn,
      tags: { ...config.tags, ...provenance, ...record },
      disableSessionTags: config.disableSessionTags,
      policy: config.sessionPolicy && JSON.stringify(config.sessionPolicy),
      ...(config.targetRoleArn ? { targetRoleArn: config.targetRoleArn } : {}),
    });
    return [{ ...d, from: w }];
  }
  const update = planUpdate(config, roleArn, current, after);
  const folded: Folded[] = update ? [{ ...update, from: w }] : [];
  const tags = Object.fromEntries(Object.entries(config.tags).filter(([k, v]) => current.tags[k] !== v));
  const names = Object.keys(tags);
  const op = { kind: 'tag-association', associationArn: current.associationArn } as const;
  if (names.length > 0) {
    const detail = `tag ${current.associationId} with ${[...names, ...Object.keys(record)].join(', ')}`;
    folded.push({
      ...change('association-tags', ASSOCIATION, 'tag', detail, [], { ...op, tags: { ...tags, ...record } }),
      from: w,
    });
  } else if (r >= 0) {
    const detail =
      `tag ${current.associationId} with ${IRSA_ROLE_TAG}=${record[IRSA_ROLE_TAG]} (the role IRSA used, whose trust ` +
      "gives up the service account's subject)";
    const waits = update ? ['association'] : [];
    folded.push({ ...change('association-tags', ASSOCIATION, 'tag', detail, waits, { ...op, tags: record }), from: r });
  }
  return folded;
}

/** Folds every intent about the binding's association into its changes; returns their ids. */
export function settleAssociation(key: BindingKey, current: ObservedAssociation | undefined, out: ChangeList) {
  const ref = associationRef(key);
  return out.settle(ref, foldAssociation(current, out.intents<AssociationIntent>(ref)));
}

/** An association there: changed in place when its role, target, session tags or session policy differ. */
function planUpdate(config: Config, roleArn: string, current: ObservedAssociation, after: string[]) {
  const who = `${config.namespace}/${config.serviceAccount}`;
  // Another target (or none): changed in place; the association keeps its id.
  const target = current.targetRoleArn !== config.targetRoleArn;
  const clearTargetRole = target && !config.targetRoleArn;
  const sessionTags = current.disableSessionTags !== config.disableSessionTags;
  // Compared by meaning: whitespace or key order never causes a write.
  const wanted = config.sessionPolicy;
  const policy = wanted ? !current.policy || !samePolicy(current.policy, wanted) : !!current.policy;
  if (current.roleArn === roleArn && !target && !sessionTags && !policy) return undefined;
  const what = [
    current.roleArn !== roleArn ? `role ${current.roleArn} → ${roleArn}` : '',
    clearTargetRole ? `clear target role ${current.targetRoleArn}` : '',
    target && config.targetRoleArn
      ? `target role ${current.targetRoleArn ? `${current.targetRoleArn} → ` : ''}${config.targetRoleArn}`
      : '',
    sessionTags ? `${config.disableSessionTags ? 'disable' : 'enable'} session tags` : '',
    policy ? (wanted ? `${current.policy ? 'change' : 'set'} the session policy` : 'remove the session policy') : '',
  ].filter(Boolean);
  return change(
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
  );
}
