// Policy presets: the policies controllers document upstream, as data (./data/<name>.json), checked and expanded for
// a binding. This is the whole API the rest of the program uses (see notes in types.ts for the data format).
import { CATALOG } from './catalog.js';
import { checkWith } from './check.js';
import { expandWith, sizeProblem } from './expand.js';
import type { ExpandedPreset, PresetContext, PresetInfo, PresetRequest } from './types.js';

export type {
  ExpandedPreset,
  PresetContext,
  PresetDocument,
  PresetInfo,
  PresetParameter,
  PresetRequest,
  PresetUpstream,
} from './types.js';

export const PRESET_NAMES: readonly string[] = [...CATALOG.keys()];

/** A preset's name, purpose, upstream and parameters (README table, job summary); undefined for an unknown name. */
export function presetInfo(name: string): PresetInfo | undefined {
  const data = CATALOG.get(name);
  return data && { name: data.name, purpose: data.purpose, upstream: data.upstream, parameters: data.parameters };
}

/**
 * The problem with a request, as one line without the input's name (the caller prefixes it), e.g.
 * `"velero": "bucket-arns" is required`; undefined when the request is good.
 */
export function checkPresetRequest(req: PresetRequest): string | undefined {
  return checkWith(CATALOG, req);
}

/** The preset made concrete for one binding. Pure; `req` must have passed checkPresetRequest. */
export function expandPreset(req: PresetRequest, ctx: PresetContext): ExpandedPreset {
  const data = CATALOG.get(req.name);
  if (!data) throw new Error(`unknown preset "${req.name}"`);
  return expandWith(data, req, ctx);
}

/**
 * The problem with a checked request in one binding's place, as one line without the input's name: its made document
 * over IAM's 6,144 characters (karpenter's with a cluster name over ~58 characters, or hundreds of ARNs). Account
 * IDs are always 12 digits, so any account gives the size: callable while inputs are checked, before any call.
 */
export function checkPresetFor(req: PresetRequest, ctx: PresetContext): string | undefined {
  return sizeProblem(expandPreset(req, ctx), ctx);
}
