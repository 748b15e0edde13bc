// The rooms' stages of a plan, in the order a plan runs them (src/run/plan.ts goes through this list and nothing
// else). The order is the point: shared things first, then each absent binding's own parts (their roles' trust is
// taken back after them), the roles, the add-ons' association writes, each present binding's own changes, the
// target roles' trust (grants, then removals) and the eks-pod-iam-target policies, the pods a removal leaves stale,
// migrate-from-irsa's subject removals (after everything else of those bindings), and last each namespace's change.
import type { PlanStage } from '../core/stages.js';
import { addonWriteOfRemoval, planAddonBindings, planAgentAddon } from './addon/stages.js';
import {
  planAssociationRemovalOf,
  planBindingAssociation,
  planBindingIrsaRecord,
  settleBindingAssociation,
} from './association/stages.js';
import { planManagedPolicies } from './managed-policy/stages.js';
import { planProviders } from './oidc-provider/stages.js';
import { planTargetRevokes } from './role-policies/stages.js';
import { planSubjectRemovals } from './role-trust/stage-migrate.js';
import { planRoles } from './role-trust/stages.js';
import {
  planBindingServiceAccount,
  planBindingUnannotate,
  planServiceAccountRemovalOf,
  settleNamespaces,
} from './service-account/stages.js';
import { planTargetRemovals, planTargets } from './target-role/stages.js';
import { planBindingRestarts, planStalePods } from './workloads/stages.js';

export const PLAN_STAGES: readonly PlanStage[] = [
  {
    per: 'cluster',
    steps: [
      { room: 'addon', plan: planAgentAddon },
      { room: 'oidc-provider', plan: planProviders },
    ],
  },
  { per: 'run', room: 'managed-policy', plan: planManagedPolicies },
  {
    per: 'absent binding',
    steps: [
      { room: 'association', plan: planAssociationRemovalOf },
      { room: 'addon', plan: addonWriteOfRemoval },
      { room: 'service-account', plan: planServiceAccountRemovalOf },
    ],
  },
  { per: 'run', room: 'role-trust', plan: planRoles },
  { per: 'run', room: 'addon', plan: planAddonBindings },
  {
    per: 'present binding',
    steps: [
      { room: 'association', plan: planBindingAssociation },
      { room: 'service-account', plan: planBindingServiceAccount },
      { room: 'association', plan: planBindingIrsaRecord },
      { room: 'association', plan: settleBindingAssociation },
      { room: 'service-account', plan: planBindingUnannotate },
      { room: 'workloads', plan: planBindingRestarts },
    ],
  },
  { per: 'run', room: 'target-role', plan: planTargets },
  { per: 'run', room: 'target-role', plan: planTargetRemovals },
  { per: 'run', room: 'role-policies', plan: planTargetRevokes },
  { per: 'run', room: 'workloads', plan: planStalePods },
  { per: 'run', room: 'role-trust', plan: planSubjectRemovals },
  { per: 'run', room: 'service-account', plan: settleNamespaces },
];
