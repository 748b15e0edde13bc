// Plan for the IAM role: create it, or merge into it (trust, tags, boundary, policies). Never removes anything.
import type { Config } from '../../inputs/config.js';
import { INLINE_POLICY_NAME, MANAGED_TAG, ownershipTags } from '../../core/ownership.js';
import { parsePolicy, samePolicy, statementsOf } from '../../core/policy-doc.js';
import { allows, mergeTrust, statementFor, trustPolicySize, type Binding } from './trust.js';
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import type { ObservedRole } from '../../core/types.js';

export const ROLE_CREATE = 'role';
export const ROLE_TRUST = 'role-trust';

/** `provenance`: the run's identity tags (see ownership.ts), only on a role this run creates. */
export function planRole(
  config: Config,
  role: ObservedRole | null,
  binding: Binding,
  after: string[],
  out: ChangeList,
  provenance: Readonly<Record<string, string>> = {},
): string[] {
  const name = config.role.name;
  if (!role) {
    if (config.role.kind === 'arn')
      throw new PlanError(
        `The role ${config.role.arn} given as "role-arn" does not exist (or these credentials cannot read it); ` +
          'give role-name to have it created.',
      );
    const trust = { Version: '2012-10-17', Statement: [statementFor(binding)] };
    const tags = {
      ...config.tags,
      ...ownershipTags(config.clusterName, config.namespace, config.serviceAccount),
      ...provenance,
    };
    out.push(
      change(ROLE_CREATE, 'iam-role', 'create', `create role ${name} trusted by ${describe(binding)}`, after, {
        kind: 'create-role',
        name,
        trust,
        tags,
        boundary: config.permissionsBoundary,
        description:
          `Created by eks-pod-iam for ${config.mode} in cluster ${config.clusterName}, ` +
          `${config.namespace}/${config.serviceAccount}`,
        binding,
      }),
    );
    planPolicies(config, name, [], undefined, [ROLE_CREATE], out);
    return [ROLE_CREATE];
  }

  const done: string[] = [];
  const merge = mergeTrust(role.trust, binding);
  if (merge.changed) {
    const kept = countStatements(role.trust);
    out.push(
      change(
        ROLE_TRUST,
        'iam-role-trust',
        'update',
        `allow ${describe(binding)} in the trust policy of ${name} ` +
          `(${kept} existing statement${kept === 1 ? '' : 's'} kept; ${trustPolicySize(merge.document)} bytes)`,
        after,
        {
          kind: 'update-trust',
          roleName: name,
          trust: merge.document,
          binding,
        },
      ),
    );
    done.push(ROLE_TRUST);
  } else if (Object.keys(binding.context).length > 0 && config.mode === 'pod-identity') {
    // scope-trust asks for a narrower statement, but a broader one already lets every association in.
    const broader = statementsOf(parsePolicy(role.trust)).find((s) => allows(s, binding) && !s.Condition);
    if (broader) {
      const sid = typeof broader.Sid === 'string' && broader.Sid ? ` (statement ${broader.Sid})` : '';
      out.warn(
        `scope-trust: role ${name} already trusts ${binding.principal} without conditions${sid}, ` +
          'which allows any association; it is kept (remove it by hand to scope the role).',
      );
    }
  }
  const tagChanges = Object.fromEntries(Object.entries(config.tags).filter(([k, v]) => role.tags[k] !== v));
  if (Object.keys(tagChanges).length > 0)
    out.push(
      change('role-tags', 'iam-role', 'tag', `tag role ${name} with ${Object.keys(tagChanges).join(', ')}`, after, {
        kind: 'tag-role',
        roleName: name,
        tags: tagChanges,
      }),
    );
  if (config.permissionsBoundary && role.permissionsBoundaryArn !== config.permissionsBoundary) {
    if (role.tags[MANAGED_TAG] === 'true')
      out.push(
        change(
          'role-boundary',
          'iam-role',
          'update',
          `set the permissions boundary of ${name} to ${config.permissionsBoundary}`,
          after,
          { kind: 'put-boundary', roleName: name, boundary: config.permissionsBoundary },
        ),
      );
    else
      out.warn(
        `Role ${name} was not created by eks-pod-iam, so its permissions boundary is left as it is ` +
          `(${role.permissionsBoundaryArn ?? 'none'}).`,
      );
  }
  planPolicies(config, name, role.attachedPolicyArns, role.inlinePolicy, after, out);
  return done;
}

function planPolicies(
  config: Config,
  roleName: string,
  attached: string[],
  inline: ObservedRole['inlinePolicy'],
  after: string[],
  out: ChangeList,
): void {
  for (const arn of config.policyArns)
    if (!attached.includes(arn))
      out.push(
        change(`policy:${arn}`, 'iam-role-policy', 'attach', `attach ${arn} to ${roleName}`, after, {
          kind: 'attach-policy',
          roleName,
          policyArn: arn,
        }),
      );
  if (config.inlinePolicy && (!inline || !samePolicy(inline, config.inlinePolicy)))
    out.push(
      change(
        'inline-policy',
        'iam-inline-policy',
        inline ? 'update' : 'create',
        `${inline ? 'update' : 'put'} inline policy ${INLINE_POLICY_NAME} on ${roleName}`,
        after,
        {
          kind: 'put-inline-policy',
          roleName,
          policyName: INLINE_POLICY_NAME,
          document: config.inlinePolicy,
        },
      ),
    );
}

function describe(b: Binding): string {
  const subject = Object.entries(b.context).find(([k]) => k.endsWith(':sub'))?.[1];
  if (subject) return `${b.principal} for ${subject}`;
  return Object.keys(b.context).length ? `${b.principal} (scoped by session tags)` : b.principal;
}

const countStatements = (trust: ObservedRole['trust']) => {
  const s = parsePolicy(trust).Statement;
  return Array.isArray(s) ? s.length : s ? 1 : 0;
};
