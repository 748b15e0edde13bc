// Writes the association: create it (or, when another run created it first, update that one), or update it in
// place; retried while IAM is still propagating a role EKS does not accept yet.
import type { EKSClient } from '@aws-sdk/client-eks';
import { errorName } from '../../aws/clients.js';
import * as eks from '../../aws/eks.js';
import type { Config } from '../../inputs/config.js';
import type { ObservedAssociation, Op } from '../../core/types.js';
import type { Log } from '../../platform/types.js';
import { samePolicy } from '../../core/policy-doc.js';
import { sleep } from '../../time.js';

type OpOf<K extends Op['kind']> = Extract<Op, { kind: K }>;

export interface AssociationContext {
  client: EKSClient;
  config: Config;
  log: Log;
}

/** Create; when another run created it first (409), update that one instead. */
export async function createAssociation(
  op: Omit<OpOf<'create-association'>, 'kind'>,
  ctx: AssociationContext,
): Promise<ObservedAssociation> {
  const { config, client } = ctx;
  const { clusterName, namespace, serviceAccount } = config;
  const { roleArn, tags, disableSessionTags, policy, targetRoleArn } = op;
  try {
    return await whileRoleIsNew(ctx, () =>
      eks.createAssociation(client, {
        clusterName,
        namespace,
        serviceAccount,
        roleArn,
        tags,
        disableSessionTags,
        policy,
        targetRoleArn,
      }),
    );
  } catch (e) {
    if (errorName(e) !== 'ResourceInUseException') throw e;
    ctx.log.info(`Association for ${namespace}/${serviceAccount} was created concurrently; updating it instead.`);
    const [current] = await eks.readAssociations(client, clusterName, namespace, serviceAccount);
    if (!current) throw e;
    const { associationId } = current;
    const samePolicyNow = policy ? !!current.policy && samePolicy(current.policy, policy) : !current.policy;
    const sameTags = current.disableSessionTags === disableSessionTags;
    const sameTarget = current.targetRoleArn === targetRoleArn;
    if (current.roleArn === roleArn && sameTarget && sameTags && samePolicyNow) return current;
    // The other run's association, brought to what this run wants (what already matches is not sent).
    return whileRoleIsNew(ctx, () =>
      eks.updateAssociation(client, {
        clusterName,
        associationId,
        roleArn,
        clearTargetRole: !sameTarget && !targetRoleArn,
        ...(sameTarget || !targetRoleArn ? {} : { targetRoleArn }),
        ...(sameTags ? {} : { disableSessionTags }),
        ...(samePolicyNow ? {} : { policy: policy ?? '' }),
      }),
    );
  }
}

export function updateAssociation(
  op: Omit<OpOf<'update-association'>, 'kind'>,
  ctx: AssociationContext,
): Promise<ObservedAssociation> {
  return whileRoleIsNew(ctx, () => eks.updateAssociation(ctx.client, { clusterName: ctx.config.clusterName, ...op }));
}

/** IAM is eventually consistent: EKS may refuse a role created seconds ago. Retry, bounded. */
const ROLE_PROPAGATION_DELAYS_MS = [1000, 2000, 3000, 5000, 8000, 10000, 10000];

export async function whileRoleIsNew<T>(ctx: Pick<AssociationContext, 'log'>, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const delay = ROLE_PROPAGATION_DELAYS_MS[attempt];
      if (errorName(e) !== 'InvalidParameterException' || !/role/i.test((e as Error).message) || delay === undefined)
        throw e;
      ctx.log.info(`EKS does not accept the role yet (IAM is still propagating it): retrying in ${delay / 1000}s.`);
      await sleep(delay);
    }
  }
}
