// Tags that mark what eks-pod-iam created, so owned and adopted roles can be told apart
// (only owned roles may ever lose something eks-pod-iam put there).

export const TAG_PREFIX = 'eks-pod-iam:';
export const MANAGED_TAG = `${TAG_PREFIX}managed`;
export const CLUSTER_TAG = `${TAG_PREFIX}cluster`;
export const NAMESPACE_TAG = `${TAG_PREFIX}namespace`;
export const SERVICE_ACCOUNT_TAG = `${TAG_PREFIX}service-account`;
/**
 * On a migrated service account's association: the role its IRSA annotation named, when that is not the
 * association's role. The annotation goes before that role's trust gives up the subject: a run stopped in between
 * leaves the next one this to finish from.
 */
export const IRSA_ROLE_TAG = `${TAG_PREFIX}irsa-role-arn`;

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

/**
 * Provenance: which pipeline run created a resource (the platform shell supplies them). Put only on what a run
 * creates and never rewritten, so a rerun from another run stays a no-op. GitHub: repository, workflow and run
 * URL; Octopus: server, project and task. At most this many, so user tags can be counted against IAM's 50.
 */
export const PROVENANCE_TAG_COUNT = 3;
export const GITHUB_REPOSITORY_TAG = `${TAG_PREFIX}github-repository`;
export const GITHUB_WORKFLOW_TAG = `${TAG_PREFIX}github-workflow`;
export const GITHUB_RUN_TAG = `${TAG_PREFIX}github-run`;
export const OCTOPUS_SERVER_TAG = `${TAG_PREFIX}octopus-server`;
export const OCTOPUS_PROJECT_TAG = `${TAG_PREFIX}octopus-project`;
export const OCTOPUS_TASK_TAG = `${TAG_PREFIX}octopus-task`;

/**
 * Tags from whatever the pipeline reports: empty values dropped, each value made a valid IAM/EKS tag value
 * (letters, digits, spaces and `_.:/=+-@`, at most 256 characters; anything else becomes `_`).
 */
export function provenanceTags(values: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values).slice(0, PROVENANCE_TAG_COUNT)) {
    const clean = (value ?? '').replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').trim();
    if (clean) out[key] = [...clean].slice(0, 256).join('').trim(); // by code point, as IAM counts
  }
  return out;
}

/** The label on the namespaces and service accounts eks-pod-iam creates (such a service account goes on removal). */
export const CREATED_BY_LABEL = 'app.kubernetes.io/created-by';
export const CREATED_BY_VALUE = 'eks-pod-iam';

/** Name of the inline policy that carries the `inline-policy` input. */
export const INLINE_POLICY_NAME = 'eks-pod-iam';

/** Name of the inline policy that lets the association's role assume its target roles (`target-role-arn`). */
export const TARGET_POLICY_NAME = 'eks-pod-iam-target';
