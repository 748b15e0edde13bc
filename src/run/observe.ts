// Gathers the observed state the plan needs, reading independent things concurrently:
// the role chain, the cluster (then Kubernetes and the OIDC provider), the add-on and the association.
import type { AwsClients } from '../aws/clients.js';
import * as eks from '../aws/eks.js';
import * as iam from '../aws/iam.js';
import { eksTokens } from '../aws/token.js';
import { clusterArn } from '../arn.js';
import { RunError } from '../errors.js';
import type { Config } from '../inputs/config.js';
import * as k8s from '../kube/client.js';
import type { Kube } from '../kube/client.js';
import { bindingFor, providerArnFor } from './plan.js';
import { INLINE_POLICY_NAME } from '../core/ownership.js';
import { AGENT_ADDON } from '../resources/association/plan.js';
import type { Observed, ObservedRole } from '../core/types.js';

export interface Observation {
  observed: Observed;
  kube: Kube | undefined;
}

/** Kubernetes is only needed to create or annotate the service account (or restart workloads). */
export const needsKube = (config: Config) =>
  config.mode === 'irsa' || config.createServiceAccount || config.restartWorkloads;

export async function observe(config: Config, aws: AwsClients, env: NodeJS.ProcessEnv): Promise<Observation> {
  const roleChain = readRole(config, aws);
  const clusterChain = readCluster(config, aws);
  // EKS clusters are only visible to their own account, so the cluster's ARN names the account a role created
  // by name lands in (no STS call needed); a role given by ARN names its own.
  const accountChain =
    config.role.kind === 'arn'
      ? Promise.resolve(config.role.accountId)
      : clusterChain.then((c) => c.arn?.split(':')[4] || callerAccount(aws));
  const podIdentity = config.mode === 'pod-identity';
  const addon =
    podIdentity && config.installAgent
      ? eks.describeAddon(aws.eks, config.clusterName, AGENT_ADDON)
      : Promise.resolve(undefined);
  const associations = podIdentity
    ? eks.readAssociations(aws.eks, config.clusterName, config.namespace, config.serviceAccount)
    : Promise.resolve(undefined);

  // A kubeconfig needs nothing from DescribeCluster: read Kubernetes alongside it, not after.
  const kubeChain = !needsKube(config)
    ? Promise.resolve(undefined)
    : config.kube.kind === 'eks'
      ? clusterChain.then((cluster) => readKube(config, aws, cluster, env))
      : readKube(config, aws, undefined, env);
  const provider =
    config.mode === 'irsa'
      ? Promise.all([accountChain, clusterChain]).then(([accountId, cluster]) =>
          iam.readOidcProvider(aws.iam, providerArnFor(config, accountId, cluster.identity?.oidc?.issuer)),
        )
      : Promise.resolve(undefined);

  // Settle everything before failing, so no call is left running when the first error is reported.
  const settled = await Promise.allSettled([
    roleChain,
    clusterChain,
    accountChain,
    addon,
    associations,
    kubeChain,
    provider,
  ]);
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  const [role, accountId, cluster] = await Promise.all([roleChain, accountChain, clusterChain]);
  const kube = await kubeChain;

  const observed: Observed = {
    accountId,
    cluster: {
      arn: cluster.arn || clusterArn(config.partition, config.region, accountId, config.clusterName),
      issuer: cluster.identity?.oidc?.issuer,
    },
    role,
    addon: await addon,
    associations: await associations,
    oidcProvider: await provider,
    serviceAccount: kube?.serviceAccount,
    namespaceExists: kube?.namespaceExists,
    pods: kube?.pods,
    workloads: kube?.workloads,
    webhook: kube?.webhook,
  };
  return { observed, kube: kube?.kube };
}

/** Only when DescribeCluster gave no ARN to read the account from. */
async function callerAccount(aws: AwsClients): Promise<string> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  return (await (await aws.sts()).send(new GetCallerIdentityCommand({}))).Account!;
}

async function readRole(config: Config, aws: AwsClients): Promise<ObservedRole | null> {
  const role = await iam.readRole(aws.iam, config.role.name, {
    policies: config.policyArns.length > 0,
    inlinePolicyName: config.inlinePolicy ? INLINE_POLICY_NAME : undefined,
  });
  if (config.role.kind === 'arn') {
    if (role && role.arn !== config.role.arn)
      throw new RunError(
        `Input "role-arn" is ${config.role.arn}, but these credentials see ${role.arn} under that name: ` +
          "use the role's exact ARN, in the credentials' own account.",
      );
  }
  return role;
}

async function readCluster(config: Config, aws: AwsClients) {
  const cluster = await eks.describeCluster(aws.eks, config.clusterName);
  if (!cluster)
    throw new RunError(
      `EKS cluster ${config.clusterName} was not found in ${config.region}: check "cluster-name" and "aws-region".`,
    );
  return cluster;
}

async function readKube(
  config: Config,
  aws: AwsClients,
  cluster: Awaited<ReturnType<typeof readCluster>> | undefined,
  env: NodeJS.ProcessEnv,
) {
  // A token per request, renewed before it expires: a run may outlive one (a long add-on wait, then restarts).
  const tokens =
    config.kube.kind === 'eks' ? eksTokens(aws.eks.config, config.clusterName, config.region, env) : undefined;
  await tokens?.(); // the first one now: a credentials failure is reported as such, not as a Kubernetes one
  const endpoint = cluster && {
    name: config.clusterName,
    endpoint: cluster.endpoint ?? '',
    caData: cluster.certificateAuthority?.data,
  };
  const kube = await k8s.connect(config.kube, endpoint, tokens);
  const { namespace, serviceAccount: name } = config;
  const [serviceAccount, pods, workloads, webhook] = await Promise.all([
    k8s.readServiceAccount(kube, namespace, name),
    // Only for naming stale pods: a runner that may not list pods still gets its binding.
    k8s.listPods(kube, namespace, name).catch(() => undefined),
    config.restartWorkloads ? k8s.listWorkloads(kube, namespace, name) : Promise.resolve(undefined),
    config.mode === 'irsa' ? k8s.webhookPresent(kube) : Promise.resolve(undefined),
  ]);
  const namespaceExists = serviceAccount ? true : await k8s.namespaceExists(kube, namespace);
  return { kube, serviceAccount, namespaceExists, pods, workloads, webhook };
}

/**
 * Reads again what the applied changes touched (for verification); everything else is as observed.
 * `ready(resources)` settles when the changes to those resources are done, so each read starts as soon as it can.
 */
export async function reobserve(
  config: Config,
  aws: AwsClients,
  kube: Kube | undefined,
  before: Observed,
  touched: Set<string>,
  ready: (resources: readonly string[]) => Promise<void> = async () => undefined,
): Promise<Observed> {
  const reread = <T>(resources: string[], read: () => Promise<T>, unchanged: T): Promise<T> | T =>
    resources.some((r) => touched.has(r)) ? ready(resources).then(read) : unchanged;
  const [role, addon, associations, oidcProvider, serviceAccount] = await Promise.all([
    reread(
      ['iam-role', 'iam-role-trust', 'iam-role-policy', 'iam-inline-policy'],
      () => readRole(config, aws),
      before.role,
    ),
    config.installAgent
      ? reread(['eks-addon'], () => eks.describeAddon(aws.eks, config.clusterName, AGENT_ADDON), before.addon)
      : before.addon,
    reread(
      ['pod-identity-association'],
      () => eks.readAssociations(aws.eks, config.clusterName, config.namespace, config.serviceAccount),
      before.associations,
    ),
    reread(
      ['iam-oidc-provider'],
      () => iam.readOidcProvider(aws.iam, bindingFor(config, before).providerArn!),
      before.oidcProvider,
    ),
    kube
      ? reread(
          ['service-account'],
          () => k8s.readServiceAccount(kube, config.namespace, config.serviceAccount),
          before.serviceAccount,
        )
      : before.serviceAccount,
  ]);
  return { ...before, role, addon, associations, oidcProvider, serviceAccount };
}
