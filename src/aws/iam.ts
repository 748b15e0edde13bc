// Thin adapter over IAM: observe the role and OIDC provider, and the writes a plan asks for.
import {
  AddClientIDToOpenIDConnectProviderCommand,
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListPolicyVersionsCommand,
  paginateListAttachedRolePolicies,
  paginateListPolicyVersions,
  paginateListRolePolicies,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagPolicyCommand,
  type Role,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { PolicyDocument } from '../inputs/config.js';
import type { ObservedManagedPolicy, ObservedOidcProvider, ObservedRole } from '../core/types.js';
import { errorName } from './clients.js';

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const json = (doc: PolicyDocument) => JSON.stringify(doc);

const noSuchEntity = (e: unknown) => errorName(e) === 'NoSuchEntityException' || errorName(e) === 'NoSuchEntity';
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (noSuchEntity(e)) return null;
    throw e;
  }
}
/** The answer, and when it arrived (performance.now()); null for NoSuchEntity. */
const answered = <T extends object>(p: Promise<T>) =>
  orNull(p).then((o) => o && { ...o, answeredAt: performance.now() });

export interface RoleReadOptions {
  policies: boolean;
  inlinePolicyName: string | undefined;
  /** The eks-pod-iam-target policy, when a binding of the role has a target role. */
  targetPolicyName?: string;
  /** A binding of the role is being removed: its inline policies' names too (what deleting it would delete). */
  removal?: boolean;
}

/**
 * The role with what the plan needs of it; null when it does not exist. `known`: the role as already known (its
 * observation, or the answer of the write that created it) — GetRole is skipped unless `getRole`, and what `opts`
 * does not ask for is taken from it (a re-read reads only what was written).
 */
export async function readRole(
  iam: IAMClient,
  name: string,
  opts: RoleReadOptions,
  known?: { role: ObservedRole; getRole: boolean },
): Promise<ObservedRole | null> {
  // All at once rather than role first: one round trip instead of two for a role that exists (every rerun).
  // For a role that does not, the policy reads fail with NoSuchEntity and are not looked at.
  const [got, attached, inline, target, inlineNames] = await Promise.allSettled([
    known && !known.getRole ? Promise.resolve(null) : answered(iam.send(new GetRoleCommand({ RoleName: name }))),
    opts.policies || opts.removal ? listAttached(iam, name) : Promise.resolve(known?.role.attachedPolicyArns ?? []),
    opts.inlinePolicyName
      ? orNull(iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: opts.inlinePolicyName })))
      : Promise.resolve(null),
    opts.targetPolicyName
      ? orNull(iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: opts.targetPolicyName })))
      : Promise.resolve(null),
    opts.removal ? listInlineNames(iam, name) : Promise.resolve(undefined),
  ]);
  if (got.status === 'rejected') throw got.reason;
  const role = got.value?.Role
    ? { ...observedRole(got.value.Role), answeredAt: got.value.answeredAt }
    : known && !known.getRole
      ? itself(known.role)
      : undefined;
  if (!role) return null;
  // The role exists, so a failed policy read is a real failure (e.g. AccessDenied), not a missing role.
  if (attached.status === 'rejected') throw attached.reason;
  if (inline.status === 'rejected') throw inline.reason;
  if (target.status === 'rejected') throw target.reason;
  if (inlineNames.status === 'rejected') throw inlineNames.reason;
  const inlinePolicy = opts.inlinePolicyName ? inline.value?.PolicyDocument : known?.role.inlinePolicy;
  const targetPolicy = opts.targetPolicyName ? target.value?.PolicyDocument : known?.role.targetPolicy;
  return {
    ...role,
    attachedPolicyArns: attached.value,
    inlinePolicy,
    ...(targetPolicy ? { targetPolicy } : {}),
    ...(inlineNames.value ? { inlinePolicyNames: inlineNames.value } : {}),
  };
}

/** The role itself, without what was read of its policies (each part is read again or carried over). */
const itself = (r: ObservedRole): ObservedRole => ({
  arn: r.arn,
  name: r.name,
  trust: r.trust,
  tags: r.tags,
  permissionsBoundaryArn: r.permissionsBoundaryArn,
  attachedPolicyArns: [],
  inlinePolicy: undefined,
});

/** The role itself as IAM answers it (GetRole, and CreateRole with the role it stored); no policies read yet. */
function observedRole(role: Role): ObservedRole {
  return {
    arn: role.Arn!,
    name: role.RoleName!,
    trust: role.AssumeRolePolicyDocument ?? '{"Statement":[]}',
    tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
    permissionsBoundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn,
    attachedPolicyArns: [],
    inlinePolicy: undefined,
  };
}

async function listInlineNames(iam: IAMClient, name: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: name }))
    names.push(...(page.PolicyNames ?? []));
  return names;
}

/** A customer-managed policy: whether eks-pod-iam made it (its tags) and how many roles, users, groups use it. */
export async function readPolicy(
  iam: IAMClient,
  arn: string,
): Promise<{ arn: string; tags: Record<string, string>; attachmentCount: number } | null> {
  const got = await orNull(iam.send(new GetPolicyCommand({ PolicyArn: arn })));
  const p = got?.Policy;
  if (!p) return null;
  const tags = Object.fromEntries((p.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
  return { arn, tags, attachmentCount: p.AttachmentCount ?? 0 };
}

/** Already detached (or never attached) is as good as detached. */
export const detachPolicy = (iam: IAMClient, roleName: string, policyArn: string) =>
  orNull(iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })));

/** Already gone is as good as deleted. */
export const deleteInlinePolicy = (iam: IAMClient, roleName: string, policyName: string) =>
  orNull(iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })));

/** Already gone is as good as deleted. */
export const deleteRole = (iam: IAMClient, roleName: string) =>
  orNull(iam.send(new DeleteRoleCommand({ RoleName: roleName })));

/** IAM deletes a policy only without its non-default versions: those go first. Already gone is as good. */
export async function deletePolicy(iam: IAMClient, arn: string): Promise<void> {
  const versions: string[] = [];
  try {
    for await (const page of paginateListPolicyVersions({ client: iam }, { PolicyArn: arn }))
      for (const v of page.Versions ?? []) if (!v.IsDefaultVersion && v.VersionId) versions.push(v.VersionId);
  } catch (e) {
    if (noSuchEntity(e)) return;
    throw e;
  }
  for (const id of versions) await orNull(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: id })));
  await orNull(iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
}

async function listAttached(iam: IAMClient, name: string): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: name }))
    for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
  return arns;
}

export async function createRole(
  iam: IAMClient,
  op: {
    name: string;
    trust: PolicyDocument;
    tags: Record<string, string>;
    boundary: string | undefined;
    description: string;
  },
): Promise<ObservedRole> {
  const out = await iam.send(
    new CreateRoleCommand({
      RoleName: op.name,
      AssumeRolePolicyDocument: json(op.trust),
      Description: op.description.slice(0, 1000),
      PermissionsBoundary: op.boundary,
      Tags: toTags(op.tags),
    }),
  );
  return observedRole(out.Role!); // the role as stored: the run's read-back of this write
}

export const updateTrust = (iam: IAMClient, roleName: string, trust: PolicyDocument) =>
  iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: json(trust) }));

export const tagRole = (iam: IAMClient, roleName: string, tags: Record<string, string>) =>
  iam.send(new TagRoleCommand({ RoleName: roleName, Tags: toTags(tags) }));

export const putBoundary = (iam: IAMClient, roleName: string, boundary: string) =>
  iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: roleName, PermissionsBoundary: boundary }));

export const attachPolicy = (iam: IAMClient, roleName: string, policyArn: string) =>
  iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));

export const putInlinePolicy = (iam: IAMClient, roleName: string, policyName: string, doc: PolicyDocument) =>
  iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: json(doc) }));

/**
 * A customer-managed policy: its tags, versions and default version's document; null when it does not exist.
 * The policy and its versions are read at once; the document (which needs the default version's id) after.
 */
export async function readManagedPolicy(iam: IAMClient, arn: string): Promise<ObservedManagedPolicy | null> {
  const [got, listed] = await Promise.allSettled([
    orNull(iam.send(new GetPolicyCommand({ PolicyArn: arn }))),
    orNull(iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))),
  ]);
  if (got.status === 'rejected') throw got.reason;
  const policy = got.value?.Policy;
  if (!policy) return null;
  if (listed.status === 'rejected') throw listed.reason;
  const defaultVersionId = policy.DefaultVersionId!;
  const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: defaultVersionId }));
  // Oldest first: by creation time, then by number (IAM numbers versions v1, v2, ... as it makes them).
  const num = (id: string) => Number(id.replace(/^v/, '')) || 0;
  const versions = (listed.value?.Versions ?? [])
    .map((v) => ({ versionId: v.VersionId!, isDefault: !!v.IsDefaultVersion, at: v.CreateDate?.getTime() ?? 0 }))
    .sort((a, b) => a.at - b.at || num(a.versionId) - num(b.versionId))
    .map(({ versionId, isDefault }) => ({ versionId, isDefault }));
  return {
    arn,
    tags: Object.fromEntries((policy.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
    defaultVersionId,
    document: version.PolicyVersion?.Document ?? '{"Statement":[]}',
    versions,
  };
}

export async function createPolicy(
  iam: IAMClient,
  op: { name: string; document: PolicyDocument; tags: Record<string, string>; description: string },
): Promise<void> {
  await iam.send(
    new CreatePolicyCommand({
      PolicyName: op.name,
      PolicyDocument: json(op.document),
      Description: op.description.slice(0, 1000),
      Tags: toTags(op.tags),
    }),
  );
}

export const createPolicyVersion = (iam: IAMClient, policyArn: string, doc: PolicyDocument) =>
  iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: json(doc), SetAsDefault: true }));

export const tagPolicy = (iam: IAMClient, policyArn: string, tags: Record<string, string>) =>
  iam.send(new TagPolicyCommand({ PolicyArn: policyArn, Tags: toTags(tags) }));

export const deletePolicyVersion = (iam: IAMClient, policyArn: string, versionId: string) =>
  iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }));

export async function readOidcProvider(iam: IAMClient, arn: string): Promise<ObservedOidcProvider | null> {
  const got = await orNull(iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })));
  return got ? { arn, clientIds: got.ClientIDList ?? [] } : null;
}

/** Creates the provider; one created concurrently by someone else is just as good. */
export async function createOidcProvider(
  iam: IAMClient,
  url: string,
  clientIds: string[],
  tags: Record<string, string>,
): Promise<void> {
  try {
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, ClientIDList: clientIds, Tags: toTags(tags) }));
  } catch (e) {
    if (errorName(e) !== 'EntityAlreadyExistsException' && errorName(e) !== 'EntityAlreadyExists') throw e;
  }
}

export const addClientId = (iam: IAMClient, providerArn: string, clientId: string) =>
  iam.send(
    new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn, ClientID: clientId }),
  );
