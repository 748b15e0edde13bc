import { check, type Check } from '../../core/check.js';
import type { ObservedAddon, ObservedAssociation, ObservedOwnerAddon } from '../../core/types.js';
import { AGENT_ADDON } from './kind.js';

/** The Pod Identity agent runs: its add-on is ACTIVE, or the cluster is in EKS Auto Mode (the agent is built in). */
export const checkAddon = (addon: ObservedAddon | null | undefined, autoMode = false): Check =>
  autoMode
    ? check('agent add-on', true, 'EKS Auto Mode: the Pod Identity agent is built in, no add-on needed')
    : check('agent add-on', addon?.status === 'ACTIVE', `${AGENT_ADDON} is ${addon?.status ?? 'missing'}`);

/** `addon`: the service account's association is the add-on's, and the add-on is ACTIVE. */
export function checkOwnerAddon(
  addon: ObservedOwnerAddon | undefined,
  associations: readonly ObservedAssociation[] | undefined,
): Check[] {
  const a = associations?.[0];
  const installed = addon?.installed;
  return [
    check(
      'association owner',
      !!a && !!installed && a.ownerArn === installed.arn,
      a ? `${a.associationId} is owned by ${a.ownerArn ?? 'no add-on'}` : 'no association',
    ),
    // A write of this run waited for ACTIVE; still coming up (someone else's update) is reported, not failed:
    // the association is in place either way.
    check(
      'add-on',
      installed?.status === 'ACTIVE',
      `${addon?.name} is ${installed?.status ?? 'not installed'}`,
      installed?.status === 'CREATING' || installed?.status === 'UPDATING',
    ),
  ];
}

/** Removal through the add-on: the add-on is still installed, its other associations as they were. */
export function checkAddonKept(
  addon: ObservedOwnerAddon | undefined,
  kept: readonly { serviceAccount: string; roleArn: string }[],
): Check {
  const installed = addon?.installed;
  const now = new Map(installed?.associations.map((a) => [a.serviceAccount, a.roleArn]));
  const changed = kept.filter((k) => now.get(k.serviceAccount) !== k.roleArn).map((k) => k.serviceAccount);
  return check(
    'add-on associations kept',
    !!installed && changed.length === 0,
    !installed
      ? `${addon?.name} is not installed`
      : changed.length
        ? `${changed.join(', ')} no longer as it was`
        : `${addon.name} still has its ${kept.length} other association(s)`,
  );
}
