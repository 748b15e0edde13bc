// The whole plan: desired state (from the config) against observed state, as an ordered list of changes.
// Pure: no I/O. Apply carries it out; dry-run prints it.
import { issuerHostPath, oidcProviderArn, roleArn as buildRoleArn } from '../arn.js';
import type { Config } from '../inputs/config.js';
import { ChangeList, PlanError } from '../core/changes.js';
import { planOidcProvider } from '../resources/oidc-provider/plan.js';
import { planAddon, planAssociation } from '../resources/association/plan.js';
import { planRole } from '../resources/role-trust/plan.js';
import { planServiceAccount } from '../resources/service-account/plan.js';
import { irsaBinding, podIdentityBinding, type Binding } from '../resources/role-trust/trust.js';
import { planRestarts } from '../resources/workloads/plan.js';
import type { Observed, Plan } from '../core/types.js';

export { PlanError };

export function roleArnFor(config: Config, observed: Pick<Observed, 'role' | 'accountId'>): string {
  if (observed.role) return observed.role.arn;
  return config.role.kind === 'arn'
    ? config.role.arn
    : buildRoleArn(config.partition, observed.accountId, config.role.name);
}

export function providerArnFor(config: Config, accountId: string, issuer: string | undefined): string {
  if (!issuer)
    throw new PlanError(
      `Cluster ${config.clusterName} has no OIDC issuer, so IRSA cannot work; ` +
        "use mode pod-identity, or enable the cluster's OIDC issuer.",
    );
  return oidcProviderArn(config.partition, accountId, issuer);
}

/** Who must be able to assume the role: the pod identity service, or this service account through the OIDC provider. */
export function bindingFor(
  config: Config,
  observed: Pick<Observed, 'role' | 'accountId' | 'cluster'>,
): { binding: Binding; providerArn?: string } {
  if (config.mode === 'irsa') {
    const issuer = observed.cluster.issuer;
    const providerArn = providerArnFor(config, roleAccount(roleArnFor(config, observed)), issuer);
    return {
      binding: irsaBinding(
        providerArn,
        issuerHostPath(issuer!),
        config.namespace,
        config.serviceAccount,
        config.audience,
      ),
      providerArn,
    };
  }
  const scope = {
    clusterArn: observed.cluster.arn,
    namespace: config.namespace,
    serviceAccount: config.serviceAccount,
  };
  return { binding: podIdentityBinding(config.scopeTrust ? scope : undefined) };
}

/** `provenance`: tags naming the pipeline run, put only on what this run creates (never rewritten). */
export function plan(config: Config, observed: Observed, provenance: Readonly<Record<string, string>> = {}): Plan {
  const out = new ChangeList();
  const roleArn = roleArnFor(config, observed);
  const { binding, providerArn } = bindingFor(config, observed);
  const roleAfter = providerArn
    ? planOidcProvider(config, observed.cluster.issuer!, providerArn, observed.oidcProvider ?? null, out, provenance)
    : [];

  const roleDone = planRole(config, observed.role, binding, roleAfter, out, provenance);
  let waitForAddon = false;
  if (config.mode === 'pod-identity') {
    waitForAddon = planAddon(config, observed.addon, out);
    planAssociation(config, roleArn, observed.associations ?? [], roleDone, out, provenance);
  }
  if (observed.serviceAccount !== undefined)
    planServiceAccount(config, roleArn, observed.serviceAccount, observed.namespaceExists ?? true, roleDone, out);

  if (observed.pods || observed.workloads)
    planRestarts(
      config,
      roleArn,
      observed.pods ?? [],
      observed.workloads,
      [...out.changes],
      out,
      observed.associations?.[0]?.createdAt,
    );

  return {
    changes: out.changes,
    warnings: out.warnings,
    waitForAddon,
    roleArn,
    oidcProviderArn: providerArn,
  };
}

/** The OIDC provider lives in the role's account. */
const roleAccount = (arn: string) => arn.split(':')[4]!;
