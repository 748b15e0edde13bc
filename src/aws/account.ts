// AWS Account: which regions the account has enabled (ListRegions). Loaded only when a removal must know every
// association in the account (see resources/region-scan): a run that never needs it never loads this client.
import {
  AccountClient,
  paginateListRegions,
  type AccountClientConfig,
  type RegionOptStatus,
} from '@aws-sdk/client-account';

/**
 * Regions to read: enabled by default, opted in, and those between states (ENABLING, DISABLING) — a region on its
 * way in or out may still hold clusters, and reading it costs a call where skipping it could cost a statement in use.
 */
const READ_STATUSES: RegionOptStatus[] = ['ENABLED', 'ENABLED_BY_DEFAULT', 'ENABLING', 'DISABLING'];

export const accountClient = (config: AccountClientConfig) => new AccountClient(config);

export async function enabledRegions(client: AccountClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListRegions({ client, pageSize: 50 }, { RegionOptStatusContains: READ_STATUSES }))
    for (const r of page.Regions ?? []) if (r.RegionName) names.push(r.RegionName);
  return names;
}
