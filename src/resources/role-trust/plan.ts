// Plan for the IAM role and its trust: create it trusted by every binding of the role, or merge into its trust
// the bindings it does not allow yet, in one write. Tags and the boundary are added; nothing is removed.
import type { Config, PolicyDocument, RoleRef } from '../../inputs/config.js';
import { MANAGED_TAG, ownershipTags } from '../../core/ownership.js';
import { parsePolicy, statementsOf } from '../../core/policy-doc.js';
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedRole } from '../../core/types.js';
import { ROLE } from './kind.js';
import { describe, roleTrustRef, type TrustIntent } from './fold.js';
import { allows, mergeTrust, type Binding } from './trust.js';

/** One binding of a role: its inputs and who it lets assume the role. */
export interface RoleMember {
  config: Config;
  binding: Binding;
  /** IRSA: the provider the binding's trust names (the role waits for its changes). */
  providerArn?: string;
}

/** A role and every binding of this run that uses it, in input order. */
export interface RoleGroup {
  name: string;
  ref: RoleRef;
  members: RoleMember[];
}

type PolicyDocumentLike = string | PolicyDocument;

const CREATE = 'role';

/**
 * The ids of the changes the role's bindings must wait for (EKS and IRSA need the role and its trust): its creation;
 * the trust of an existing role is an intent, settled with the removals' (its id is the run's to give).
 */
export function planRole(
  group: RoleGroup,
  role: ObservedRole | null,
  after: string[],
  out: ChangeList,
  provenance: Readonly<Record<string, string>> = {},
): string[] {
  const { name, members } = group;
  const lead = members[0]!.config;
  const tags = Object.assign({}, ...members.map((m) => m.config.tags)) as Record<string, string>;
  if (!role) {
    if (group.ref.kind === 'arn') {
      const given = group.ref.annotated ? "named by the service account's annotation" : 'given as "role-arn"';
      throw new PlanError(
        `The role ${group.ref.arn} ${given} does not exist (or these credentials cannot read it); ` +
          'give role-name to have it created.',
      );
    }
    const trust = members.reduce<PolicyDocumentLike>((doc, m) => mergeTrust(doc, m.binding).document, EMPTY_TRUST);
    const who = members.map((m) => `${m.config.namespace}/${m.config.serviceAccount}`).join(', ');
    out.push(
      change(CREATE, ROLE, 'create', `create role ${name} trusted by ${describeAll(members)}`, after, {
        kind: 'create-role',
        name,
        trust: parsePolicy(trust),
        tags: { ...tags, ...ownershipTags(lead.clusterName, lead.namespace, lead.serviceAccount), ...provenance },
        boundary: lead.permissionsBoundary,
        description: `Created by eks-pod-iam for ${lead.mode} in cluster ${lead.clusterName}, ${who}`,
        bindings: members.map((m) => m.binding),
      }),
    );
    return out.ids([CREATE]);
  }

  // The trust: the bindings it does not allow yet are let in, in the role's one trust write (foldRoleTrust).
  let trust: PolicyDocumentLike = role.trust;
  const added: RoleMember[] = [];
  for (const m of members) {
    const merge = mergeTrust(trust, m.binding);
    if (merge.changed) {
      trust = merge.document;
      added.push(m);
    } else warnBroader(m, role, out);
  }
  if (added.length > 0) out.intend<TrustIntent>(roleTrustRef(name), { add: added.map((m) => m.binding), after });
  const tagChanges = Object.fromEntries(Object.entries(tags).filter(([k, v]) => role.tags[k] !== v));
  if (Object.keys(tagChanges).length > 0)
    out.push(
      change('role-tags', ROLE, 'tag', `tag role ${name} with ${Object.keys(tagChanges).join(', ')}`, after, {
        kind: 'tag-role',
        roleName: name,
        tags: tagChanges,
      }),
    );
  const boundary = lead.permissionsBoundary;
  if (boundary && role.permissionsBoundaryArn !== boundary) {
    if (role.tags[MANAGED_TAG] === 'true')
      out.push(
        change('role-boundary', ROLE, 'update', `set the permissions boundary of ${name} to ${boundary}`, after, {
          kind: 'put-boundary',
          roleName: name,
          boundary,
        }),
      );
    else
      out.warn(
        `Role ${name} was not created by eks-pod-iam, so its permissions boundary is left as it is ` +
          `(${role.permissionsBoundaryArn ?? 'none'}).`,
      );
  }
  return [];
}

const EMPTY_TRUST = { Version: '2012-10-17', Statement: [] };

/** scope-trust asks for a narrower statement, but a broader one already lets every association in. */
function warnBroader(m: RoleMember, role: ObservedRole, out: ChangeList): void {
  if (Object.keys(m.binding.context).length === 0 || m.config.mode !== 'pod-identity') return;
  const broader = statementsOf(parsePolicy(role.trust)).find((s) => allows(s, m.binding) && !s.Condition);
  if (!broader) return;
  const sid = typeof broader.Sid === 'string' && broader.Sid ? ` (statement ${broader.Sid})` : '';
  out.warn(
    `scope-trust: role ${role.name} already trusts ${m.binding.principal} without conditions${sid}, ` +
      'which allows any association; it is kept (remove it by hand to scope the role).',
  );
}

const describeAll = (members: RoleMember[]) => [...new Set(members.map((m) => describe(m.binding)))].join(', ');
