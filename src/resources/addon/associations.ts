// Service accounts an add-on owns (`addon`, e.g. aws-ebs-csi-driver's ebs-csi-controller-sa): their associations
// are the add-on's `podIdentityAssociations`, written with the add-on — CreateAddon when it is missing, else
// UpdateAddon with the complete list (EKS replaces it: the add-on's other associations are sent as they are; one
// left out is deleted, and an empty list removes them all — so `state: absent` leaves its service account out).
// Every binding of one add-on in a run, present or absent, goes into one write. Pure: no I/O.
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedAssociation, ObservedOwnerAddon } from '../../core/types.js';
import type { Config } from '../../inputs/config.js';
import { ADDON } from './kind.js';

/** With `addon` and no policy input, the role gets the policies the add-on recommends for its service account. */
export const usesRecommendedPolicies = (
  b: Pick<Config, 'addon' | 'policyArns' | 'inlinePolicy' | 'managedPolicy' | 'presets'>,
) => !!b.addon && b.policyArns.length === 0 && !b.inlinePolicy && !b.managedPolicy && b.presets.length === 0;

/** What the binding asks of its add-on is possible; returns the policies its role gets. */
export function addonBindingPolicies(
  config: Config,
  addon: ObservedOwnerAddon,
  associations: readonly ObservedAssociation[],
): readonly string[] {
  const { namespace, serviceAccount } = config;
  const who = `${namespace}/${serviceAccount}`;
  if (!addon.version)
    throw new PlanError(
      `EKS has no add-on named ${addon.name} for cluster ${config.clusterName} ("addon"): ` +
        'check the name with aws eks describe-addon-versions.',
    );
  const accounts = Object.keys(addon.serviceAccounts);
  if (!(serviceAccount in addon.serviceAccounts))
    throw new PlanError(
      `Add-on ${addon.name} takes no Pod Identity association for service account ${serviceAccount} ` +
        `(${accounts.length ? `its service accounts: ${accounts.join(', ')}` : 'it takes none'}).`,
    );
  const unsupported = [
    config.disableSessionTags ? '"disable-session-tags"' : '',
    config.sessionPolicy ? '"session-policy"' : '',
    config.targetRoleArn ? '"target-role-arn"' : '',
  ].filter(Boolean);
  if (unsupported.length)
    throw new PlanError(
      `${unsupported.join(', ')} cannot be set through add-on ${addon.name}: ` +
        "an add-on's associations name only a service account and a role.",
    );
  const namespaces = new Set(addon.installed?.associations.map((a) => a.namespace));
  if (namespaces.size && !namespaces.has(namespace))
    throw new PlanError(
      `Add-on ${addon.name} runs in namespace ${[...namespaces].join(', ')}, not ${namespace}: check "namespace".`,
    );
  const current = associations[0];
  if (current && (!addon.installed || current.ownerArn !== addon.installed.arn))
    throw new PlanError(
      `${who} already has the association ${current.associationId}` +
        `${current.ownerArn ? `, owned by ${current.ownerArn}` : ', not made by the add-on'}; EKS refuses a second ` +
        `one for the add-on: delete it (aws eks delete-pod-identity-association), then rerun.`,
    );
  return usesRecommendedPolicies(config) ? (addon.serviceAccounts[serviceAccount] ?? []) : config.policyArns;
}

export interface AddonMember {
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  /** state: absent — its association leaves the add-on, when it names `roleArn`. */
  absent?: boolean;
}

export interface AddonAssociation {
  serviceAccount: string;
  roleArn: string;
}

/** What an add-on write does: the service accounts whose association it removes, and those it leaves as they are. */
export interface AddonWrite {
  removed: string[];
  kept: AddonAssociation[];
}

/** The local id of an add-on's one association write (in the add-on's scope). */
export const ADDON_ASSOCIATIONS_WRITE = 'addon-associations';

/**
 * One write for all the add-on's bindings of the run, when one of them is not associated with its role yet or an
 * absent one's association is still there: the add-on's complete list with the present ones' roles, without the
 * absent ones' associations (only those naming their role: one naming another role is warned about and left),
 * the others as they are. Returns undefined when there is nothing to write.
 */
export function planAddonAssociations<M extends AddonMember>(
  clusterName: string,
  addon: ObservedOwnerAddon,
  members: readonly M[],
  after: string[],
  out: ChangeList,
  warn: (m: M, message: string) => void = (_, message) => out.warn(message),
): AddonWrite | undefined {
  const { installed, name } = addon;
  const current = new Map(installed?.associations.map((a) => [a.serviceAccount, a.roleArn]));
  const adding = members.filter((m) => !m.absent);
  const changed = adding.filter((m) => current.get(m.serviceAccount) !== m.roleArn);
  const removed = members.filter((m) => {
    const a = m.absent && installed?.associations.find((x) => x.serviceAccount === m.serviceAccount);
    if (!a || a.namespace !== m.namespace) return false;
    if (a.roleArn === m.roleArn) return true;
    warn(
      m,
      `The association of ${m.namespace}/${m.serviceAccount} in add-on ${name} names ${a.roleArn}, not ` +
        `${m.roleArn}: it is left as it is.`,
    );
    return false;
  });
  if (changed.length === 0 && removed.length === 0) return undefined;
  if (installed && ['CREATING', 'UPDATING', 'DELETING'].includes(installed.status))
    throw new PlanError(`Add-on ${name} in cluster ${clusterName} is ${installed.status}; rerun once it has settled.`);
  const wanted = new Map(current);
  for (const m of removed) wanted.delete(m.serviceAccount);
  for (const m of adding) wanted.set(m.serviceAccount, m.roleArn);
  const what = changed.map((m) => {
    const was = current.get(m.serviceAccount);
    return `${m.namespace}/${m.serviceAccount} → ${m.roleArn}${was ? ` (was ${was})` : ''}`;
  });
  const gone = removed.map((m) => `${m.namespace}/${m.serviceAccount} (→ ${m.roleArn})`);
  const touched = new Set([...removed, ...changed].map((m) => m.serviceAccount));
  const kept = [...current]
    .filter(([sa]) => !touched.has(sa))
    .map(([serviceAccount, roleArn]) => ({ serviceAccount, roleArn }));
  const where = `add-on ${name} in cluster ${clusterName}`;
  const detail = !installed
    ? `install ${where} with ${what.join(', ')}`
    : [
        what.length ? `associate through ${where}: ${what.join(', ')}` : `remove from ${where}: ${gone.join(', ')}`,
        what.length && gone.length ? `remove ${gone.join(', ')}` : '',
        kept.length ? `its ${kept.length} other association(s) kept` : '',
      ]
        .filter(Boolean)
        .join('; ');
  const action = !installed ? 'create' : what.length ? 'update' : 'remove';
  out.push(
    change(ADDON_ASSOCIATIONS_WRITE, ADDON, action, detail, after, {
      kind: 'addon-associations',
      addonName: name,
      install: !installed,
      associations: [...wanted].map(([serviceAccount, roleArn]) => ({ serviceAccount, roleArn })),
    }),
  );
  return { removed: removed.map((m) => m.serviceAccount), kept };
}
