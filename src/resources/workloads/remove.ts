// Removal (`state: absent`): pods keep the identity they were created with, so after a removal those still carrying
// it keep using it. They are the stale ones: with restart-workloads their workloads are rolled out once the removal
// is written (the new pods come without it); without it, or when the service account itself goes (new pods of its
// workloads could not be created), a warning names them. Pods without the identity need nothing: a rerun is no write.
import type { Config } from '../../inputs/config.js';
import { change, type ChangeList } from '../../core/changes.js';
import type { ObservedAssociation, ObservedPod, ObservedWorkload } from '../../core/types.js';
import { WORKLOAD } from './kind.js';
import { ownerOf, podHasIdentity } from './plan.js';

export interface RemovalView {
  pods?: ObservedPod[];
  workloads?: ObservedWorkload[];
  associations?: ObservedAssociation[];
  /** The service account is deleted by this removal, or is gone already. */
  serviceAccountGone: boolean;
}

/**
 * Pods still carrying the removed identity. IRSA: the role's ARN in their environment. Pod Identity: the
 * container-credentials variables, while no association naming another role is left for the service account
 * (theirs would be that one's); never by age, which would restart the replacement pods again on every run.
 */
export function stalePods(config: Config, roleArn: string, view: RemovalView): ObservedPod[] {
  if (config.mode === 'pod-identity' && (view.associations ?? []).some((a) => a.roleArn !== roleArn)) return [];
  return (view.pods ?? []).filter((p) => podHasIdentity(config, roleArn, p));
}

/** `after`: the ids of the removal's changes (association, add-on write, annotation, trust): restarts follow them. */
export function planRemovalRestarts(
  config: Config,
  roleArn: string,
  view: RemovalView,
  after: string[],
  out: ChangeList,
): string[] {
  const stale = stalePods(config, roleArn, view);
  if (!stale.length) return [];
  const who = `${config.namespace}/${config.serviceAccount}`;
  const key = (w: ObservedWorkload) => `${w.kind}/${w.name}`;
  const owners = new Map(
    stale
      .map(ownerOf)
      .filter((w): w is ObservedWorkload => !!w)
      .map((w) => [key(w), w]),
  );
  const named = (ws: ObservedWorkload[]) => ws.map((w) => `${w.kind.toLowerCase()} ${config.namespace}/${w.name}`);
  const pods = stale.map((p) => p.name).join(', ');
  if (view.serviceAccountGone) {
    const what = owners.size ? `${named([...owners.values()]).join(', ')} (pods ${pods})` : `pods ${pods}`;
    out.warn(
      `${what} still run as ${who} with ${roleArn}, removed now; the service account is gone, so they are not ` +
        'restarted (their new pods could not be created): delete them, or give them another service account.',
    );
    return stale.map((p) => p.name);
  }
  if (!config.restartWorkloads || !view.workloads) {
    const of = owners.size ? ` (${named([...owners.values()]).join(', ')})` : '';
    out.warn(
      `${stale.length} pod(s) running as ${who} still carry ${roleArn}, removed now: ${pods}${of}. ` +
        'Restart them (or set restart-workloads: true).',
    );
    return stale.map((p) => p.name);
  }
  for (const w of view.workloads.filter((w) => owners.has(key(w))))
    out.push(
      change(
        `restart:${key(w)}`,
        WORKLOAD,
        'restart',
        `roll out ${w.kind.toLowerCase()} ${config.namespace}/${w.name}: its pods still carry the removed identity`,
        after,
        { kind: 'restart-workload', workload: w },
      ),
    );
  const bare = stale.filter((p) => !ownerOf(p) || !view.workloads!.some((w) => key(w) === key(ownerOf(p)!)));
  if (bare.length)
    out.warn(
      `Pods ${bare.map((p) => p.name).join(', ')} running as ${who} still carry ${roleArn}, removed now, ` +
        'and belong to no Deployment, StatefulSet or DaemonSet: delete and recreate them.',
    );
  return stale.map((p) => p.name);
}
