// Read-back checks (seed 001's "confirm" steps, automated), per binding: each room checks its own resource.
// Pure: evaluated on an observation.
import type { Check } from '../core/check.js';
import type { Observed } from '../core/types.js';
import type { Config } from '../inputs/config.js';
import { checkAddon, checkAddonKept, checkOwnerAddon } from '../resources/addon/verify.js';
import { checkAssociation, checkAssociationRemoved } from '../resources/association/verify.js';
import { checkManagedPolicies } from '../resources/managed-policy/verify.js';
import { checkProvider } from '../resources/oidc-provider/verify.js';
import { checkPolicies, checkTargetRevoked } from '../resources/role-policies/verify.js';
import { checkTrust, checkTrustRemoved } from '../resources/role-trust/verify.js';
import { checkAnnotation, checkServiceAccountRemoved } from '../resources/service-account/verify.js';
import { checkTargetTrust, checkTargetTrustRemoved } from '../resources/target-role/verify.js';
import { checkSubjectRemoved } from '../resources/role-trust/migrate.js';
import { irsaBindingOf } from '../resources/role-trust/stage-migrate.js';
import { checkUnannotated } from '../resources/service-account/migrate.js';
import { bindingFor, roleArnFor } from '../core/resolve.js';
import type { RemovalIntent } from '../core/planning.js';

export type { Check };

export function verify(config: Config, observed: Observed, removal?: RemovalIntent): Check[] {
  const roleArn = roleArnFor(config, observed);
  const { binding, providerArn } = bindingFor(config, observed);
  if (config.state === 'absent') {
    // What was removed is gone; what must stay (a role not ours, a statement still used) is there.
    const intent = removal ?? { roleDeleted: false, roleKept: false, trustKept: false, serviceAccountDeleted: false };
    return [
      ...checkTrustRemoved(config.role.name, observed.role, binding, intent),
      ...(config.mode === 'pod-identity' ? [checkAssociationRemoved(config, roleArn, observed.associations)] : []),
      ...checkServiceAccountRemoved(config, roleArn, observed.serviceAccount, intent.serviceAccountDeleted),
      ...(intent.addonKept ? [checkAddonKept(observed.ownerAddon, intent.addonKept)] : []),
      ...(intent.target ? [checkTargetTrustRemoved(roleArn, intent.target, observed.targetRole)] : []),
      ...(intent.target?.revoked ? [checkTargetRevoked(config.role.name, intent.target.arn, observed.role)] : []),
    ];
  }
  const role = observed.role;
  const checks = [checkTrust(config.role.name, role, binding), ...checkPolicies(config, role)];
  checks.push(...checkManagedPolicies(config, observed.accountId, role, observed.managedPolicies));
  if (config.mode === 'pod-identity') {
    checks.push(checkAssociation(config, roleArn, observed.associations));
    checks.push(...migrationChecks(config, roleArn, observed));
    if (config.targetRoleArn)
      checks.push(checkTargetTrust(config.targetRoleArn, roleArn, observed.associations?.[0], observed.targetRole));
    if (config.addon) checks.push(...checkOwnerAddon(observed.ownerAddon, observed.associations));
    if (config.installAgent) checks.push(checkAddon(observed.addon, observed.cluster.autoMode));
  } else {
    checks.push(checkProvider(providerArn, observed.oidcProvider, config.audience));
    checks.push(...checkAnnotation(config, roleArn, observed.serviceAccount, observed.webhook));
  }
  return checks;
}

/** The migration's read-back: the annotation and the subject are gone (the association is checked as always). */
function migrationChecks(config: Config, roleArn: string, observed: Observed): Check[] {
  if (config.mode !== 'pod-identity' || !config.migrateFromIrsa) return [];
  const other = observed.irsaRole;
  const irsa = irsaBindingOf(config, other?.arn ?? roleArn, observed.cluster, observed.serviceAccount);
  return [checkUnannotated(config, observed.serviceAccount), checkSubjectRemoved(other ?? observed.role, irsa)];
}

export const failed = (checks: Check[]) => checks.filter((c) => c.ok === false && !c.advisory);
export const advisories = (checks: Check[]) => checks.filter((c) => c.ok === false && c.advisory);
