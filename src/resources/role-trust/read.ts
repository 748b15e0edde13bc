// The role's reader, what observe and the re-read after apply both use: one GetRole (and its policies, as its
// bindings need them), with the check that a role given by ARN is the one these credentials see by that name.
import type { IAMClient } from '@aws-sdk/client-iam';
import * as iam from '../../aws/iam.js';
import { INLINE_POLICY_NAME, TARGET_POLICY_NAME } from '../../core/ownership.js';
import type { ObservedRole } from '../../core/types.js';
import { RunError } from '../../errors.js';
import type { BindingConfig } from '../../inputs/config.js';
import { usesRecommendedPolicies } from '../addon/associations.js';

/** What a role's reads (observe, and again to verify) include for its bindings: attached and inline policies. */
export const roleReadOptions = (bindings: readonly BindingConfig[]): iam.RoleReadOptions => ({
  policies: bindings.some(
    (b) => b.policyArns.length > 0 || !!b.managedPolicy || b.presets.length > 0 || usesRecommendedPolicies(b),
  ),
  inlinePolicyName: bindings.some((b) => b.inlinePolicy) ? INLINE_POLICY_NAME : undefined,
  targetPolicyName: bindings.some((b) => b.targetRoleArn) ? TARGET_POLICY_NAME : undefined,
});

/** One read of the role, with what any of its bindings needs (attached policies, the inline policy). */
export async function readRole(client: IAMClient, bindings: BindingConfig[]): Promise<ObservedRole | null> {
  const name = bindings[0]!.role.name;
  const role = await iam.readRole(client, name, {
    ...roleReadOptions(bindings),
    removal: bindings.some((b) => b.state === 'absent'),
  });
  for (const b of bindings)
    if (role && b.role.kind === 'arn' && role.arn !== b.role.arn)
      throw new RunError(
        b.role.annotated
          ? `Service account ${b.namespace}/${b.serviceAccount} is annotated with role ${b.role.arn}, but these ` +
              `credentials see ${role.arn} under that name: give "role-name" or "role-arn" to migrate it.`
          : `Input "role-arn" is ${b.role.arn}, but these credentials see ${role.arn} under that name: ` +
              "use the role's exact ARN, in the credentials' own account.",
      );
  return role;
}

/** The role itself (its trust, tags, boundary; no policies): what a trust write merges into and watches. */
export const readTrust = (client: IAMClient, name: string): Promise<ObservedRole | null> =>
  iam.readRole(client, name, { policies: false, inlinePolicyName: undefined });

/**
 * The role read again to verify what a run wrote: only what `opts` asks for; with `known` (the role as the writes
 * answered it), GetRole itself only when `known.getRole` (see aws/iam readRole).
 */
export const rereadRole = (
  client: IAMClient,
  name: string,
  opts: iam.RoleReadOptions,
  known?: { role: ObservedRole; getRole: boolean },
): Promise<ObservedRole | null> => iam.readRole(client, name, opts, known);
