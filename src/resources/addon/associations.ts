// Service accounts an add-on owns (`addon`, e.g. aws-ebs-csi-driver's ebs-csi-controller-sa): their associations
// are the add-on's `podIdentityAssociations`, written with the add-on — CreateAddon when it is missing, else
// UpdateAddon with the complete list (EKS replaces it: the add-on's other associations are sent as they are).
// Every binding of one add-on in a run goes into one write. Pure: no I/O.
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedAssociation, ObservedOwnerAddon } from '../../core/types.js';
import type { Config } from '../../inputs/config.js';
import { ADDON } from './kind.js';

/** The scope (and read-back unit) of one add-on's association write. */
export const addonAssociationsScope = (clusterKey: string, addonName: string) =>
  `addon-associations:${clusterKey}/${addonName}`;

/** With `addon` and no policy input, the role gets the policies the add-on recommends for its service account. */
export const usesRecommendedPolicies = (b: Pick<Config, 'addon' | 'policyArns' | 'inlinePolicy' | 'managedPolicy'>) =>
  !!b.addon && b.policyArns.length === 0 && !b.inlinePolicy && !b.managedPolicy;

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
}

/** One write for all the add-on's bindings of the run, when one of them is not associated with its role yet. */
export function planAddonAssociations(
  clusterName: string,
  addon: ObservedOwnerAddon,
  members: readonly AddonMember[],
  after: string[],
  out: ChangeList,
): void {
  const { installed, name } = addon;
  const current = new Map(installed?.associations.map((a) => [a.serviceAccount, a.roleArn]));
  const changed = members.filter((m) => current.get(m.serviceAccount) !== m.roleArn);
  if (changed.length === 0) return;
  if (installed && ['CREATING', 'UPDATING', 'DELETING'].includes(installed.status))
    throw new PlanError(`Add-on ${name} in cluster ${clusterName} is ${installed.status}; rerun once it has settled.`);
  const wanted = new Map(current);
  for (const m of members) wanted.set(m.serviceAccount, m.roleArn);
  const what = changed.map((m) => {
    const was = current.get(m.serviceAccount);
    return `${m.namespace}/${m.serviceAccount} → ${m.roleArn}${was ? ` (was ${was})` : ''}`;
  });
  const kept = [...current.keys()].filter((sa) => !members.some((m) => m.serviceAccount === sa)).length;
  const detail = installed
    ? `associate through add-on ${name} in cluster ${clusterName}: ${what.join(', ')}` +
      (kept ? `; its ${kept} other association(s) kept` : '')
    : `install add-on ${name} in cluster ${clusterName} with ${what.join(', ')}`;
  out.push(
    change('addon-associations', ADDON, installed ? 'update' : 'create', detail, after, {
      kind: 'addon-associations',
      addonName: name,
      install: !installed,
      associations: [...wanted].map(([serviceAccount, roleArn]) => ({ serviceAccount, roleArn })),
    }),
  );
}
