// What a plan is: its changes and warnings, what each binding resolved to, which failed, and what each removal
// means to leave behind. Types only, shared by the stages of the plan and by what runs it.
import type { BindingConfig, BindingKey, Config } from '../inputs/config.js';
import type { Change, Warning } from './types.js';
import type { Binding } from '../resources/role-trust/trust.js';
import type { RemovalIntent } from './removal-record.js';
import type { ClusterKey } from './state.js';

export type { RemovalIntent };

/** What a binding resolved to: the role its pods get, and (IRSA) the provider that vouches for them. */
export interface Resolved {
  config: Config;
  roleArn: string;
  binding: Binding;
  providerArn?: string;
}

/** A plan, once made: never changed (the run keeps its own failures, and its own view of what is applied). */
export interface RunPlan {
  readonly changes: readonly Change[];
  readonly warnings: readonly Warning[];
  /** Clusters whose add-on must become ACTIVE before the run is done (created now, or still coming up). */
  readonly addonWaits: readonly ClusterKey[];
  /** The bindings that could be planned. */
  readonly resolved: ReadonlyMap<BindingKey, Resolved>;
  /** The bindings that cannot be brought to the desired state, with the cause. */
  readonly failures: ReadonlyMap<BindingKey, string>;
  /** state: absent — what each absent binding's removal leaves behind (what verification checks; RemovalRecords). */
  readonly removals: ReadonlyMap<BindingKey, RemovalIntent>;
}

/**
 * A plan being made, by planRun and its stages (only they write into it; the removal records are composed once,
 * at the end, from RemovalRecords).
 */
export interface Planning extends RunPlan {
  changes: Change[];
  warnings: Warning[];
  addonWaits: ClusterKey[];
  resolved: Map<BindingKey, Resolved>;
  failures: Map<BindingKey, string>;
  removals: Map<BindingKey, RemovalIntent>;
}

/** Fails the bindings with the cause a PlanError gives (anything else is a bug: thrown on). */
export type Fail = (keys: BindingKey[], e: unknown) => void;

export const isAbsent = (b: Pick<BindingConfig, 'state'>) => b.state === 'absent';
