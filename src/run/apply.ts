// Carries out one change of the plan through the adapters.
import type { AwsClients } from '../aws/clients.js';
import { errorName } from '../aws/clients.js';
import * as eks from '../aws/eks.js';
import * as iam from '../aws/iam.js';
import type { Config } from '../inputs/config.js';
import * as k8s from '../kube/client.js';
import type { Kube } from '../kube/client.js';
import type { Log } from '../platform/types.js';
import type { Op } from '../core/types.js';
import { sleep } from '../time.js';
import { createRoleOrMerge, updateTrust } from '../resources/role-trust/apply.js';

export interface ApplyContext {
  config: Config;
  aws: AwsClients;
  kube: Kube | undefined;
  log: Log;
  /** What apply learnt that the outputs need. */
  result: { association?: eks.AssociationRef; addonActive?: boolean };
}

export async function applyOp(op: Op, ctx: ApplyContext): Promise<void> {
  const { config, aws } = ctx;
  switch (op.kind) {
    // A role that exists meanwhile (concurrent run, retried request) gets our binding merged instead.
    case 'create-role':
      return createRoleOrMerge(aws.iam, op, ctx.log);
    // Merged into the role's current trust, not the observed one: another run may have written since.
    case 'update-trust':
      return updateTrust(aws.iam, op, ctx.log);
    case 'tag-role':
      return void (await iam.tagRole(aws.iam, op.roleName, op.tags));
    case 'put-boundary':
      return void (await iam.putBoundary(aws.iam, op.roleName, op.boundary));
    case 'attach-policy':
      return void (await iam.attachPolicy(aws.iam, op.roleName, op.policyArn));
    case 'put-inline-policy':
      return void (await iam.putInlinePolicy(aws.iam, op.roleName, op.policyName, op.document));
    case 'create-oidc-provider':
      return iam.createOidcProvider(aws.iam, op.url, op.clientId, op.tags);
    case 'add-client-id':
      return void (await iam.addClientId(aws.iam, op.providerArn, op.clientId));
    case 'create-addon':
      ctx.result.addonActive = (await eks.createAddon(aws.eks, config.clusterName, op.addonName)) === 'ACTIVE';
      return;
    case 'create-association':
      ctx.result.association = await createAssociation(op.roleArn, op.tags, ctx);
      return;
    case 'update-association':
      ctx.result.association = await whileRoleIsNew(ctx, () =>
        eks.updateAssociation(aws.eks, { clusterName: config.clusterName, ...op }),
      );
      return;
    case 'tag-association':
      return void (await eks.tagResource(aws.eks, op.associationArn, op.tags));
    case 'create-namespace':
    case 'create-service-account':
    case 'annotate-service-account':
    case 'restart-workload':
      return applyKubeOp(op, ctx);
  }
}

async function applyKubeOp(
  op: Extract<
    Op,
    { kind: 'create-namespace' | 'create-service-account' | 'annotate-service-account' | 'restart-workload' }
  >,
  ctx: ApplyContext,
): Promise<void> {
  const { kube, config } = ctx;
  if (!kube) throw new Error('Kubernetes access is needed for this change but was not set up.');
  if (op.kind === 'create-namespace') return k8s.createNamespace(kube, op.name);
  if (op.kind === 'create-service-account')
    return k8s.createServiceAccount(kube, config.namespace, config.serviceAccount, op.annotations);
  if (op.kind === 'restart-workload')
    return k8s.restartWorkload(kube, config.namespace, op.workload.kind, op.workload.name, new Date().toISOString());
  return k8s.annotateServiceAccount(kube, config.namespace, config.serviceAccount, op.annotations);
}

/** Create; when another run created it first (409), update that one instead. */
async function createAssociation(
  roleArn: string,
  tags: Record<string, string>,
  ctx: ApplyContext,
): Promise<eks.AssociationRef> {
  const { config, aws } = ctx;
  try {
    return await whileRoleIsNew(ctx, () =>
      eks.createAssociation(aws.eks, {
        clusterName: config.clusterName,
        namespace: config.namespace,
        serviceAccount: config.serviceAccount,
        roleArn,
        tags,
      }),
    );
  } catch (e) {
    if (errorName(e) !== 'ResourceInUseException') throw e;
    ctx.log.info(
      `Association for ${config.namespace}/${config.serviceAccount} was created concurrently; updating it instead.`,
    );
    const [current] = await eks.readAssociations(aws.eks, config.clusterName, config.namespace, config.serviceAccount);
    if (!current) throw e;
    if (current.roleArn === roleArn) return current;
    return whileRoleIsNew(ctx, () =>
      eks.updateAssociation(aws.eks, {
        clusterName: config.clusterName,
        associationId: current.associationId,
        roleArn,
        clearTargetRole: false,
        enableSessionTags: false,
      }),
    );
  }
}

/** IAM is eventually consistent: EKS may refuse a role created seconds ago. Retry, bounded. */
const ROLE_PROPAGATION_DELAYS_MS = [1000, 2000, 3000, 5000, 8000, 10000, 10000];

async function whileRoleIsNew<T>(ctx: ApplyContext, fn: () => Promise<T>): Promise<T> {
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
