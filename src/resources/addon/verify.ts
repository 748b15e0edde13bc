import { check, type Check } from '../../core/check.js';
import type { ObservedAddon } from '../../core/types.js';
import { AGENT_ADDON } from './plan.js';

/** The Pod Identity agent runs: its add-on is ACTIVE. */
export const checkAddon = (addon: ObservedAddon | null | undefined): Check =>
  check('agent add-on', addon?.status === 'ACTIVE', `${AGENT_ADDON} is ${addon?.status ?? 'missing'}`);
