// Plan for the Kubernetes namespace and service account. Only ever adds: other annotations and labels stay.
import { bindingKey, type BindingKey, type Config } from '../../inputs/config.js';
import { change, refKey, type ChangeList, type Owner, type Ref } from '../../core/changes.js';
import type { ObservedServiceAccount } from '../../core/types.js';
import { NAMESPACE, SERVICE_ACCOUNT } from './kind.js';

export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
export const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

/** A binding whose service account is created in a namespace that does not exist yet. */
export interface NamespaceIntent {
  binding: BindingKey;
}

export const namespaceRef = (cluster: string, name: string): Ref => ({ kind: 'namespace', cluster, name });
const namespaceOwner = (cluster: string, name: string): Owner => ({ kind: 'namespace', cluster, name });
/** The id of a namespace's creation: every service account created in it waits for that one change. */
export const namespaceId = (cluster: string, name: string) => `namespace@${refKey(namespaceOwner(cluster, name))}`;

/**
 * Bindings that share a new namespace: it is created once, listed where (and in the scope of) the first binding
 * still planned wanted it, serving all of them.
 */
export function settleNamespace(ref: Ref & { kind: 'namespace' }, live: (k: BindingKey) => boolean, out: ChangeList) {
  const from = out.intents<NamespaceIntent>(ref).findIndex((i) => live(i.binding));
  const d = change('namespace', NAMESPACE, 'create', `create namespace ${ref.name}`, [], {
    kind: 'create-namespace',
    name: ref.name,
  });
  out.settle(ref, from < 0 ? [] : [{ ...d, from }], namespaceOwner(ref.cluster, ref.name));
}

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
    const cluster = `${config.region}/${config.clusterName}`;
    if (!namespaceExists)
      out.intend<NamespaceIntent>(namespaceRef(cluster, config.namespace), { binding: bindingKey(config) });
    const note = Object.keys(annotations).length ? ` annotated ${ROLE_ARN_ANNOTATION}=${roleArn}` : '';
    out.push(
      change(
        'service-account',
        SERVICE_ACCOUNT,
        'create',
        `create service account ${who}${note}`,
        namespaceExists ? after : [...after, namespaceId(cluster, config.namespace)],
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
