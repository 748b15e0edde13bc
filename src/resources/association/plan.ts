// Plan for EKS Pod Identity: the agent add-on and the association of the service account.
import type { Config } from '../../inputs/config.js';
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedAddon, ObservedAssociation } from '../../core/types.js';

export const AGENT_ADDON = 'eks-pod-identity-agent';
const FAILED = new Set(['CREATE_FAILED', 'DEGRADED', 'UPDATE_FAILED', 'DELETE_FAILED']);

/** Returns whether the run must wait for the add-on to become ACTIVE. */
export function planAddon(config: Config, addon: ObservedAddon | null | undefined, out: ChangeList): boolean {
  if (!config.installAgent || addon === undefined) return false;
  if (addon === null) {
    out.push(
      change('addon', 'eks-addon', 'create', `install add-on ${AGENT_ADDON} in cluster ${config.clusterName}`, [], {
        kind: 'create-addon',
        addonName: AGENT_ADDON,
      }),
    );
    return true;
  }
  if (addon.status === 'ACTIVE') return false;
  if (addon.status === 'CREATING' || addon.status === 'UPDATING') return true;
  if (FAILED.has(addon.status)) throw new PlanError(addonFailure(config.clusterName, addon));
  throw new PlanError(
    `Add-on ${AGENT_ADDON} in cluster ${config.clusterName} is ${addon.status}; rerun once it has settled.`,
  );
}

export function addonFailure(cluster: string, addon: ObservedAddon): string {
  const issues = addon.healthIssues.map((i) => `${i.code ?? 'issue'}: ${i.message ?? ''}`.trim()).join('; ');
  return (
    `Add-on ${AGENT_ADDON} in cluster ${cluster} is ${addon.status}${issues ? ` (${issues})` : ''}; ` +
    'fix it in the EKS console or with aws eks update-addon, then rerun.'
  );
}

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
      change('association', 'pod-identity-association', 'create', `associate ${who} with ${roleArn}`, after, {
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
        'pod-identity-association',
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
        'pod-identity-association',
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
