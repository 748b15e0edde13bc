import { check, type Check } from '../../core/check.js';
import type { ObservedServiceAccount } from '../../core/types.js';
import type { Config } from '../../inputs/config.js';
import { ROLE_ARN_ANNOTATION } from './plan.js';

/** IRSA: the service account is annotated with the role, and the webhook that acts on it is installed. */
export function checkAnnotation(
  config: Config,
  roleArn: string,
  sa: ObservedServiceAccount | null | undefined,
  webhook: boolean | undefined,
): Check[] {
  const annotation = sa?.annotations[ROLE_ARN_ANNOTATION];
  const seen =
    webhook === undefined
      ? 'not readable with these credentials'
      : webhook
        ? 'pod-identity-webhook is installed'
        : 'no pod-identity-webhook MutatingWebhookConfiguration: pods will not get the role';
  return [
    check(
      'service account annotation',
      sa ? annotation === roleArn : undefined,
      sa
        ? `${ROLE_ARN_ANNOTATION}=${annotation ?? '(none)'}`
        : `${config.namespace}/${config.serviceAccount} does not exist yet`,
    ),
    check('pod identity webhook', webhook, seen, true),
  ];
}

/** Removal: the service account eks-pod-iam created is gone; any other no longer names the role (IRSA). */
export function checkServiceAccountRemoved(
  config: Config,
  roleArn: string,
  sa: ObservedServiceAccount | null | undefined,
  deleted: boolean,
): Check[] {
  const who = `${config.namespace}/${config.serviceAccount}`;
  if (deleted) return [check('service account deleted', !sa, sa ? `${who} still exists` : `${who} is gone`)];
  if (config.mode !== 'irsa' || !sa) return [];
  const annotation = sa.annotations[ROLE_ARN_ANNOTATION];
  return [
    check(
      'service account annotation removed',
      annotation !== roleArn,
      `${ROLE_ARN_ANNOTATION}=${annotation ?? '(none)'}; ${Object.keys(sa.annotations).length} annotation(s) left`,
    ),
  ];
}
