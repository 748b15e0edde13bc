// The vocabulary of a plan's stages, shared by the rooms that plan them (src/resources/<kind>/stages.ts), the
// registry that lists them in order (src/resources/registry.ts) and the run that goes through it (src/run/plan.ts).
// Types only.
import type { BindingConfig, BindingKey, Config } from '../inputs/config.js';
import type { ManagedAttach } from '../resources/role-policies/plan.js';
import type { ChangeList } from './changes.js';
import type { Fail, Planning } from './planning.js';
import type { RemovalRecords } from './removal-record.js';
import type { ClusterKey, ClusterState, RunState } from './state.js';
import type { Observed, ObservedRole } from './types.js';

/** Per role, what its trust write waits for of its absent bindings' own removals. */
export interface RemovalDone {
  after: string[];
  /** The add-on writes a present binding of the role also waits for: waited for only if the trust lets none in. */
  unlessAdding: string[];
}

/** An association an absent binding's removal deletes (its change `id`): its grant leaves the target's trust. */
export interface DeletedAssociation {
  binding: BindingKey;
  id: string;
  associationId: string;
}

/** A target a removed binding's role may lose from its eks-pod-iam-target policy. */
export interface TargetRevoke {
  role: ObservedRole;
  arn: string;
  key: BindingKey;
  clusterKey: ClusterKey;
  after: string[];
}

/** What earlier stages planned that later ones wait for or build on: each field is filled by the one stage named. */
export interface Ready {
  /** By OIDC provider ARN, the changes a role trusting it waits for (oidc-provider). */
  providers: Map<string, string[]>;
  /** By role name, the customer-managed policies to attach and what each attach waits for (managed-policy). */
  managedPolicies: Map<string, ManagedAttach[]>;
  /** By role name, what its trust write waits for of its absent bindings' own parts (the own-removals stage). */
  removals: Map<string, RemovalDone>;
  /** By role name, what its bindings wait for: its creation, or the trust write letting them in (role-trust). */
  roles: Map<string, string[]>;
  /** The associations absent bindings' removals delete, in the order planned (association). */
  deletedAssociations: DeletedAssociation[];
  /** Targets removed bindings' roles may lose from their eks-pod-iam-target policy (target-role's removal). */
  targetRevokes: TargetRevoke[];
}

/** One plan being made, as every stage sees it. */
export interface PlanRun {
  readonly state: RunState;
  /** What each binding resolved to, which failed, the warnings and the add-on waits (changes go to `out`). */
  readonly plan: Planning;
  readonly out: ChangeList;
  readonly fail: Fail;
  /** Tags naming the pipeline run, put only on what this run creates. */
  readonly provenance: Readonly<Record<string, string>>;
  /** The bindings still planned (resolved, not failed so far), as of the call. */
  live(): BindingConfig[];
  present(): BindingConfig[];
  absent(): BindingConfig[];
  readonly ready: Ready;
  readonly removals: RemovalRecords;
}

/** One binding as a per-binding step sees it: its resolved config and role, its observation, its own scope. */
export interface BindingPlan {
  b: BindingConfig;
  key: BindingKey;
  config: Config;
  roleArn: string;
  observed: Observed;
  /** The binding's own scope. */
  out: ChangeList;
}

/** What an absent binding's own removal step planned: what its role's trust write waits for. */
export interface OwnRemoval {
  after: string[];
  /** Waited for only if the role's trust write lets no binding in (see RemovalDone). */
  unlessAdding?: string[];
  /** The service account's room: it deletes the service account. */
  serviceAccountDeleted?: boolean;
}

export type RoomName =
  | 'addon'
  | 'oidc-provider'
  | 'managed-policy'
  | 'role-trust'
  | 'role-policies'
  | 'target-role'
  | 'association'
  | 'service-account'
  | 'workloads';

/** A room's part of a stage that runs once per cluster of the present bindings (a failed cluster has none). */
export interface ClusterStep {
  room: RoomName;
  plan(run: PlanRun, cluster: ClusterState, members: BindingConfig[]): void;
}

/** A room's part of a present binding's own changes. */
export interface BindingStep {
  room: RoomName;
  plan(run: PlanRun, binding: BindingPlan): void;
}

/** A room's part of an absent binding's own removal. */
export interface RemovalStep {
  room: RoomName;
  plan(run: PlanRun, binding: BindingPlan): OwnRemoval;
}

/**
 * One stage of a plan: run once (`run`), or per cluster, absent binding or present binding, where each binding's
 * steps run in the order listed and a PlanError in one fails that binding alone.
 */
export type PlanStage =
  | { per: 'run'; room: RoomName; plan(run: PlanRun): void }
  | { per: 'cluster'; steps: readonly ClusterStep[] }
  | { per: 'absent binding'; steps: readonly RemovalStep[] }
  | { per: 'present binding'; steps: readonly BindingStep[] };
