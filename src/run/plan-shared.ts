// The shared things of a plan, each planned once for the bindings that need it: per cluster the agent add-on and
// the OIDC providers, and each customer-managed policy. Pure.
import { bindingKey, type BindingConfig } from '../inputs/config.js';
import type { ChangeList } from '../core/changes.js';
import type { ObservedManagedPolicy } from '../core/types.js';
import { planAddon } from '../resources/addon/plan.js';
import { planManagedPolicy } from '../resources/managed-policy/plan.js';
import { planOidcProvider } from '../resources/oidc-provider/plan.js';
import type { ManagedAttach } from '../resources/role-policies/plan.js';
import type { Fail, Planning } from '../core/planning.js';
import { scopeOf } from '../core/scopes.js';
import { clusterKeyOf, groupBy, isFailed, wantedPoliciesOf, type RunState } from '../core/state.js';

/** Per cluster: the agent add-on (pod identity) and the OIDC providers (IRSA). Returns each provider's change ids. */
export function planClusters(
  state: RunState,
  bindings: BindingConfig[],
  out: ChangeList,
  plan: Planning,
  fail: Fail,
  provenance: Readonly<Record<string, string>>,
): Map<string, string[]> {
  const providerReady = new Map<string, string[]>();
  for (const [clusterKey, members] of groupBy(bindings, clusterKeyOf)) {
    const cluster = state.clusters.get(clusterKey);
    if (!cluster || isFailed(cluster)) continue;
    const podIdentity = members.filter((b) => b.mode === 'pod-identity').map(bindingKey);
    const scoped = out.in(scopeOf({ kind: 'cluster', cluster: clusterKey }, podIdentity, clusterKey, cluster.name));
    try {
      if (podIdentity.length && planAddon(cluster.name, cluster.addon, scoped)) plan.addonWaits.push(clusterKey);
    } catch (e) {
      fail(podIdentity, e);
    }
    const irsa = members.map(bindingKey).filter((k) => plan.resolved.get(k)?.providerArn);
    for (const [arn, keys] of groupBy(irsa, (k) => plan.resolved.get(k)!.providerArn!)) {
      const provider = state.providers.get(arn) as Parameters<typeof planOidcProvider>[4];
      const audiences = keys.map((k) => plan.resolved.get(k)!.config.audience);
      const providerOut = out.in(scopeOf({ kind: 'provider', arn }, keys, clusterKey, cluster.name));
      providerReady.set(
        arn,
        planOidcProvider(cluster.name, cluster.info.issuer!, arn, audiences, provider, providerOut, provenance),
      );
    }
  }
  return providerReady;
}

/**
 * Each customer-managed policy (`managed-policy`, presets') once, however many bindings and roles give it (inputs
 * refuse two documents for one name); only for bindings that bind (`state: present`). Returns, per role, the
 * policies to attach and the changes the attach must wait for.
 */
export function planManagedPolicies(
  state: RunState,
  bindings: BindingConfig[],
  out: ChangeList,
  fail: Fail,
  provenance: Readonly<Record<string, string>>,
): Map<string, ManagedAttach[]> {
  const attach = new Map<string, ManagedAttach[]>();
  const uses = bindings
    .filter((b) => b.state === 'present')
    .flatMap((b) => wantedPoliciesOf(state, b).map((wanted) => ({ b, wanted })));
  for (const [arn, ws] of groupBy(uses, (u) => u.wanted.arn)) {
    const bs = ws.map((u) => u.b);
    const keys = bs.map(bindingKey);
    const roles = [...new Set(bs.map((b) => b.role.name))];
    const policy = (state.policies?.get(arn) ?? null) as ObservedManagedPolicy | null;
    const scoped = out.in(scopeOf({ kind: 'policy', arn }, keys, clusterKeyOf(bs[0]!)));
    try {
      const after = planManagedPolicy(ws[0]!.wanted, roles, policy, scoped, provenance);
      for (const role of roles) attach.set(role, [...(attach.get(role) ?? []), { arn, after }]);
    } catch (e) {
      fail(keys, e);
    }
  }
  return attach;
}
