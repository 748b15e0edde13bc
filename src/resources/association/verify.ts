import { check, type Check } from '../../core/check.js';
import type { ObservedAssociation } from '../../core/types.js';
import type { Config } from '../../inputs/config.js';

/** The service account's association names the role (and no target role). */
export function checkAssociation(
  config: Config,
  roleArn: string,
  associations: ObservedAssociation[] | undefined,
): Check {
  const a = associations?.[0];
  return check(
    'association',
    !!a && a.roleArn === roleArn && !a.targetRoleArn,
    a
      ? `${a.associationId} → ${a.targetRoleArn ?? a.roleArn}`
      : `no association for ${config.namespace}/${config.serviceAccount}`,
  );
}
