// Reads each cluster's Fargate profiles (alongside observe) for the Pod Identity bindings being made, and says
// which bindings they affect. A profile that cannot be read is a warning, never a failure: it only informs.
import type { AwsClients } from '../../aws/clients.js';
import { errorName } from '../../aws/clients.js';
import type { RunConfig } from '../../inputs/config.js';
import { fargateProfiles } from './read.js';
import { fargateWarnings } from './warn.js';
import { clusterKeyOf, groupBy } from '../../core/state.js';

/** Warnings, each about one binding (`about`) or one cluster. */
export async function fargateCheck(
  run: RunConfig,
  clientsFor: (region: string) => AwsClients,
): Promise<{ about?: string; message: string }[]> {
  const podIdentity = run.bindings.filter((b) => b.mode === 'pod-identity' && b.state === 'present');
  const byCluster = groupBy(podIdentity, clusterKeyOf);
  const found = await Promise.all(
    [...byCluster.values()].map(async (bs) => {
      const { clusterName, region } = bs[0]!;
      try {
        const profiles = await fargateProfiles(clientsFor(region).eks, clusterName);
        return bs.flatMap((b) =>
          fargateWarnings(b, profiles).map((message) => ({
            about: `${b.clusterName}/${b.namespace}/${b.serviceAccount}`,
            message,
          })),
        );
      } catch (e) {
        const denied = /AccessDenied/.test(errorName(e));
        return [
          {
            message:
              `Could not read the Fargate profiles of cluster ${clusterName} ` +
              `(${errorName(e) || (e as Error).message})` +
              (denied ? ': allow eks:ListFargateProfiles and eks:DescribeFargateProfile' : '') +
              '; pods on Fargate get no Pod Identity credentials.',
          },
        ];
      }
    }),
  );
  return found.flat();
}
