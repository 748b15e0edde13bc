// The reader of the add-on that owns a service account (`addon`): once per add-on, whichever binding asks first.
import type { EKSClient } from '@aws-sdk/client-eks';
import * as eks from '../../aws/eks.js';
import type { ObservedOwnerAddon } from '../../core/types.js';
import type { BindingConfig } from '../../inputs/config.js';

/** `version`: the cluster's Kubernetes version (asked only when the add-on is not installed). */
export function readOwnerAddon(
  b: BindingConfig,
  client: EKSClient,
  version: () => Promise<string | undefined>,
  reads: Map<string, Promise<ObservedOwnerAddon>>,
): Promise<ObservedOwnerAddon> {
  const key = `${b.region}/${b.clusterName}/${b.addon}`;
  let read = reads.get(key);
  if (!read) reads.set(key, (read = eks.readOwnerAddon(client, b.clusterName, b.addon!, version)));
  return read;
}
