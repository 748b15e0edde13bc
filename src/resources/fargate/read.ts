// The cluster's Fargate profiles: which namespaces (and labels) run on Fargate, where EKS Pod Identity gives pods
// no credentials. Read once per cluster, only for clusters with a Pod Identity binding being made.
import { DescribeFargateProfileCommand, paginateListFargateProfiles, type EKSClient } from '@aws-sdk/client-eks';
import { errorName } from '../../aws/clients.js';
import type { FargateProfile } from './warn.js';

export async function fargateProfiles(eks: EKSClient, clusterName: string): Promise<FargateProfile[]> {
  const names: string[] = [];
  try {
    for await (const page of paginateListFargateProfiles({ client: eks }, { clusterName }))
      names.push(...(page.fargateProfileNames ?? []));
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') return []; // no such cluster: observe says so
    throw e;
  }
  return Promise.all(
    names.map(async (fargateProfileName) => {
      const { fargateProfile } = await eks.send(new DescribeFargateProfileCommand({ clusterName, fargateProfileName }));
      return {
        name: fargateProfileName,
        selectors: (fargateProfile?.selectors ?? []).map((s) => ({
          namespace: s.namespace ?? '',
          labels: { ...(s.labels ?? {}) },
        })),
      };
    }),
  );
}
