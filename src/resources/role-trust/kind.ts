// The resource kinds this room owns, as the `changes` output names them.
export const ROLE = 'iam-role';
export const ROLE_TRUST = 'iam-role-trust';
