// Writes of the managed policy that must cope with a concurrent run having been there first.
import type { IAMClient } from '@aws-sdk/client-iam';
import { errorName } from '../../aws/clients.js';
import * as iam from '../../aws/iam.js';
import { samePolicy } from '../../core/policy-doc.js';
import type { Op } from '../../core/types.js';
import { RunError } from '../../errors.js';
import { foreignPolicy, presetOf } from './plan.js';

const isAny = (e: unknown, ...names: string[]) => names.includes(errorName(e) ?? '');

/**
 * Creates the policy. When it exists meanwhile (a concurrent run, or our own CreatePolicy whose answer was lost), it
 * is as good as ours only when eks-pod-iam made it with the same document: anything else is said, not overwritten.
 */
export async function createManagedPolicy(client: IAMClient, op: Extract<Op, { kind: 'create-managed-policy' }>) {
  try {
    return await iam.createPolicy(client, op);
  } catch (e) {
    if (!isAny(e, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) throw e;
  }
  const policy = await iam.readManagedPolicy(client, op.policyArn);
  const foreign = foreignPolicy(policy, presetOf(op.tags));
  if (foreign) throw new RunError(foreign);
  if (!policy || !samePolicy(policy.document, op.document))
    throw new RunError(
      `Policy ${op.policyArn} was made meanwhile by another run ` +
        `${policy ? 'with another document' : 'and deleted'}: rerun to bring it to this document.`,
    );
}

/** A version already gone (deleted by a concurrent run) is as good as deleted. */
export async function deletePolicyVersion(client: IAMClient, op: Extract<Op, { kind: 'delete-policy-version' }>) {
  try {
    await iam.deletePolicyVersion(client, op.policyArn, op.versionId);
  } catch (e) {
    if (!isAny(e, 'NoSuchEntityException', 'NoSuchEntity')) throw e;
  }
}

/** The new default version; a preset's policy then carries the upstream version its document is from. */
export async function createPolicyVersion(client: IAMClient, op: Extract<Op, { kind: 'create-policy-version' }>) {
  await iam.createPolicyVersion(client, op.policyArn, op.document);
  if (op.tags) await iam.tagPolicy(client, op.policyArn, op.tags);
}
