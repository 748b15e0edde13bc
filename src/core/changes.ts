import type { BindingKey } from '../inputs/config.js';
import type { ResourceKind } from './kinds.js';
import type { AssociationGuard, Change, ChangeTarget, Op, Owner, Ref, Warning } from './types.js';

export type { Owner, Ref };

/** The observed state cannot be brought to the desired one (e.g. an add-on owns the association). */
export class PlanError extends Error {}

/** Where a planner's changes belong; ChangeList stamps it on each change it is given. */
export interface Scope {
  /** What its changes are about; makes ids unique across the run: a planner's local ids get `@<refKey(owner)>`. */
  owner: Owner;
  /** What the `changes` output names. */
  binding: string;
  serves: BindingKey[];
  target: ChangeTarget;
}

/** The one key format of a reference (a Ref, an Owner, a read-back unit): its kind, then its identity. */
export const refKey = (ref: { kind: string }): string => Object.values(ref).join(':');

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

/** A change folded from intents: `from` is the intent it draws on first (it is listed where that was stated). */
export type Folded = Draft & { from?: number };

export function change(id: string, resource: ResourceKind, action: string, detail: string, after: string[], op: Op) {
  return { id, resource, action, detail, after: [...after], op } satisfies Draft;
}

/**
 * A local id made run-wide: `<local>@<owner>`. A local id may hold an `@` (an ARN or a policy name may): it is
 * escaped, so two scopes never share an id and the first unescaped `@` ends the local part.
 */
const runWide = (id: string, scope: Scope) => `${id.replace(/%/g, '%25').replace(/@/g, '%40')}@${refKey(scope.owner)}`;
/** An id in an `after` list: run-wide already (another scope's, as `ids`/`push` gave it), else local. */
const scoped = (id: string, scope: Scope) => (id.includes('@') ? id : runWide(id, scope));

interface Stated {
  intent: unknown;
  seq: number;
  scope: Scope;
}

/** What every view of one plan shares: the list position counter, the intents stated, the resources settled. */
interface Ledger {
  seq: number;
  order: WeakMap<Change, number>;
  stated: Map<string, Stated[]>;
  settled: Map<string, Change[]>;
  refs: Map<string, Ref>;
}

/**
 * The plan being built: changes in order, plus warnings for the user. Planners write into it through a scope,
 * either a change of their own (`push`) or an intent about a shared resource (`intend`), which that resource's room
 * folds, with every other intent about it, into its one change (`settle`). No planner edits another's change.
 */
export class ChangeList {
  readonly changes: Change[] = [];
  readonly warnings: Warning[] = [];
  private readonly ledger: Ledger = {
    seq: 0,
    order: new WeakMap(),
    stated: new Map(),
    settled: new Map(),
    refs: new Map(),
  };

  constructor(
    private readonly scope: Scope = { owner: { kind: 'run' }, binding: '', serves: [], target: { clusterKey: '' } },
  ) {}

  /** The same plan, seen from another scope. */
  in(scope: Scope): ChangeList {
    const view = new ChangeList(scope);
    Object.assign(view, { changes: this.changes, warnings: this.warnings, ledger: this.ledger });
    return view;
  }

  /** Stamps the scope on the change; returns its run-wide id (for `after` lists of other scopes). */
  push(d: Draft): string {
    return this.place(d, this.scope, this.scope.serves, this.ledger.seq++).id;
  }

  /** The run-wide ids of local ids (what a planner returns for others to wait on). */
  ids(local: string[]): string[] {
    return local.map((id) => runWide(id, this.scope));
  }

  warn(message: string): void {
    this.warnings.push({ about: this.scope.binding, message });
  }

  /** States what this scope wants of a shared resource; its room folds every intent into one change (`settle`). */
  intend<I>(ref: Ref, intent: I): void {
    const key = refKey(ref);
    this.ledger.refs.set(key, ref);
    if (this.ledger.settled.has(key)) throw new Error(`${key} is settled: an intent came too late`);
    const stated = this.ledger.stated.get(key) ?? [];
    this.ledger.stated.set(key, [...stated, { intent, seq: this.ledger.seq++, scope: this.scope }]);
  }

  /** Every intent stated about the resource, in the order stated. */
  intents<I>(ref: Ref): I[] {
    return (this.ledger.stated.get(refKey(ref)) ?? []).map((s) => s.intent as I);
  }

  /**
   * The resource's changes as its room folded them from its intents: each is listed where the intent it draws on
   * first was stated, in that intent's scope, and serves every binding that stated one. Returns their ids.
   */
  settle(ref: Ref, folded: readonly Folded[], owner?: Owner): string[] {
    const key = refKey(ref);
    if (this.ledger.settled.has(key)) throw new Error(`${key} is settled twice`);
    const stated = this.ledger.stated.get(key) ?? [];
    const serves = [...new Set(stated.flatMap((s) => s.scope.serves))];
    const made = folded.map(({ from = 0, ...d }) => {
      const { scope, seq } = stated[from]!;
      return this.place(d, owner ? { ...scope, owner } : scope, serves, seq);
    });
    this.ledger.settled.set(key, made);
    return made.map((c) => c.id);
  }

  /** The resources of this kind intents were stated about that are not settled yet. */
  pending<K extends Ref['kind']>(kind: K): Extract<Ref, { kind: K }>[] {
    return [...this.ledger.refs]
      .filter(([key, ref]) => ref.kind === kind && !this.ledger.settled.has(key))
      .map(([, ref]) => ref as Extract<Ref, { kind: K }>);
  }

  isSettled(ref: Ref): boolean {
    return this.ledger.settled.has(refKey(ref));
  }

  /** The resources intents were stated about, for these bindings, that no room has settled (a plan leaves none). */
  unsettled(serving: (key: BindingKey) => boolean): string[] {
    return [...this.ledger.stated]
      .filter(([k, stated]) => !this.ledger.settled.has(k) && stated.some((s) => s.scope.serves.some(serving)))
      .map(([k]) => k);
  }

  /** The changes a settled resource got (none: nothing to change, or not settled yet). */
  settled(ref: Ref): readonly Change[] {
    return this.ledger.settled.get(refKey(ref)) ?? [];
  }

  /**
   * The changes made so far in these bindings' own scopes and, given `by`, those that owner made for them, in list
   * order: what a later change of the bindings waits for.
   */
  madeFor(keys: readonly BindingKey[], by?: Owner): readonly Change[] {
    const owner = by && refKey(by);
    return this.changes.filter(
      (c) =>
        (!!c.target.binding && keys.includes(c.target.binding)) ||
        (!!owner && refKey(c.owner) === owner && c.serves.some((k) => keys.includes(k))),
    );
  }

  /** The ids of the changes made so far that serve the binding, in list order. */
  serving(key: BindingKey): string[] {
    return this.changes.filter((c) => c.serves.includes(key)).map((c) => c.id);
  }

  private place(d: Draft, scope: Scope, serves: BindingKey[], seq: number): Change {
    const { binding, target, owner } = scope;
    const c: Change = {
      ...d,
      id: runWide(d.id, scope),
      after: d.after.map((a) => scoped(a, scope)),
      binding,
      serves,
      target,
      owner,
    };
    this.ledger.order.set(c, seq);
    const at = this.changes.findIndex((o) => (this.ledger.order.get(o) ?? Infinity) > seq);
    this.changes.splice(at < 0 ? this.changes.length : at, 0, c);
    return c;
  }
}
