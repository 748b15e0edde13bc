// The OIDC provider room's stage of a plan: per cluster, each provider its IRSA bindings need, once however many
// bindings trust it; the roles trusting it wait for its changes.
import { scopeOf } from '../../core/scopes.js';
import type { PlanRun } from '../../core/stages.js';
import { groupBy, type ClusterState } from '../../core/state.js';
import type { ObservedOidcProvider } from '../../core/types.js';
import { bindingKey, type BindingConfig } from '../../inputs/config.js';
import { planOidcProvider } from './plan.js';

export function planProviders(run: PlanRun, cluster: ClusterState, members: BindingConfig[]): void {
  const { resolved } = run.plan;
  const irsa = members.map(bindingKey).filter((k) => resolved.get(k)?.providerArn);
  for (const [arn, keys] of groupBy(irsa, (k) => resolved.get(k)!.providerArn!)) {
    const provider = run.state.providers.get(arn) as ObservedOidcProvider | null;
    const audiences = keys.map((k) => resolved.get(k)!.config.audience);
    const out = run.out.in(scopeOf({ kind: 'provider', arn }, keys, cluster.key, cluster.name));
    const issuer = cluster.info.issuer!;
    run.ready.providers.set(arn, planOidcProvider(cluster.name, issuer, arn, audiences, provider, out, run.provenance));
  }
}
