// The scopes plan changes are made in: what a change is about (its owner), which bindings it serves, where it is
// read back.
import { refKey, type Owner, type Scope } from './changes.js';
import { bindingKey, type BindingConfig, type BindingKey } from '../inputs/config.js';
import { clusterKeyOf, type ClusterKey } from './state.js';

export const scopeOf = (owner: Owner, serves: BindingKey[], clusterKey: ClusterKey, binding?: string): Scope => ({
  owner,
  binding: binding ?? serves[0] ?? refKey(owner),
  serves,
  target: { clusterKey },
});

export const roleOwner = (role: string): Owner => ({ kind: 'role', role });

/** The owner of an add-on's one association write (`addon`). */
export const addonOwner = (
  b: Pick<BindingConfig, 'region' | 'clusterName' | 'addon'>,
): Extract<Owner, { kind: 'addon-associations' }> => ({
  kind: 'addon-associations',
  cluster: clusterKeyOf(b),
  addon: b.addon!,
});

/** The scope of an add-on's one association write (`addon`). */
export const addonScope = (b: BindingConfig, serves: BindingKey[]): Scope =>
  scopeOf(addonOwner(b), serves, clusterKeyOf(b), b.clusterName);

export const bindingScope = (b: BindingConfig): Scope => {
  const key = bindingKey(b);
  return {
    owner: { kind: 'binding', binding: key },
    binding: key,
    serves: [key],
    target: { clusterKey: clusterKeyOf(b), binding: key },
  };
};
