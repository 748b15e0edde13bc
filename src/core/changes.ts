import type { BindingKey } from '../inputs/config.js';
import type { ResourceKind } from './kinds.js';
import type { AssociationGuard, Change, ChangeTarget, Op, Warning } from './types.js';

/** The observed state cannot be brought to the desired one (e.g. an add-on owns the association). */
export class PlanError extends Error {}

/** Where a planner's changes belong; ChangeList stamps it on each change it is given. */
export interface Scope {
  /** Makes ids unique across the run: a planner's local ids get `@<key>`. */
  key: string;
  /** What the `changes` output names. */
  binding: string;
  serves: BindingKey[];
  target: ChangeTarget;
}

/** A change as a planner writes it: ids local to its scope (another scope's ids carry `@`). */
export interface Draft {
  id: string;
  resource: ResourceKind;
  action: string;
  detail: string;
  after: string[];
  op: Op;
  guard?: AssociationGuard[];
}

export function change(id: string, resource: ResourceKind, action: string, detail: string, after: string[], op: Op) {
  return { id, resource, action, detail, after: [...after], op } satisfies Draft;
}

const scoped = (id: string, scope: Scope) => (id.includes('@') ? id : `${id}@${scope.key}`);

/** The plan being built: changes in order, plus warnings for the user. Planners write into it through a scope. */
export class ChangeList {
  readonly changes: Change[] = [];
  readonly warnings: Warning[] = [];

  constructor(private readonly scope: Scope = { key: 'run', binding: '', serves: [], target: { clusterKey: '' } }) {}

  /** The same plan, seen from another scope. */
  in(scope: Scope): ChangeList {
    const view = new ChangeList(scope);
    Object.assign(view, { changes: this.changes, warnings: this.warnings });
    return view;
  }

  /** Stamps the scope on the change; returns its run-wide id (for `after` lists of other scopes). */
  push(d: Draft): string {
    const id = scoped(d.id, this.scope);
    const { binding, serves, target } = this.scope;
    this.changes.push({ ...d, id, after: d.after.map((a) => scoped(a, this.scope)), binding, serves, target });
    return id;
  }

  /** The run-wide ids of local ids (what a planner returns for others to wait on). */
  ids(local: string[]): string[] {
    return local.map((id) => scoped(id, this.scope));
  }

  warn(message: string): void {
    this.warnings.push({ about: this.scope.binding, message });
  }
}
