// The association's reader, what observe and the re-read after apply both use.
import type pLimit from 'p-limit';
import type { EKSClient } from '@aws-sdk/client-eks';
import * as eks from '../../aws/eks.js';
import type { ObservedAssociation } from '../../core/types.js';
import type { BindingConfig } from '../../inputs/config.js';

/** The service account's associations (the re-read after apply, and a binding alone in its namespace). */
export const readOwnAssociations = (b: BindingConfig, client: EKSClient) =>
  eks.readAssociations(client, b.clusterName, b.namespace, b.serviceAccount);

/** One list per namespace when several bindings share it; filtered to the service account when alone. */
export function readAssociations(
  b: BindingConfig,
  client: EKSClient,
  clusterBindings: BindingConfig[],
  lists: Map<string, Promise<eks.AssociationListing[]>>,
  limit: ReturnType<typeof pLimit>,
): Promise<ObservedAssociation[]> {
  const shared = clusterBindings.filter((o) => o.mode === 'pod-identity' && o.namespace === b.namespace).length > 1;
  const { clusterName } = b;
  if (!shared) return readOwnAssociations(b, client);
  const listKey = `${b.region}/${b.clusterName}/${b.namespace}`;
  let list = lists.get(listKey);
  if (!list) lists.set(listKey, (list = eks.listAssociations(client, clusterName, b.namespace)));
  const mine = list.then((all) => all.filter((a) => a.serviceAccount === b.serviceAccount));
  return mine.then((listed) => limit(() => eks.describeAssociations(client, clusterName, listed)));
}
