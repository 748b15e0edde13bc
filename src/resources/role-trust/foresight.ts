// A trust update foreseen while observing: a role that exists lacks a statement one of its bindings wants, so the
// plan will update its trust. Two reads that update needs before its write are then made at once, alongside the rest
// of observe, instead of one after the other once the plan is made: the account's trust-policy quota (the update is
// checked against it, quota.ts) and the role's trust again (the write merges into a read that recent, apply.ts).
// Nothing is read when no update is foreseen (a rerun pays nothing), and a run never ends with a read under way.
import type { IAMClient } from '@aws-sdk/client-iam';
import { trustPolicyQuota } from '../../aws/iam-account.js';
import { bindingFor } from '../../core/resolve.js';
import { configOf, isFailed, type ClusterState, type Failed } from '../../core/state.js';
import type { ObservedRole } from '../../core/types.js';
import type { BindingConfig, RunConfig } from '../../inputs/config.js';
import { readTrust } from './read.js';
import { mergeTrustAll, type Binding } from './trust.js';

export class TrustForesight {
  private quotaRead?: Promise<number | undefined>;
  private readonly roleReads = new Map<string, Promise<ObservedRole | null>>();
  /** `writes`: false in a dry run, which checks the quota but writes no trust (so its trust is not read again). */
  constructor(
    private readonly client: IAMClient,
    private readonly writes: boolean,
  ) {}

  /** The role's trust will be updated: its quota and its trust are read now. */
  foresee(roleName: string): void {
    void this.quota().catch(() => undefined);
    if (!this.writes || this.roleReads.has(roleName)) return;
    const read = readTrust(this.client, roleName);
    read.catch(() => undefined); // looked at by recentRead(); not an unhandled rejection meanwhile
    this.roleReads.set(roleName, read);
  }

  /** The account's trust-policy quota, read once; rejects when it cannot be read (without iam:GetAccountSummary). */
  quota(): Promise<number | undefined> {
    if (!this.quotaRead) {
      this.quotaRead = trustPolicyQuota(this.client);
      this.quotaRead.catch(() => undefined);
    }
    return this.quotaRead;
  }

  /** The role as read when its update was foreseen; undefined when it was not (or that read failed). */
  async recentRead(roleName: string): Promise<ObservedRole | undefined> {
    return (await this.roleReads.get(roleName)?.catch(() => null)) ?? undefined;
  }

  /** Waits for the reads started (a run does not end with a request still under way). */
  async settled(): Promise<void> {
    await Promise.allSettled([this.quotaRead, ...this.roleReads.values()]);
  }
}

/**
 * Once the role and its present bindings' clusters are read: whether its trust lacks a statement one of them wants,
 * i.e. whether the plan will update it (a binding whose trust statement cannot be worked out is the plan's to fail).
 */
export async function growsTrust(
  role: Promise<ObservedRole | null | Failed>,
  bindings: readonly BindingConfig[],
  clusterOf: (b: BindingConfig) => Promise<ClusterState | Failed> | undefined,
  run: RunConfig,
): Promise<boolean> {
  const observed = await role;
  if (!observed || isFailed(observed)) return false;
  const wanted: Binding[] = [];
  for (const b of bindings.filter((x) => x.state === 'present')) {
    const cluster = await clusterOf(b);
    if (!cluster || isFailed(cluster)) continue;
    const accountId = b.role.kind === 'arn' ? b.role.accountId : cluster.accountId;
    try {
      wanted.push(bindingFor(configOf(run, b), { role: observed, accountId, cluster: cluster.info }).binding);
    } catch {
      continue;
    }
  }
  return mergeTrustAll(observed.trust, wanted).changed;
}
