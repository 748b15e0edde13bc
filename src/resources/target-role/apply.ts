// Merges each grant into the target role's current trust (the role-trust room's read-merge-write that survives
// concurrent writers), and takes removed bindings' grants out in the same write. The external ID is the one the
// association answered when this run wrote it.
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AssociationRef } from '../../aws/eks.js';
import type { Op } from '../../core/types.js';
import { RunError } from '../../errors.js';
import type { BindingKey } from '../../inputs/config.js';
import type { Log } from '../../platform/types.js';
import { mergeBindings } from '../role-trust/apply.js';
import { targetBinding } from '../role-trust/trust.js';

export async function trustTarget(
  client: IAMClient,
  op: Extract<Op, { kind: 'trust-target' }>,
  written: ReadonlyMap<BindingKey, AssociationRef>,
  log: Log,
): Promise<{ settling: Promise<void> }> {
  const bindings = op.grants.map((g) => {
    const externalId = written.get(g.binding)?.externalId ?? g.externalId;
    if (!externalId)
      throw new RunError(
        `EKS gave no external ID for the association of ${g.binding}: cannot trust it in ${op.roleName}.`,
      );
    return targetBinding(g.roleArn, externalId);
  });
  // In effect once written; settled once the watch for concurrent writers is done (the run waits for it).
  const { settled } = await mergeBindings(client, op.roleName, bindings, log, op.removed ?? []);
  return { settling: settled.then(() => undefined) };
}
