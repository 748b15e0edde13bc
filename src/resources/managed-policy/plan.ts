// Plan for a customer-managed policy (`managed-policy`, or a preset's; see wanted.ts): create it, tagged as made by
// eks-pod-iam, when missing; when its default version differs in meaning, make the document its new default version
// (IAM keeps five versions, so with five the oldest non-default one is deleted first). A policy of that name that
// eks-pod-iam did not make is never changed. Attaching it is the role-policies room's (one attach per role and
// policy, whoever asks).
import { PlanError, change, type ChangeList } from '../../core/changes.js';
import { MANAGED_TAG } from '../../core/ownership.js';
import { samePolicy } from '../../core/policy-doc.js';
import type { ObservedManagedPolicy } from '../../core/types.js';
import { MANAGED_POLICY } from './kind.js';
import { PRESET_TAG, presetTags, type WantedPolicy } from './wanted.js';

/** IAM keeps at most this many versions of a managed policy. */
export const MAX_VERSIONS = 5;

/**
 * Why the policy may not be touched: it exists and eks-pod-iam did not make it. `preset`: the policy is a preset's
 * (`<name>` or `<name>@<version>`, as its tag says), whose name users change only by the role.
 */
export function foreignPolicy(policy: ObservedManagedPolicy | null | undefined, preset?: string): string | undefined {
  if (!policy || policy.tags[MANAGED_TAG] === 'true') return undefined;
  const why = `exists and eks-pod-iam did not make it (no ${MANAGED_TAG} tag), so it is never changed`;
  if (preset)
    return (
      `Input "presets": the policy ${policy.arn} (preset ${preset.split('@')[0]}) ${why}: ` +
      'attach it with "policy-arns" instead of the preset, or bind the preset to a role of another name.'
    );
  return (
    `Input "managed-policy-name": the policy ${policy.arn} ${why}: ` +
    'give another name, or attach it with "policy-arns".'
  );
}

/** The preset a policy's create or version change is for (its tag), for foreignPolicy. */
export const presetOf = (tags: Readonly<Record<string, string>> | undefined) => tags?.[PRESET_TAG];

/** Returns the ids of the changes an attach must wait for (the policy must exist to be attached). */
export function planManagedPolicy(
  wanted: Pick<WantedPolicy, 'name' | 'arn' | 'document' | 'preset'>,
  roles: readonly string[],
  policy: ObservedManagedPolicy | null,
  out: ChangeList,
  provenance: Readonly<Record<string, string>> = {},
): string[] {
  const { name, document, arn } = wanted;
  const preset = presetTags(wanted);
  const foreign = foreignPolicy(policy, presetOf(preset));
  if (foreign) throw new PlanError(foreign);
  const upstream = wanted.preset ? ` for preset ${wanted.preset.name} ${wanted.preset.version}` : '';
  if (!policy)
    return [
      out.push(
        change('policy', MANAGED_POLICY, 'create', `create policy ${name} (${arn})${upstream}`, [], {
          kind: 'create-managed-policy',
          policyArn: arn,
          name,
          document: { ...document },
          tags: { [MANAGED_TAG]: 'true', ...provenance, ...preset },
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
      `make the document the default version of policy ${name} (was ${policy.defaultVersionId})${upstream}`,
      after,
      // A preset's tag follows its document to the new upstream version.
      {
        kind: 'create-policy-version',
        policyArn: arn,
        document: { ...document },
        ...(wanted.preset && policy.tags[PRESET_TAG] !== preset[PRESET_TAG] ? { tags: preset } : {}),
      },
    ),
  );
  return [];
}
