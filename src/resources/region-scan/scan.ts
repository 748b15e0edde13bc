// Clean-up across the account. A role is global, associations are regional: before removal takes out trust that
// pods may still use (a role's plain Pod Identity statement, a target role's grant, a target from a role's policy),
// the run knows every association in every region enabled for the account. The regions come from the account
// (Account ListRegions); then per region, all regions at once, its clusters are listed once, each cluster's
// associations once, and each association described once (the list has no role ARN, target or external ID).
// One scan per run, started by the first binding that needs it and shared by all the others. A region that cannot
// be read is `unread`, with why: its associations are unknown, and what they might use is kept.
import type { EKSClient } from '@aws-sdk/client-eks';
import pLimit from 'p-limit';
import type { AwsClients } from '../../aws/clients.js';
import { errorName } from '../../aws/clients.js';
import * as eks from '../../aws/eks.js';
import type { UnreadRegion } from '../../core/types.js';

/** Reads at once per region: each region's EKS is an endpoint (and a throttling budget) of its own. */
const READS_AT_ONCE = 16;
/** The `region` of the one unread entry when the account's region list itself cannot be read. */
export const EVERY_REGION = 'every region';

export interface ScannedAssociation {
  region: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  associationId: string;
  roleArn: string;
  targetRoleArn?: string;
  externalId?: string;
}

export interface AccountAssociations {
  /** Every association of the regions read. */
  associations: ScannedAssociation[];
  /** The regions that could not be read; empty when every enabled region was. */
  unread: UnreadRegion[];
}

export type AccountScan = () => Promise<AccountAssociations>;

/**
 * The run's one scan, made on first call. `home`: the region whose clients ask Account for the regions;
 * `runRegions`: the run's own regions, read whatever the list says (the run has just read clusters there).
 */
export function accountScan(
  clientsFor: (region: string) => AwsClients,
  home: string,
  runRegions: readonly string[],
): AccountScan {
  let scan: Promise<AccountAssociations> | undefined;
  return () => (scan ??= scanAccount(clientsFor, home, runRegions));
}

async function scanAccount(
  clientsFor: (region: string) => AwsClients,
  home: string,
  runRegions: readonly string[],
): Promise<AccountAssociations> {
  let listed: string[];
  try {
    const { enabledRegions } = await import('../../aws/account.js');
    listed = await enabledRegions(await clientsFor(home).account());
  } catch (e) {
    const cause = `the account's regions could not be listed (account:ListRegions): ${causeOf(e)}`;
    return { associations: [], unread: [{ region: EVERY_REGION, cause }] };
  }
  const regions = [...new Set([...runRegions, ...listed])].sort();
  const read = await Promise.all(
    regions.map((region) => {
      // The run's regions have their clients; the others get an EKS client for the scan, with the same credentials.
      const own = runRegions.includes(region);
      const client = own ? clientsFor(region).eks : clientsFor(home).eksIn(region);
      return scanRegion(client, region)
        .then(
          (associations) => ({ associations, unread: [] }),
          (e: unknown) => ({ associations: [], unread: [{ region, cause: causeOf(e) }] }),
        )
        .finally(() => own || client.destroy());
    }),
  );
  return { associations: read.flatMap((r) => r.associations), unread: read.flatMap((r) => r.unread) };
}

async function scanRegion(client: EKSClient, region: string): Promise<ScannedAssociation[]> {
  const limit = pLimit(READS_AT_ONCE);
  const clusters = await limit(() => eks.listClusters(client));
  const perCluster = await Promise.all(
    clusters.map(async (clusterName) => {
      // A cluster or an association deleted meanwhile has no association left to count.
      const listed = await limit(() => eks.listAllAssociations(client, clusterName)).catch(gone([]));
      const described = await Promise.all(
        listed.map((a) =>
          limit(() => eks.describeAssociations(client, clusterName, [a]))
            .then(([d]) => d)
            .catch(gone(undefined)),
        ),
      );
      return described.flatMap((d, i) =>
        d
          ? [
              {
                region,
                clusterName,
                namespace: listed[i]!.namespace,
                serviceAccount: listed[i]!.serviceAccount,
                associationId: d.associationId,
                roleArn: d.roleArn,
                ...(d.targetRoleArn ? { targetRoleArn: d.targetRoleArn } : {}),
                ...(d.externalId ? { externalId: d.externalId } : {}),
              },
            ]
          : [],
      );
    }),
  );
  return perCluster.flat();
}

const gone =
  <T>(value: T) =>
  (e: unknown): T => {
    if (errorName(e) === 'ResourceNotFoundException') return value;
    throw e;
  };

const causeOf = (e: unknown) => {
  const name = errorName(e);
  const message = e instanceof Error ? e.message : String(e);
  return name && !message.startsWith(name) ? `${name}: ${message}` : message;
};
