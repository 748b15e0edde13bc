import { check, type Check } from '../../core/check.js';
import type { ObservedAddon } from '../../core/types.js';
import { AGENT_ADDON } from './plan.js';

/** The Pod Identity agent runs: its add-on is ACTIVE, or the cluster is in EKS Auto Mode (the agent is built in). */
export const checkAddon = (addon: ObservedAddon | null | undefined, autoMode = false): Check =>
  autoMode
    ? check('agent add-on', true, 'EKS Auto Mode: the Pod Identity agent is built in, no add-on needed')
    : check('agent add-on', addon?.status === 'ACTIVE', `${AGENT_ADDON} is ${addon?.status ?? 'missing'}`);
