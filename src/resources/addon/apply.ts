// Waiting for the add-on: the SDK's waiter polls DescribeAddon until ACTIVE; a failed add-on ends the wait
// with its health issues. Everything else of the run is done meanwhile, so the wait ends the run: a poll every
// second (one read; about a hundred over a real add-on's minute or two, far below EKS's read rate limits) loses at
// most a second of it. Two seconds between polls measured 1.11x a 20 s add-on; the target is 1.1x.
import type { EKSClient } from '@aws-sdk/client-eks';
import * as eks from '../../aws/eks.js';
import type { Op } from '../../core/types.js';
import { RunError } from '../../errors.js';
import type { Log } from '../../platform/types.js';
import { whileRoleIsNew } from '../association/apply.js';
import { delayScale } from '../../time.js';
import { AGENT_ADDON } from './kind.js';
import { addonFailure } from './plan.js';

export async function waitForAddon(
  client: EKSClient,
  clusterName: string,
  timeoutSeconds: number,
  log: Log,
  addonName = AGENT_ADDON,
) {
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  // Seconds between polls: a second, scaled like every deliberate wait (EKS_POD_IAM_TIME_SCALE). The SDK's waiter
  // takes seconds but sleeps minDelay * 1000 ms, so a fraction of a second is honoured; min = max keeps it from
  // backing off.
  const minDelay = 1 * delayScale();
  const maxDelay = minDelay;
  await log.group(`Wait for add-on ${addonName} in cluster ${clusterName}`, async () => {
    const ticker = setInterval(
      () => log.info(`still waiting for ${addonName} in ${clusterName} to become ACTIVE (${elapsed()})`),
      Math.max(1000, 10_000 * delayScale()), // at least a second apart, however small the test time scale
    );
    try {
      await eks.waitAddonActive(client, clusterName, addonName, timeoutSeconds, minDelay, maxDelay);
      log.info(`${addonName} is ACTIVE in ${clusterName} (after ${elapsed()})`);
    } catch {
      const addon = await eks.describeAddon(client, clusterName, addonName);
      if (addon && addon.status !== 'CREATING' && addon.status !== 'UPDATING')
        throw new RunError(addonFailure(clusterName, addon, addonName));
      throw new RunError(
        `Add-on ${addonName} in cluster ${clusterName} is still ${addon?.status ?? 'missing'} ` +
          `after ${timeoutSeconds}s ("wait-timeout"); ` +
          (addonName === AGENT_ADDON ? 'rerun to keep waiting.' : 'rerun once it is ACTIVE.'),
      );
    } finally {
      clearInterval(ticker);
    }
  });
}

/**
 * `addon`: the add-on's associations written (EKS may not accept a role created seconds ago: retried), then the
 * add-on waited for until ACTIVE again — the association is in place once the add-on is.
 */
export async function putAddonAssociations(
  client: EKSClient,
  clusterName: string,
  op: Extract<Op, { kind: 'addon-associations' }>,
  timeoutSeconds: number,
  log: Log,
): Promise<void> {
  const { addonName, install, associations } = op;
  await whileRoleIsNew({ log }, () => eks.putAddonAssociations(client, clusterName, addonName, install, associations));
  await waitForAddon(client, clusterName, timeoutSeconds, log, addonName);
}
