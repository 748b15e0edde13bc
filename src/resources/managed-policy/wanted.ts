// The customer-managed policies a binding keeps on its role: the one of `managed-policy`, and one per preset that
// upstream gives as a document (`<role name>-<preset>`). All are handled alike: made tagged as eks-pod-iam's, a
// new default version when the document differs in meaning, attached, deleted with a role eks-pod-iam created.
// The AWS managed policies presets name are attached like `policy-arns`. Pure: presets expand from their data.
import { policyArn } from '../../arn.js';
import { TAG_PREFIX } from '../../core/ownership.js';
import type { BindingConfig, PolicyDocument } from '../../inputs/config.js';
import { expandPreset, type ExpandedPreset } from '../../presets/index.js';

/** On a preset's policy: which preset at which upstream version made its document (`external-dns@v0.15.1`). */
export const PRESET_TAG = `${TAG_PREFIX}preset`;

export interface WantedPolicy {
  name: string;
  arn: string;
  document: PolicyDocument;
  /** The input users change to change it: what messages about it name. */
  input: 'managed-policy-name' | 'presets';
  /** A preset's policy: which preset, from which upstream document. */
  preset?: { name: string; version: string; source: string };
}

export type Wanting = Pick<
  BindingConfig,
  'partition' | 'region' | 'clusterName' | 'role' | 'managedPolicy' | 'presets'
>;

/** The account the role is in: a role given by ARN names it; one made by name is in the cluster's account. */
export const roleAccountOf = (b: Pick<BindingConfig, 'role'>, clusterAccount: string | undefined) =>
  b.role.kind === 'arn' ? b.role.accountId : clusterAccount;

/** Each preset of the binding, expanded for its role's account, region and cluster. */
export function expandedPresets(b: Wanting, accountId: string): ExpandedPreset[] {
  const ctx = { partition: b.partition, region: b.region, accountId, clusterName: b.clusterName };
  return b.presets.map((req) => expandPreset(req, ctx));
}

/** The binding's customer-managed policies; none until the role's account is known. */
export function wantedPolicies(b: Wanting, accountId: string | undefined): WantedPolicy[] {
  if (!accountId || !b.role.name) return [];
  const arnOf = (name: string) => policyArn(b.partition, accountId, name);
  const own: WantedPolicy[] = b.managedPolicy
    ? [{ ...b.managedPolicy, arn: arnOf(b.managedPolicy.name), input: 'managed-policy-name' }]
    : [];
  const presets = expandedPresets(b, accountId).flatMap((p): WantedPolicy[] => {
    if (!p.document) return [];
    const name = `${b.role.name}-${p.name}`;
    const preset = { name: p.name, version: p.version, source: p.source };
    return [{ name, arn: arnOf(name), document: p.document, input: 'presets', preset }];
  });
  return [...own, ...presets];
}

/** The AWS managed policies the binding's presets name (their ARNs need only the partition). */
export function presetPolicyArns(b: Wanting, accountId: string | undefined): string[] {
  if (!accountId || b.presets.length === 0) return [];
  return [...new Set(expandedPresets(b, accountId).flatMap((p) => p.awsManagedPolicyArns))];
}

/** The tags that say which preset made a policy's document. */
export const presetTags = (w: Pick<WantedPolicy, 'preset'>): Record<string, string> =>
  w.preset ? { [PRESET_TAG]: `${w.preset.name}@${w.preset.version}` } : {};
