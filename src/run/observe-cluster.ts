// The cluster's reads, once per cluster: DescribeCluster, the agent add-on, and the Kubernetes connection (made
// alongside DescribeCluster when a kubeconfig is given, from its answer otherwise).
import { clusterArn } from '../arn.js';
import type { AwsClients } from '../aws/clients.js';
import * as eks from '../aws/eks.js';
import { eksTokens } from '../aws/token.js';
import { RunError } from '../errors.js';
import type { BindingConfig, RunConfig } from '../inputs/config.js';
import * as k8s from '../kube/client.js';
import { readAgentAddon } from '../resources/addon/read.js';
import { clusterKeyOf, type ClusterState } from '../core/state.js';

/**
 * Kubernetes is only needed to create or annotate the service account (or restart workloads, or migrate it), or to
 * remove it (whether eks-pod-iam created it is on the service account); an add-on's service account (`addon`) is the
 * add-on's to create and to keep.
 */
export const needsKube = (b: BindingConfig) =>
  b.mode === 'irsa' ||
  (b.createServiceAccount && !b.addon) ||
  b.restartWorkloads ||
  b.migrateFromIrsa ||
  (b.state === 'absent' && !b.addon);

export async function readCluster(
  run: RunConfig,
  bindings: BindingConfig[],
  aws: AwsClients,
  env: NodeJS.ProcessEnv,
): Promise<ClusterState> {
  const { clusterName: name, region, partition } = bindings[0]!;
  // The agent add-on matters to bindings being made, not to those being removed (it stays either way).
  const podIdentity = bindings.some((b) => b.mode === 'pod-identity' && b.state !== 'absent');
  const addon = podIdentity && run.installAgent ? readAgentAddon(aws.eks, name) : undefined;
  addon?.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  // A kubeconfig needs nothing from DescribeCluster: connect alongside it, not after.
  // The proof of credentials asks the cluster for a token or runs a probe pod.
  const wantsKube = bindings.some(needsKube) || (run.verifyCredentials !== 'none' && !run.dryRun);
  const early = wantsKube && run.kube.kind !== 'eks' ? connectKube(run, name, region, aws, undefined, env) : undefined;
  early?.catch(() => undefined);
  const described = await eks.describeCluster(aws.eks, name);
  if (!described)
    throw new RunError(`EKS cluster ${name} was not found in ${region}: check "cluster-name" and "aws-region".`);
  // EKS clusters are only visible to their own account, so the cluster's ARN names the account a role created
  // by name lands in (no STS call needed).
  const accountId = described.arn?.split(':')[4] || (await callerAccount(aws));
  // Auto Mode has the agent built in: the add-on (read alongside, before this was known) is not looked at.
  const autoMode = described.computeConfig?.enabled === true;
  const kube = wantsKube ? await (early ?? connectKube(run, name, region, aws, described, env)) : undefined;
  return {
    key: clusterKeyOf(bindings[0]!),
    name,
    region,
    aws,
    accountId,
    info: {
      arn: described.arn || clusterArn(partition, region, accountId, name),
      issuer: described.identity?.oidc?.issuer,
      autoMode,
      version: described.version,
    },
    addon: autoMode ? undefined : await addon,
    kube,
  };
}

async function connectKube(
  run: RunConfig,
  name: string,
  region: string,
  aws: AwsClients,
  cluster: Awaited<ReturnType<typeof eks.describeCluster>> | undefined,
  env: NodeJS.ProcessEnv,
): Promise<k8s.Kube> {
  // A token per request, renewed before it expires: a run may outlive one (a long add-on wait, then restarts).
  const tokens = run.kube.kind === 'eks' ? eksTokens(aws.eks.config, name, region, env) : undefined;
  await tokens?.(); // the first one now: a credentials failure is reported as such, not as a Kubernetes one
  const endpoint = cluster
    ? { name, endpoint: cluster.endpoint ?? '', caData: cluster.certificateAuthority?.data }
    : undefined;
  return k8s.connect(run.kube, endpoint, tokens);
}

/** Only when DescribeCluster gave no ARN to read the account from. */
async function callerAccount(aws: AwsClients): Promise<string> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  return (await (await aws.sts()).send(new GetCallerIdentityCommand({}))).Account!;
}
