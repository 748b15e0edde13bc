// The one-binding case of planRun against one observation, as the unit tests of the planners use it.
import { bindingKey, type BindingConfig, type Config } from '../inputs/config.js';
import type { Observed } from '../core/types.js';
import { PlanError } from '../core/changes.js';
import { planRun } from './plan.js';
import { bindingFor } from './resolve.js';
import { clusterKeyOf, type RunState } from './state.js';

export function plan(config: Config, observed: Observed, provenance: Readonly<Record<string, string>> = {}) {
  const { installAgent, dryRun, kube, waitTimeoutSeconds, ...binding } = config;
  const b: BindingConfig = { ...binding, index: undefined };
  const run = {
    ...({ installAgent, dryRun, kube, waitTimeoutSeconds, verifyCredentials: 'none', probeImage: '' } as const),
    bindings: [b],
    skipped: [],
  };
  const key = bindingKey(b);
  const clusterKey = clusterKeyOf(b);
  const cluster = {
    key: clusterKey,
    name: b.clusterName,
    region: b.region,
    aws: undefined as never,
    accountId: observed.accountId,
    info: observed.cluster,
    addon: config.mode === 'pod-identity' && installAgent ? observed.addon : undefined,
    webhook: observed.webhook,
  };
  let providerArn: string | undefined;
  try {
    providerArn = bindingFor(config, observed).providerArn;
  } catch {
    // no issuer: planRun says so
  }
  const state: RunState = {
    run,
    clusters: new Map([[clusterKey, cluster]]),
    roles: new Map([[b.role.name, observed.role]]),
    providers: new Map(providerArn ? [[providerArn, observed.oidcProvider ?? null]] : []),
    bindings: new Map([[key, { ...observed }]]),
    ...(b.targetRoleArn && observed.targetRole ? { targets: new Map([[b.targetRoleArn, observed.targetRole]]) } : {}),
    ...(observed.managedPolicies ? { policies: new Map(Object.entries(observed.managedPolicies)) } : {}),
    ...(observed.irsaRole ? { irsaRoles: new Map([[observed.irsaRole.arn, observed.irsaRole]]) } : {}),
  };
  const p = planRun(state, provenance);
  const failure = p.failures.get(key);
  if (failure) throw new PlanError(failure);
  return {
    changes: p.changes,
    warnings: p.warnings.map((w) => w.message),
    waitForAddon: p.addonWaits.length > 0,
    roleArn: p.resolved.get(key)!.roleArn,
    oidcProviderArn: providerArn,
  };
}
