// planRun against observations given per binding, as the pure plan tests use it: `plan` for one binding (its
// changes and warnings, or the PlanError of its failure), `planMany` for several bindings of one cluster.
import { bindingKey, type BindingConfig, type Config } from '../../src/inputs/config.js';
import type { Observed } from '../../src/core/types.js';
import { PlanError } from '../../src/core/changes.js';
import { planRun } from '../../src/run/plan.js';
import { bindingFor } from '../../src/core/resolve.js';
import { clusterKeyOf, type RunState } from '../../src/core/state.js';

/** The run state of bindings of one cluster, each with what was observed for it (shared things from the first). */
export function stateOf(items: readonly { config: Config; observed: Observed }[]): RunState {
  const { installAgent, dryRun, kube, waitTimeoutSeconds } = items[0]!.config;
  const bs = items.map(({ config }): BindingConfig => {
    const { installAgent: _i, dryRun: _d, kube: _k, waitTimeoutSeconds: _w, ...binding } = config;
    return { ...binding, index: undefined };
  });
  const run = {
    ...({ installAgent, dryRun, kube, waitTimeoutSeconds, verifyCredentials: 'none', probeImage: '' } as const),
    bindings: bs,
    skipped: [],
  };
  const first = items[0]!;
  const clusterKey = clusterKeyOf(bs[0]!);
  const podIdentity = items.some((i) => i.config.mode === 'pod-identity');
  const cluster = {
    key: clusterKey,
    name: bs[0]!.clusterName,
    region: bs[0]!.region,
    aws: undefined as never,
    accountId: first.observed.accountId,
    info: first.observed.cluster,
    addon: podIdentity && installAgent ? first.observed.addon : undefined,
    webhook: first.observed.webhook,
  };
  const providers = new Map<string, Observed['oidcProvider'] | null>();
  for (const { config, observed } of items) {
    try {
      const arn = bindingFor(config, observed).providerArn;
      if (arn) providers.set(arn, observed.oidcProvider ?? null);
    } catch {
      // no issuer: planRun says so
    }
  }
  const entries = <T>(f: (o: Observed, b: BindingConfig) => [string, T][]) =>
    new Map(items.flatMap(({ observed }, i) => f(observed, bs[i]!)));
  const targets = entries((o, b) => (b.targetRoleArn && o.targetRole ? [[b.targetRoleArn, o.targetRole]] : []));
  const policies = entries((o) => Object.entries(o.managedPolicies ?? {}));
  const irsaRoles = entries((o) => (o.irsaRole ? [[o.irsaRole.arn, o.irsaRole]] : []));
  return {
    run,
    clusters: new Map([[clusterKey, cluster]]),
    roles: entries((o, b) => [[b.role.name, o.role]]),
    providers: providers as RunState['providers'],
    bindings: new Map(items.map(({ observed }, i) => [bindingKey(bs[i]!), { ...observed }])),
    ...(targets.size ? { targets } : {}),
    ...(items.some((i) => i.observed.managedPolicies) ? { policies } : {}),
    ...(irsaRoles.size ? { irsaRoles } : {}),
  };
}

/** Several bindings of one cluster in one run. */
export function planMany(
  items: readonly { config: Config; observed: Observed }[],
  provenance: Readonly<Record<string, string>> = {},
) {
  return planRun(stateOf(items), provenance);
}

/** One binding alone: its changes, warnings, add-on wait and role; its failure thrown as the PlanError it was. */
export function plan(config: Config, observed: Observed, provenance: Readonly<Record<string, string>> = {}) {
  const p = planMany([{ config, observed }], provenance);
  const key = bindingKey(config);
  const failure = p.failures.get(key);
  if (failure) throw new PlanError(failure);
  let providerArn: string | undefined;
  try {
    providerArn = bindingFor(config, observed).providerArn;
  } catch {
    // no issuer: planRun said so
  }
  return {
    changes: p.changes,
    warnings: p.warnings.map((w) => w.message),
    waitForAddon: p.addonWaits.length > 0,
    roleArn: p.resolved.get(key)!.roleArn,
    oidcProviderArn: providerArn,
  };
}
