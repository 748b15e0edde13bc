// Plan for the Kubernetes namespace and service account. Only ever adds: other annotations and labels stay.
import type { Config } from '../../inputs/config.js';
import { change, type ChangeList } from '../../core/changes.js';
import type { ObservedServiceAccount } from '../../core/types.js';
import { NAMESPACE, SERVICE_ACCOUNT } from './kind.js';

export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
export const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

/** The annotations the service account must carry: IRSA's role ARN (and audience when not the default). */
export function desiredAnnotations(config: Config, roleArn: string): Record<string, string> {
  if (config.mode !== 'irsa') return {};
  return config.audience === DEFAULT_AUDIENCE
    ? { [ROLE_ARN_ANNOTATION]: roleArn }
    : { [ROLE_ARN_ANNOTATION]: roleArn, [AUDIENCE_ANNOTATION]: config.audience };
}

export function planServiceAccount(
  config: Config,
  roleArn: string,
  sa: ObservedServiceAccount | null,
  namespaceExists: boolean,
  after: string[],
  out: ChangeList,
): void {
  const who = `${config.namespace}/${config.serviceAccount}`;
  const annotations = desiredAnnotations(config, roleArn);
  if (!sa) {
    if (!config.createServiceAccount) {
      if (config.mode === 'irsa')
        out.warn(
          `Service account ${who} does not exist and create-service-account is false: ` +
            `create it with annotation ${ROLE_ARN_ANNOTATION}=${roleArn} (e.g. in your Helm values), ` +
            'or rerun once it exists.',
        );
      return;
    }
    if (!namespaceExists)
      out.push(
        change('namespace', NAMESPACE, 'create', `create namespace ${config.namespace}`, [], {
          kind: 'create-namespace',
          name: config.namespace,
        }),
      );
    const note = Object.keys(annotations).length ? ` annotated ${ROLE_ARN_ANNOTATION}=${roleArn}` : '';
    out.push(
      change(
        'service-account',
        SERVICE_ACCOUNT,
        'create',
        `create service account ${who}${note}`,
        namespaceExists ? after : [...after, 'namespace'],
        {
          kind: 'create-service-account',
          annotations,
        },
      ),
    );
    return;
  }
  const differing = Object.fromEntries(Object.entries(annotations).filter(([k, v]) => sa.annotations[k] !== v));
  if (Object.keys(differing).length === 0) return;
  out.push(
    change(
      'service-account',
      SERVICE_ACCOUNT,
      'annotate',
      `annotate ${who} with ${Object.entries(differing)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
      after,
      {
        kind: 'annotate-service-account',
        annotations: differing,
      },
    ),
  );
  if (sa.labels['app.kubernetes.io/managed-by'] === 'Helm')
    out.warn(
      `Service account ${who} is managed by Helm: put ${ROLE_ARN_ANNOTATION}: ${roleArn} in the chart's values too, ` +
        'or a later helm upgrade may remove it.',
    );
}
