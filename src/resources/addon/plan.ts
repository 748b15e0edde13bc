// Plan for the cluster's eks-pod-identity-agent add-on: install it when missing; wait while it is coming up.
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedAddon } from '../../core/types.js';
import { ADDON, AGENT_ADDON } from './kind.js';

const FAILED = new Set(['CREATE_FAILED', 'DEGRADED', 'UPDATE_FAILED', 'DELETE_FAILED']);

/** Returns whether the run must wait for the add-on to become ACTIVE. */
export function planAddon(clusterName: string, addon: ObservedAddon | null | undefined, out: ChangeList): boolean {
  if (addon === undefined) return false;
  if (addon === null) {
    out.push(
      change('addon', ADDON, 'create', `install add-on ${AGENT_ADDON} in cluster ${clusterName}`, [], {
        kind: 'create-addon',
        addonName: AGENT_ADDON,
      }),
    );
    return true;
  }
  if (addon.status === 'ACTIVE') return false;
  if (addon.status === 'CREATING' || addon.status === 'UPDATING') return true;
  if (FAILED.has(addon.status)) throw new PlanError(addonFailure(clusterName, addon));
  throw new PlanError(`Add-on ${AGENT_ADDON} in cluster ${clusterName} is ${addon.status}; rerun once it has settled.`);
}

export function addonFailure(cluster: string, addon: ObservedAddon, addonName = AGENT_ADDON): string {
  const issues = addon.healthIssues.map((i) => `${i.code ?? 'issue'}: ${i.message ?? ''}`.trim()).join('; ');
  return (
    `Add-on ${addonName} in cluster ${cluster} is ${addon.status}${issues ? ` (${issues})` : ''}; ` +
    'fix it in the EKS console or with aws eks update-addon, then rerun.'
  );
}
