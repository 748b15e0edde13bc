// Waiting for the add-on: the SDK's waiter polls DescribeAddon until ACTIVE; a failed add-on ends the wait
// with its health issues. Everything else of the run is done meanwhile, so the wait ends the run: a poll every
// second or two (a read, a few dozen over a real add-on's minute) loses at most that much of it.
import type { EKSClient } from '@aws-sdk/client-eks';
import * as eks from '../../aws/eks.js';
import { RunError } from '../../errors.js';
import type { Log } from '../../platform/types.js';
import { delayScale } from '../../time.js';
import { AGENT_ADDON, addonFailure } from './plan.js';

export async function waitForAddon(client: EKSClient, clusterName: string, timeoutSeconds: number, log: Log) {
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  // Seconds between polls (the waiter backs off between them, with jitter); the SDK counts whole seconds.
  const minDelay = 1;
  const maxDelay = Math.max(minDelay, Math.round(2 * delayScale()));
  await log.group(`Wait for add-on ${AGENT_ADDON} in cluster ${clusterName}`, async () => {
    const ticker = setInterval(
      () => log.info(`still waiting for ${AGENT_ADDON} in ${clusterName} to become ACTIVE (${elapsed()})`),
      Math.max(1000, 10_000 * delayScale()), // at least a second apart, however small the test time scale
    );
    try {
      await eks.waitAddonActive(client, clusterName, AGENT_ADDON, timeoutSeconds, minDelay, maxDelay);
      log.info(`${AGENT_ADDON} is ACTIVE in ${clusterName} (after ${elapsed()})`);
    } catch {
      const addon = await eks.describeAddon(client, clusterName, AGENT_ADDON);
      if (addon && addon.status !== 'CREATING' && addon.status !== 'UPDATING')
        throw new RunError(addonFailure(clusterName, addon));
      throw new RunError(
        `Add-on ${AGENT_ADDON} in cluster ${clusterName} is still ${addon?.status ?? 'missing'} ` +
          `after ${timeoutSeconds}s ("wait-timeout"); rerun to keep waiting.`,
      );
    } finally {
      clearInterval(ticker);
    }
  });
}
