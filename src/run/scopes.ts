// The scopes plan changes are made in: what a change is keyed by, which bindings it serves, where it is read back.
import type { Scope } from '../core/changes.js';
import { bindingKey, type BindingConfig, type BindingKey } from '../inputs/config.js';
import { addonAssociationsScope } from '../resources/addon/associations.js';
import { clusterKeyOf, type ClusterKey } from './state.js';

export const scopeOf = (key: string, serves: BindingKey[], clusterKey: ClusterKey, binding?: string): Scope => ({
  key,
  binding: binding ?? serves[0] ?? key,
  serves,
  target: { clusterKey },
});

/** The scope of an add-on's one association write (`addon`). */
export const addonScope = (b: BindingConfig, serves: BindingKey[]): Scope =>
  scopeOf(addonAssociationsScope(clusterKeyOf(b), b.addon!), serves, clusterKeyOf(b), b.clusterName);

export const bindingScope = (b: BindingConfig): Scope => {
  const key = bindingKey(b);
  return { key, binding: key, serves: [key], target: { clusterKey: clusterKeyOf(b), binding: key } };
};
