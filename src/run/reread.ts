// Reads again what the applied changes touched, for verification; everything else is as observed. Each
// read waits only for the changes to its own resource (`ready`), so it starts while others are still running.
// Given what was written (`Written`), only that is read back, and once: a write whose answer is the resource as
// stored (CreateRole, Create/UpdatePodIdentityAssociation) is its own read-back, and so is an AttachRolePolicy that
// succeeded (the policy is attached: IAM has nothing more to tell); a role's other policy writes are read again.
// Without it (reading again while IAM settles) every touched unit is read.
import { accountOf, roleNameOf } from '../arn.js';
import type { RoleReadOptions } from '../aws/iam.js';
import type {
  Change,
  ObservedAssociation,
  ObservedRole,
  ObservedServiceAccount,
  ObservedTarget,
  Op,
} from '../core/types.js';
import { bindingKey, type BindingKey } from '../inputs/config.js';
import * as k8s from '../kube/client.js';
import { refKey, type Owner } from '../core/changes.js';
import { addonOwner } from '../core/scopes.js';
import { readAgentAddon, readOwnerAddon } from '../resources/addon/read.js';
import { readManagedPolicy } from '../resources/managed-policy/read.js';
import { readProvider } from '../resources/oidc-provider/read.js';
import { readOwnAssociations } from '../resources/association/read.js';
import { readTarget } from '../resources/target-role/read.js';
import { rereadRole, roleReadOptions } from '../resources/role-trust/read.js';
import { isFailed, type BindingState, type Failed, type ClusterState, type RunState } from '../core/state.js';

/**
 * A read-back unit: what one read after apply covers — a role (its trust, tags and policies), a provider, a
 * managed policy, a target role, an add-on's associations, a cluster's agent add-on, or a binding's association,
 * service account or other part. Keyed by refKey.
 */
export type Unit =
  | Extract<Owner, { kind: 'role' | 'provider' | 'policy' | 'target' | 'addon-associations' }>
  | { kind: 'addon'; cluster: string }
  | { kind: 'association' | 'sa' | 'other'; binding: string };

/** What a change touches, as one read-back unit. */
export function unitOf(c: Change): string {
  const { owner } = c;
  switch (owner.kind) {
    case 'role':
    case 'provider':
    case 'target':
    case 'policy':
    case 'addon-associations':
      return refKey(owner);
    case 'cluster':
      return addonUnit(c.target.clusterKey);
  }
  const binding = c.target.binding ?? refKey(owner);
  if (c.op.kind.endsWith('association')) return unit({ kind: 'association', binding });
  if (c.op.kind.endsWith('service-account') || c.op.kind === 'create-namespace') return unit({ kind: 'sa', binding });
  return unit({ kind: 'other', binding });
}

const unit = (u: Unit) => refKey(u);
export const addonUnit = (cluster: string) => unit({ kind: 'addon', cluster });

type Ready = (units: readonly string[]) => Promise<void>;

/** What the run wrote: the changes made, and the answers of the writes that answer with what they stored. */
export interface Written {
  changes: readonly Change[];
  /** The changes done so far (a unit's are all in once it is ready to be read again). */
  done: readonly Change[];
  roles: ReadonlyMap<string, ObservedRole>;
  associations: ReadonlyMap<BindingKey, ObservedAssociation>;
  serviceAccounts: ReadonlyMap<BindingKey, ObservedServiceAccount>;
}

/** One re-read under way: what was touched, how to wait for a unit's writes, and what the writes answered. */
interface Rereading {
  state: RunState;
  kinds: Map<string, Op['kind'][]>;
  again: <T>(unit: string, read: () => Promise<T>, before: T) => Promise<T>;
  written: Written | undefined;
  iamClient: ClusterState['aws']['iam'] | undefined;
}

export async function reread(
  state: RunState,
  touched: Set<string>,
  ready: Ready = async () => {},
  written?: Written,
): Promise<RunState> {
  const kinds = new Map<string, Op['kind'][]>();
  for (const c of written?.changes ?? []) kinds.set(unitOf(c), [...(kinds.get(unitOf(c)) ?? []), c.op.kind]);
  const again = <T>(unit: string, read: () => Promise<T>, before: T): Promise<T> =>
    touched.has(unit) ? ready([unit]).then(read) : Promise.resolve(before);
  const iamClient = [...state.clusters.values()].find((c): c is ClusterState => !isFailed(c))?.aws.iam;
  const r: Rereading = { state, kinds, again, written, iamClient };
  const reads = <V>(
    map: Map<string, V | Failed> | undefined,
    unit: (k: string) => string,
    read: (k: string) => Promise<V>,
  ) =>
    Promise.all(
      [...(map ?? [])].map(
        async ([k, before]) => [k, isFailed(before) ? before : await again(unit(k), () => read(k), before)] as const,
      ),
    );
  const providers = reads(
    state.providers,
    (arn) => unit({ kind: 'provider', arn }),
    (arn) => readProvider(iamClient!, arn),
  );
  const policies = reads(
    state.policies,
    (arn) => unit({ kind: 'policy', arn }),
    (arn) => readManagedPolicy(iamClient!, arn),
  );
  const clusters = Promise.all(
    [...state.clusters].map(async ([key, c]) => {
      if (isFailed(c) || c.addon === undefined) return [key, c] as const;
      const addon = await again(addonUnit(key), () => readAgentAddon(c.aws.eks, c.name), c.addon);
      return [key, { ...c, addon }] as const;
    }),
  );
  const targets = rereadTargets(r, state.targets, (arn) => unit({ kind: 'target', arn }));
  const irsaRoles = rereadTargets(r, state.irsaRoles, (arn) => unit({ kind: 'role', role: roleNameOf(arn) }));
  const [ro, p, c, bs, t, mp, ir] = await Promise.all([
    rereadRoles(r),
    providers,
    clusters,
    rereadBindings(r),
    targets,
    policies,
    irsaRoles,
  ]);
  return {
    ...state,
    roles: new Map(ro),
    providers: new Map(p),
    clusters: new Map(c),
    bindings: new Map(bs),
    ...(state.targets ? { targets: new Map(t) } : {}),
    ...(state.policies ? { policies: new Map(mp) } : {}),
    ...(state.irsaRoles ? { irsaRoles: new Map(ir) } : {}),
  };
}

/** Each role once its writes are done; given what was written, only the parts written (and not answered). */
function rereadRoles({ state, kinds, again, written, iamClient }: Rereading) {
  return Promise.all(
    [...state.roles].map(async ([name, before]) => {
      const members = state.run.bindings.filter((b) => b.role.name === name);
      const opts = roleReadOptions(members);
      // Looked at once the role's writes are done (`again` waits for them): by then the answers are in.
      const read = () => {
        const observed = isFailed(before) ? null : before;
        const answer = written?.roles.get(name);
        // An answer tells the role itself; its policies are as observed (none for a role just created).
        const answered = answer ? { ...answer, ...(observed && policiesOf(observed)) } : observed;
        const attached = written && attachedByAnswer(written, name);
        const known = answered && attached ? withAttached(answered, attached) : answered;
        const removal = members.some((b) => b.state === 'absent');
        const parts =
          written && known && !removal && partsWritten(kinds, name, written.roles.has(name), attached !== undefined);
        return parts
          ? rereadRole(iamClient!, name, onlyWritten(opts, parts), { role: known, getRole: parts.role })
          : rereadRole(iamClient!, name, opts);
      };
      return [name, isFailed(before) ? before : await again(unit({ kind: 'role', role: name }), read, before)] as const;
    }),
  );
}

/** Each binding's association and service account (`addon`: with the add-on, once it is ACTIVE). */
function rereadBindings({ state, kinds, again, written }: Rereading) {
  return Promise.all(
    state.run.bindings.map(async (b): Promise<[BindingKey, BindingState | Failed]> => {
      const key = bindingKey(b);
      const before = state.bindings.get(key)!;
      const cluster = state.clusters.get(`${b.region}/${b.clusterName}`);
      if (isFailed(before) || !cluster || isFailed(cluster)) return [key, before];
      const { kube } = cluster;
      const readAssoc = async () => {
        const answered =
          written &&
          answeredAssociation(kinds.get(unit({ kind: 'association', binding: key })), written.associations.get(key));
        return answered && (before.associations ?? []).every((a) => a.associationId === answered.associationId)
          ? [answered]
          : readOwnAssociations(b, cluster.aws.eks);
      };
      const readSa = async () => {
        const answered =
          written &&
          storedServiceAccount(kinds.get(unit({ kind: 'sa', binding: key })), written.serviceAccounts.get(key));
        return answered ?? k8s.readServiceAccount(kube!, b.namespace, b.serviceAccount);
      };
      const viaAddon = b.addon ? unit(addonOwner(b)) : undefined;
      const readOwner = () => readOwnerAddon(b, cluster.aws.eks, async () => cluster.info.version, new Map());
      const [associations, serviceAccount, ownerAddon] = await Promise.all([
        again(viaAddon ?? unit({ kind: 'association', binding: key }), readAssoc, before.associations),
        kube ? again(unit({ kind: 'sa', binding: key }), readSa, before.serviceAccount) : before.serviceAccount,
        viaAddon ? again(viaAddon, readOwner, before.ownerAddon) : before.ownerAddon,
      ]);
      return [key, { ...before, associations, serviceAccount, ownerAddon }];
    }),
  );
}

/**
 * A role read with readTarget (target roles; with migrate-from-irsa, a role left for another) is read again only
 * where it was readable (and so may have been written), under the unit its writes were made in.
 */
function rereadTargets(
  r: Rereading,
  map: Map<string, ObservedTarget | Failed> | undefined,
  unit: (arn: string) => string,
) {
  return Promise.all(
    [...(map ?? [])].map(async ([arn, before]): Promise<[string, ObservedTarget | Failed]> => {
      if (isFailed(before) || !before.readable) return [arn, before];
      const read = () => readTarget(r.iamClient!, arn, accountOf(arn));
      return [arn, await r.again<ObservedTarget>(unit(arn), read, before)];
    }),
  );
}

const policiesOf = ({ attachedPolicyArns, inlinePolicy, targetPolicy }: ObservedRole) => ({
  attachedPolicyArns,
  inlinePolicy,
  ...(targetPolicy ? { targetPolicy } : {}),
});

/** Which parts of a role its writes touched; undefined when a write not known here touched it (all read again). */
function partsWritten(
  kinds: Map<string, Op['kind'][]>,
  roleName: string,
  answered: boolean,
  attachesAnswered: boolean,
): RoleParts | undefined {
  const parts = { role: false, attached: false, inline: false };
  for (const kind of kinds.get(unit({ kind: 'role', role: roleName })) ?? []) {
    if (kind === 'create-role' || kind === 'update-trust') parts.role ||= !answered;
    else if (kind === 'tag-role' || kind === 'put-boundary') parts.role = true;
    else if (kind === 'attach-policy') parts.attached ||= !attachesAnswered;
    else if (kind === 'detach-policy') parts.attached = true;
    else if (kind === 'put-inline-policy' || kind === 'delete-inline-policy') parts.inline = true;
    else return undefined;
  }
  return parts;
}

/**
 * The policies the role's AttachRolePolicy changes put on it, when every one of them succeeded and no detach touched
 * the role (those answers are then what a ListAttachedRolePolicies would tell); undefined otherwise.
 */
function attachedByAnswer(written: Written, roleName: string): string[] | undefined {
  const own = written.changes.filter((c) => unitOf(c) === unit({ kind: 'role', role: roleName }));
  const attaches = own.flatMap((c) => (c.op.kind === 'attach-policy' ? [c] : []));
  if (attaches.length === 0 || own.some((c) => c.op.kind === 'detach-policy')) return undefined;
  if (!attaches.every((c) => written.done.includes(c))) return undefined;
  return attaches.map((c) => (c.op.kind === 'attach-policy' ? c.op.policyArn : ''));
}

const withAttached = (role: ObservedRole, arns: string[]): ObservedRole => ({
  ...role,
  attachedPolicyArns: [...new Set([...role.attachedPolicyArns, ...arns])],
});

interface RoleParts {
  /** GetRole: the trust, tags and boundary. */
  role: boolean;
  attached: boolean;
  inline: boolean;
}

const onlyWritten = (opts: RoleReadOptions, parts: RoleParts): RoleReadOptions => ({
  policies: opts.policies && parts.attached,
  inlinePolicyName: parts.inline ? opts.inlinePolicyName : undefined,
  targetPolicyName: parts.inline ? opts.targetPolicyName : undefined,
});

/** The association as its one write (create or update) answered; undefined when another write touched it too. */
const answeredAssociation = (kinds: Op['kind'][] | undefined, answer: ObservedAssociation | undefined) =>
  kinds?.length === 1 && (kinds[0] === 'create-association' || kinds[0] === 'update-association') ? answer : undefined;

/** The service account as its create or annotate answered (a namespace created first does not change it). */
const storedServiceAccount = (kinds: Op['kind'][] | undefined, answer: ObservedServiceAccount | undefined) =>
  kinds?.every((k) => k === 'create-namespace' || k === 'create-service-account' || k === 'annotate-service-account')
    ? answer
    : undefined;
