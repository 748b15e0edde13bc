// Tags that mark what eks-pod-iam created, so owned and adopted roles can be told apart
// (only owned roles may ever lose something eks-pod-iam put there).

export const TAG_PREFIX = 'eks-pod-iam:';
export const MANAGED_TAG = `${TAG_PREFIX}managed`;
export const CLUSTER_TAG = `${TAG_PREFIX}cluster`;
export const NAMESPACE_TAG = `${TAG_PREFIX}namespace`;
export const SERVICE_ACCOUNT_TAG = `${TAG_PREFIX}service-account`;

/** The tags put on a role eks-pod-iam creates, besides the user's own. */
export function ownershipTags(cluster: string, namespace: string, serviceAccount: string): Record<string, string> {
  return {
    [MANAGED_TAG]: 'true',
    [CLUSTER_TAG]: cluster,
    [NAMESPACE_TAG]: namespace,
    [SERVICE_ACCOUNT_TAG]: serviceAccount,
  };
}

export const OWNERSHIP_TAG_COUNT = 4;

/** Name of the inline policy that carries the `inline-policy` input. */
export const INLINE_POLICY_NAME = 'eks-pod-iam';
