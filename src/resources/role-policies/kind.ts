// The resource kinds this room owns, as the `changes` output names them.
export const ROLE_POLICY = 'iam-role-policy';
export const INLINE_POLICY = 'iam-inline-policy';
