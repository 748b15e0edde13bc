// Thin adapter over EKS: cluster, add-ons (the pod identity agent, and those owning service accounts) and pod
// identity associations.
import {
  CreateAddonCommand,
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  paginateDescribeAddonVersions,
  paginateListClusters,
  paginateListPodIdentityAssociations,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAddonCommand,
  UpdatePodIdentityAssociationCommand,
  waitUntilAddonActive,
  type AddonVersionInfo,
  type Cluster,
  type EKSClient,
  type PodIdentityAssociation,
} from '@aws-sdk/client-eks';
import type { ObservedAddon, ObservedAssociation, ObservedOwnerAddon } from '../core/types.js';
import { errorName } from './clients.js';

export async function describeCluster(eks: EKSClient, name: string): Promise<Cluster | null> {
  try {
    return (await eks.send(new DescribeClusterCommand({ name }))).cluster ?? null;
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') return null;
    throw e;
  }
}

export async function describeAddon(
  eks: EKSClient,
  clusterName: string,
  addonName: string,
): Promise<ObservedAddon | null> {
  try {
    const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
    return {
      status: addon?.status ?? 'UNKNOWN',
      healthIssues: addon?.health?.issues ?? [],
    };
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') return null;
    throw e;
  }
}

/** Creates the add-on (one created concurrently by someone else is just as good); returns its status. */
export async function createAddon(eks: EKSClient, clusterName: string, addonName: string): Promise<string | undefined> {
  try {
    return (await eks.send(new CreateAddonCommand({ clusterName, addonName }))).addon?.status;
  } catch (e) {
    if (errorName(e) !== 'ResourceInUseException') throw e;
    return undefined;
  }
}

/**
 * An add-on that owns service accounts (`addon`): its status and associations (DescribeAddon names them by ARN),
 * and the service accounts it takes associations for, read for its version (a missing add-on: the default one
 * for the cluster's Kubernetes version, which CreateAddon installs).
 */
export async function readOwnerAddon(
  eks: EKSClient,
  clusterName: string,
  addonName: string,
  kubernetesVersion: () => Promise<string | undefined>,
): Promise<ObservedOwnerAddon> {
  let addon;
  try {
    addon = (await eks.send(new DescribeAddonCommand({ clusterName, addonName }))).addon;
  } catch (e) {
    if (errorName(e) !== 'ResourceNotFoundException') throw e;
  }
  const version = addon ? addon.addonVersion : await defaultAddonVersion(eks, addonName, await kubernetesVersion());
  const ids = (addon?.podIdentityAssociations ?? []).map((arn) => arn.split('/').pop()!);
  const [serviceAccounts, associations] = await Promise.all([
    version ? podIdentityConfiguration(eks, addonName, version) : {},
    Promise.all(
      ids.map(
        async (associationId) =>
          (await eks.send(new DescribePodIdentityAssociationCommand({ clusterName, associationId }))).association!,
      ),
    ),
  ]);
  return {
    name: addonName,
    installed: addon
      ? {
          arn: addon.addonArn ?? '',
          status: addon.status ?? 'UNKNOWN',
          healthIssues: addon.health?.issues ?? [],
          associations: associations.map((a) => ({
            serviceAccount: a.serviceAccount ?? '',
            namespace: a.namespace ?? '',
            roleArn: a.roleArn ?? '',
          })),
        }
      : null,
    version,
    serviceAccounts,
  };
}

/** The version EKS marks default for this Kubernetes version (else the newest listed); undefined: no such add-on. */
async function defaultAddonVersion(eks: EKSClient, addonName: string, kubernetesVersion: string | undefined) {
  const versions: AddonVersionInfo[] = [];
  for await (const page of paginateDescribeAddonVersions({ client: eks }, { addonName, kubernetesVersion }))
    for (const a of page.addons ?? []) if (a.addonName === addonName) versions.push(...(a.addonVersions ?? []));
  const isDefault = (v: AddonVersionInfo) =>
    v.compatibilities?.some((c) => c.defaultVersion && (!kubernetesVersion || c.clusterVersion === kubernetesVersion));
  return (versions.find(isDefault) ?? versions[0])?.addonVersion;
}

async function podIdentityConfiguration(eks: EKSClient, addonName: string, addonVersion: string) {
  const { podIdentityConfiguration } = await eks.send(
    new DescribeAddonConfigurationCommand({ addonName, addonVersion }),
  );
  return Object.fromEntries(
    (podIdentityConfiguration ?? []).map((c) => [c.serviceAccount ?? '', c.recommendedManagedPolicies ?? []]),
  );
}

/** CreateAddon with its associations (`install`), or UpdateAddon with the complete list (EKS replaces it). */
export async function putAddonAssociations(
  eks: EKSClient,
  clusterName: string,
  addonName: string,
  install: boolean,
  podIdentityAssociations: { serviceAccount: string; roleArn: string }[],
): Promise<void> {
  const input = { clusterName, addonName, podIdentityAssociations };
  await eks.send(install ? new CreateAddonCommand(input) : new UpdateAddonCommand(input));
}

/** The SDK waiter; resolves when ACTIVE, throws with the waiter's reason otherwise. */
export async function waitAddonActive(
  eks: EKSClient,
  clusterName: string,
  addonName: string,
  maxWaitTime: number,
  minDelay: number,
  maxDelay: number,
): Promise<void> {
  await waitUntilAddonActive({ client: eks, maxWaitTime, minDelay, maxDelay }, { clusterName, addonName });
}

/** All associations of one namespace/service account, described (the list has no role ARN). */
export interface AssociationListing {
  associationId: string;
  serviceAccount: string;
}

/** The associations of a namespace (or of one service account in it): ids only, the list has no role ARN. */
export async function listAssociations(
  eks: EKSClient,
  clusterName: string,
  namespace: string,
  serviceAccount?: string,
): Promise<AssociationListing[]> {
  const found: AssociationListing[] = [];
  for await (const page of paginateListPodIdentityAssociations(
    { client: eks },
    { clusterName, namespace, serviceAccount },
  ))
    for (const a of page.associations ?? [])
      if (a.associationId) found.push({ associationId: a.associationId, serviceAccount: a.serviceAccount ?? '' });
  return found;
}

export const describeAssociations = (eks: EKSClient, clusterName: string, listed: AssociationListing[]) =>
  Promise.all(listed.map((a) => describeAssociation(eks, clusterName, a.associationId)));

/** All associations of one namespace/service account, described. */
export async function readAssociations(
  eks: EKSClient,
  clusterName: string,
  namespace: string,
  serviceAccount: string,
): Promise<ObservedAssociation[]> {
  return describeAssociations(eks, clusterName, await listAssociations(eks, clusterName, namespace, serviceAccount));
}

async function describeAssociation(
  eks: EKSClient,
  clusterName: string,
  associationId: string,
): Promise<ObservedAssociation> {
  const { association: a } = await eks.send(new DescribePodIdentityAssociationCommand({ clusterName, associationId }));
  return observedOf(a);
}

/** The association as EKS answers it: to Describe, and to Create and Update (the association as stored). */
function observedOf(a: PodIdentityAssociation | undefined): ObservedAssociation {
  return {
    associationId: a!.associationId!,
    associationArn: a!.associationArn!,
    roleArn: a!.roleArn!,
    targetRoleArn: a!.targetRoleArn || undefined,
    externalId: a!.externalId || undefined,
    disableSessionTags: a!.disableSessionTags ?? false,
    policy: a!.policy || undefined,
    ownerArn: a!.ownerArn || undefined,
    tags: a!.tags ?? {},
    createdAt: a!.createdAt?.toISOString(),
  };
}

export interface AssociationRef {
  associationId: string;
  associationArn: string;
  /** With a target role: the external ID EKS generated for it. */
  externalId?: string;
}

export async function createAssociation(
  eks: EKSClient,
  p: {
    clusterName: string;
    namespace: string;
    serviceAccount: string;
    roleArn: string;
    tags: Record<string, string>;
    disableSessionTags: boolean;
    policy: string | undefined;
    targetRoleArn?: string;
  },
): Promise<ObservedAssociation> {
  const { association: a } = await eks.send(
    new CreatePodIdentityAssociationCommand({
      ...p,
      tags: Object.keys(p.tags).length ? p.tags : undefined,
      // Sent only when set: an EKS without these fields (or an emulator) sees the request it always saw.
      disableSessionTags: p.disableSessionTags || undefined,
      policy: p.policy,
      targetRoleArn: p.targetRoleArn || undefined,
    }),
  );
  return observedOf(a); // the association as stored: the run's read-back of this write
}

export async function updateAssociation(
  eks: EKSClient,
  p: {
    clusterName: string;
    associationId: string;
    roleArn: string;
    clearTargetRole: boolean;
    /** Set only to change it. */
    targetRoleArn?: string;
    /** Set only to change it. */
    disableSessionTags?: boolean;
    /** Set only to change it; '' removes the session policy. */
    policy?: string;
  },
): Promise<ObservedAssociation> {
  const { association: a } = await eks.send(
    new UpdatePodIdentityAssociationCommand({
      clusterName: p.clusterName,
      associationId: p.associationId,
      roleArn: p.roleArn,
      // EKS clears a target role (and a session policy) when given an empty string.
      targetRoleArn: p.targetRoleArn || (p.clearTargetRole ? '' : undefined),
      disableSessionTags: p.disableSessionTags,
      policy: p.policy,
    }),
  );
  return observedOf(a); // the association as stored: the run's read-back of this write
}

export const tagResource = (eks: EKSClient, resourceArn: string, tags: Record<string, string>) =>
  eks.send(new TagResourceCommand({ resourceArn, tags }));

export const untagResource = (eks: EKSClient, resourceArn: string, tagKeys: string[]) =>
  eks.send(new UntagResourceCommand({ resourceArn, tagKeys }));

/** Already gone is as good as deleted. */
export async function deleteAssociation(eks: EKSClient, clusterName: string, associationId: string): Promise<void> {
  try {
    await eks.send(new DeletePodIdentityAssociationCommand({ clusterName, associationId }));
  } catch (e) {
    if (errorName(e) !== 'ResourceNotFoundException') throw e;
  }
}

export async function listClusters(eks: EKSClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListClusters({ client: eks }, {})) names.push(...(page.clusters ?? []));
  return names;
}

/** Every association of a cluster (all namespaces), with its namespace and service account. */
export async function listAllAssociations(
  eks: EKSClient,
  clusterName: string,
): Promise<(AssociationListing & { namespace: string })[]> {
  const found: (AssociationListing & { namespace: string })[] = [];
  for await (const page of paginateListPodIdentityAssociations({ client: eks }, { clusterName }))
    for (const a of page.associations ?? [])
      if (a.associationId)
        found.push({
          associationId: a.associationId,
          namespace: a.namespace ?? '',
          serviceAccount: a.serviceAccount ?? '',
        });
  return found;
}
