// The gate of migrate-from-irsa: the service account's IRSA wiring is taken off only after a fresh read shows its
// association in place, naming the role. A plan made from an older read (or an association another writer changed
// or deleted meanwhile) never takes away the identity pods still need.
import type { EKSClient } from '@aws-sdk/client-eks';
import * as eks from '../../aws/eks.js';
import { RunError } from '../../errors.js';

export async function confirmAssociation(
  client: EKSClient,
  where: { clusterName: string; namespace: string; serviceAccount: string },
  roleArn: string,
): Promise<void> {
  const { clusterName, namespace, serviceAccount } = where;
  const [current] = await eks.readAssociations(client, clusterName, namespace, serviceAccount);
  if (current?.roleArn === roleArn) return;
  throw new RunError(
    `The IRSA wiring of ${namespace}/${serviceAccount} is left in place: reading the association back ` +
      (current ? `shows ${current.associationId} naming ${current.roleArn}, not ${roleArn}` : 'finds none') +
      ' (rerun to complete the migration).',
  );
}
