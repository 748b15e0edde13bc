// Pods get their credentials' environment when they are created: running pods keep the old identity until
// restarted. Find them, and (with restart-workloads) roll out the workloads that own them, as
// `kubectl rollout restart` does.
import type { Config } from '../../inputs/config.js';
import { change, type ChangeList } from '../../core/changes.js';
import type { Change, ObservedPod, ObservedWorkload } from '../../core/types.js';
import { WORKLOAD } from './kind.js';

/**
 * Does the pod carry this binding's identity? IRSA: the webhook wrote the role ARN into its environment.
 * Pod Identity: the credentials variables are there, or the pod is younger than the association (where the
 * webhook does not inject, e.g. Fargate, age is the only sign, and it stops restarts from repeating forever).
 */
export function podHasIdentity(
  config: Config,
  roleArn: string,
  pod: ObservedPod,
  associationCreatedAt?: string,
): boolean {
  if (config.mode === 'irsa') return pod.env.AWS_ROLE_ARN === roleArn;
  if ('AWS_CONTAINER_CREDENTIALS_FULL_URI' in pod.env) return true;
  // Kubernetes timestamps have whole seconds: compare at that precision.
  return (
    !!associationCreatedAt &&
    !!pod.createdAt &&
    Date.parse(pod.createdAt) >= Math.floor(Date.parse(associationCreatedAt) / 1000) * 1000
  );
}

/** The workload that owns a pod: Deployments own pods through a ReplicaSet named <deployment>-<hash>. */
export function ownerOf(pod: ObservedPod): ObservedWorkload | undefined {
  const o = pod.owner;
  if (!o) return undefined;
  if (o.kind === 'ReplicaSet') return { kind: 'Deployment', name: o.name.replace(/-[a-z0-9]+$/, '') };
  return o.kind === 'StatefulSet' || o.kind === 'DaemonSet' ? { kind: o.kind, name: o.name } : undefined;
}

const IDENTITY_OPS = new Set([
  'create-association',
  'update-association',
  'addon-associations',
  'create-service-account',
  'annotate-service-account',
]);

export function planRestarts(
  config: Config,
  roleArn: string,
  pods: ObservedPod[],
  workloads: ObservedWorkload[] | undefined,
  earlier: readonly Change[],
  out: ChangeList,
  associationCreatedAt?: string,
): string[] {
  const stale = pods.filter((p) => !podHasIdentity(config, roleArn, p, associationCreatedAt));
  // Migrating: pods made before the annotation's removal still carry IRSA's environment, so it is one too.
  const identityChanges = earlier.filter(
    (c) =>
      (IDENTITY_OPS.has(c.op.kind) && (config.mode === 'irsa' || /association/.test(c.op.kind))) ||
      (config.migrateFromIrsa && c.op.kind === 'unannotate-service-account'),
  );
  const who = `${config.namespace}/${config.serviceAccount}`;
  if (!config.restartWorkloads || !workloads) {
    if (stale.length)
      out.warn(
        `${stale.length} pod(s) run as ${who} without this identity because they were created before it: ` +
          `${stale.map((p) => p.name).join(', ')}. Restart them (or set restart-workloads: true).`,
      );
    return stale.map((p) => p.name);
  }
  const key = (w: ObservedWorkload) => `${w.kind}/${w.name}`;
  const owningStale = new Set(
    stale
      .map(ownerOf)
      .filter((w): w is ObservedWorkload => !!w)
      .map(key),
  );
  for (const w of workloads) {
    const reason = identityChanges.length
      ? 'the identity changed in this run'
      : owningStale.has(key(w))
        ? 'its pods predate the identity'
        : '';
    if (!reason) continue;
    out.push(
      change(
        `restart:${key(w)}`,
        WORKLOAD,
        'restart',
        `roll out ${w.kind.toLowerCase()} ${config.namespace}/${w.name}: ${reason}`,
        identityChanges.map((c) => c.id),
        {
          kind: 'restart-workload',
          workload: w,
        },
      ),
    );
  }
  const bare = stale.filter((p) => !ownerOf(p) || !workloads.some((w) => key(w) === key(ownerOf(p)!)));
  if (bare.length)
    out.warn(
      `Pods ${bare.map((p) => p.name).join(', ')} run as ${who} without this identity ` +
        'and belong to no Deployment, StatefulSet or DaemonSet: delete and recreate them.',
    );
  return stale.map((p) => p.name);
}
