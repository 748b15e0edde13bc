// Every resource kind a change can be about: each is named (and its name spelt) only in its own room.
import type { ADDON } from '../resources/addon/kind.js';
import type { ASSOCIATION } from '../resources/association/kind.js';
import type { MANAGED_POLICY } from '../resources/managed-policy/kind.js';
import type { OIDC_PROVIDER } from '../resources/oidc-provider/kind.js';
import type { INLINE_POLICY, ROLE_POLICY } from '../resources/role-policies/kind.js';
import type { ROLE, ROLE_TRUST } from '../resources/role-trust/kind.js';
import type { NAMESPACE, SERVICE_ACCOUNT } from '../resources/service-account/kind.js';
import type { TARGET_TRUST } from '../resources/target-role/kind.js';
import type { WORKLOAD } from '../resources/workloads/kind.js';

export type ResourceKind =
  | typeof ROLE
  | typeof ROLE_TRUST
  | typeof ROLE_POLICY
  | typeof INLINE_POLICY
  | typeof MANAGED_POLICY
  | typeof OIDC_PROVIDER
  | typeof ADDON
  | typeof ASSOCIATION
  | typeof NAMESPACE
  | typeof SERVICE_ACCOUNT
  | typeof WORKLOAD
  | typeof TARGET_TRUST;
