// The resource kind this room owns, as the `changes` output names it: the trust policy of a binding's target role
// (the role EKS assumes after the association's role, usually in another account).
export const TARGET_TRUST = 'iam-target-role-trust';
