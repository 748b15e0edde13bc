// migrate-from-irsa to another role than the annotated one: the annotated role's trust gives up the subject, so it
// is read too — only then, once the service accounts have said which role it is, and only when no binding of the
// run binds it (that read serves both). A role of another account, or one GetRole is denied for, is not readable:
// the run says what to remove by hand instead of failing.
import type { ObservedTarget } from '../core/types.js';
import { bindingKey, type BindingKey, type RunConfig } from '../inputs/config.js';
import { accountOf } from '../arn.js';
import { clusterKeyOf, irsaRoleArnOf, isFailed, type BindingState, type Failed, type RunState } from './state.js';

export async function readIrsaRoles(
  run: RunConfig,
  clusters: RunState['clusters'],
  bindings: Map<BindingKey, BindingState | Failed>,
  boundRoles: ReadonlySet<string>,
  read: (arn: string, accountId: string) => Promise<ObservedTarget>,
): Promise<Map<string, ObservedTarget | Failed>> {
  const state = { run, clusters, bindings, roles: new Map(), providers: new Map() } satisfies RunState;
  const reads = new Map<string, Promise<ObservedTarget | Failed>>();
  for (const b of run.bindings) {
    const arn = irsaRoleArnOf(state, b, bindingKey(b));
    const cluster = clusters.get(clusterKeyOf(b));
    if (!arn || !cluster || isFailed(cluster) || reads.has(arn)) continue;
    // One of the run's roles, in the credentials' account: read with it already.
    if (boundRoles.has(arn.split('/').pop()!) && accountOf(arn) === cluster.accountId) continue;
    reads.set(
      arn,
      read(arn, cluster.accountId).catch((e: unknown) => ({ error: e instanceof Error ? e : new Error(String(e)) })),
    );
  }
  return new Map(await Promise.all([...reads].map(async ([arn, p]) => [arn, await p] as const)));
}
