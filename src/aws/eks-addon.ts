// Thin adapter over the EKS add-on APIs: the pod identity agent (installed, then waited for) and the add-ons that
// own service accounts, whose Pod Identity associations EKS makes and replaces through the add-on itself.
import {
  CreateAddonCommand,
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  DescribePodIdentityAssociationCommand,
  paginateDescribeAddonVersions,
  UpdateAddonCommand,
  waitUntilAddonActive,
  type AddonVersionInfo,
  type EKSClient,
} from '@aws-sdk/client-eks';
import type { ObservedAddon, ObservedOwnerAddon } from '../core/types.js';
import { errorName } from './clients.js';

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
