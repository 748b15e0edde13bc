// Plan for the customer-managed policy of `managed-policy`: create it, tagged as made by eks-pod-iam, when missing;
// when its default version differs in meaning, make the document its new default version (IAM keeps five versions,
// so with five the oldest non-default one is deleted first). A policy of that name that eks-pod-iam did not make is
// never changed. Attaching it is the role-policies room's (one attach per role and policy, whoever asks).
import { accountOf, policyArn } from '../../arn.js';
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import { MANAGED_TAG } from '../../core/ownership.js';
import { samePolicy } from '../../core/policy-doc.js';
import type { ObservedManagedPolicy } from '../../core/types.js';
import type { Config, ManagedPolicy } from '../../inputs/config.js';
import { MANAGED_POLICY } from './kind.js';

/** IAM keeps at most this many versions of a managed policy. */
export const MAX_VERSIONS = 5;

/** The policy lives in the role's account. */
export const managedPolicyArnFor = (config: Pick<Config, 'partition' | 'managedPolicy'>, roleArn: string) =>
  config.managedPolicy && policyArn(config.partition, accountOf(roleArn), config.managedPolicy.name);

/** Why the policy may not be touched: it exists and eks-pod-iam did not make it. */
export function foreignPolicy(policy: ObservedManagedPolicy | null | undefined): string | undefined {
  if (!policy || policy.tags[MANAGED_TAG] === 'true') return undefined;
  return (
    `Input "managed-policy-name": the policy ${policy.arn} exists and eks-pod-iam did not make it ` +
    `(no ${MANAGED_TAG} tag), so it is never changed: give another name, or attach it with "policy-arns".`
  );
}

/** Returns the ids of the changes an attach must wait for (the policy must exist to be attached). */
export function planManagedPolicy(
  wanted: ManagedPolicy,
  arn: string,
  roles: readonly string[],
  policy: ObservedManagedPolicy | null,
  out: ChangeList,
  provenance: Readonly<Record<string, string>> = {},
): string[] {
  const foreign = foreignPolicy(policy);
  if (foreign) throw new PlanError(foreign);
  const { name, document } = wanted;
  if (!policy)
    return [
      out.push(
        change('policy', MANAGED_POLICY, 'create', `create policy ${name} (${arn})`, [], {
          kind: 'create-managed-policy',
          policyArn: arn,
          name,
          document: { ...document },
          tags: { [MANAGED_TAG]: 'true', ...provenance },
          description: `Created by eks-pod-iam for role ${roles.join(', ')}`,
        }),
      ),
    ];
  if (samePolicy(policy.document, document)) return [];
  const after: string[] = [];
  const oldest = policy.versions.find((v) => !v.isDefault);
  if (policy.versions.length >= MAX_VERSIONS && oldest) {
    const detail =
      `delete version ${oldest.versionId} of policy ${name}, the oldest of its ${policy.versions.length} ` +
      `(IAM keeps ${MAX_VERSIONS})`;
    after.push(
      out.push(
        change(`version:${oldest.versionId}`, MANAGED_POLICY, 'delete-version', detail, [], {
          kind: 'delete-policy-version',
          policyArn: arn,
          versionId: oldest.versionId,
        }),
      ),
    );
  }
  out.push(
    change(
      'version',
      MANAGED_POLICY,
      'update',
      `make the document the default version of policy ${name} (was ${policy.defaultVersionId})`,
      after,
      { kind: 'create-policy-version', policyArn: arn, document: { ...document } },
    ),
  );
  return [];
}
