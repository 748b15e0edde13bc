// The add-ons' readers: the Pod Identity agent's (observe and the re-read after apply both use it), and the add-on
// that owns a service account (`addon`), once per add-on, whichever binding asks first.
import type { EKSClient } from '@aws-sdk/client-eks';
import * as eks from '../../aws/eks.js';
import type { ObservedAddon, ObservedOwnerAddon } from '../../core/types.js';
import { refKey } from '../../core/changes.js';
import { addonOwner } from '../../core/scopes.js';
import type { BindingConfig } from '../../inputs/config.js';
import { AGENT_ADDON } from './kind.js';

/** The Pod Identity agent add-on of the cluster: its status and health issues; null when it is not installed. */
export const readAgentAddon = (client: EKSClient, clusterName: string): Promise<ObservedAddon | null> =>
  eks.describeAddon(client, clusterName, AGENT_ADDON);

/** `version`: the cluster's Kubernetes version (asked only when the add-on is not installed). */
export function readOwnerAddon(
  b: BindingConfig,
  client: EKSClient,
  version: () => Promise<string | undefined>,
  reads: Map<string, Promise<ObservedOwnerAddon>>,
): Promise<ObservedOwnerAddon> {
  const key = refKey(addonOwner(b));
  let read = reads.get(key);
  if (!read) reads.set(key, (read = eks.readOwnerAddon(client, b.clusterName, b.addon!, version)));
  return read;
}
