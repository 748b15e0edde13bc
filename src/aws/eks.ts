// Thin adapter over EKS: clusters and Pod Identity associations, and (from eks-addon.ts) add-ons: the pod identity
// agent, and those owning service accounts.
import {
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  paginateListClusters,
  paginateListPodIdentityAssociations,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePodIdentityAssociationCommand,
  type Cluster,
  type EKSClient,
  type PodIdentityAssociation,
} from '@aws-sdk/client-eks';
import type { ObservedAssociation } from '../core/types.js';
import { errorName } from './clients.js';

// The add-on calls are in eks-addon.ts; callers reach all of EKS through this one module (`import * as eks`).
export * from './eks-addon.js';

export async function describeCluster(eks: EKSClient, name: string): Promise<Cluster | null> {
  try {
    return (await eks.send(new DescribeClusterCommand({ name }))).cluster ?? null;
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') return null;
    throw e;
  }
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
