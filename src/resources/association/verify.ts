import { check, type Check } from '../../core/check.js';
import type { ObservedAssociation } from '../../core/types.js';
import type { Config } from '../../inputs/config.js';
import { samePolicy } from '../../core/policy-doc.js';

/** The service account's association names the role and the target role given (or none). */
export function checkAssociation(
  config: Config,
  roleArn: string,
  associations: ObservedAssociation[] | undefined,
): Check {
  const a = associations?.[0];
  if (!a) return check('association', false, `no association for ${config.namespace}/${config.serviceAccount}`);
  const wanted = config.sessionPolicy;
  const policyOk = wanted ? !!a.policy && samePolicy(a.policy, wanted) : !a.policy;
  const session = [
    a.disableSessionTags ? 'no session tags' : '',
    a.policy ? `session policy ${policyOk ? 'as given' : 'differs'}` : '',
  ].filter(Boolean);
  return check(
    'association',
    a.roleArn === roleArn &&
      a.targetRoleArn === config.targetRoleArn &&
      a.disableSessionTags === config.disableSessionTags &&
      policyOk,
    `${a.associationId} → ${a.roleArn}${a.targetRoleArn ? ` → target ${a.targetRoleArn}` : ''}` +
      (session.length ? ` (${session.join(', ')})` : ''),
  );
}
