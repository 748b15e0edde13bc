// The resource kind this room owns, as the `changes` output names it.
export const MANAGED_POLICY = 'iam-managed-policy';
