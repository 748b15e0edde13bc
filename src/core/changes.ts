import type { Change, Op } from './types.js';

/** The observed state cannot be brought to the desired one (e.g. an add-on owns the association). */
export class PlanError extends Error {}

export function change(id: string, resource: string, action: string, detail: string, after: string[], op: Op): Change {
  return { id, resource, action, detail, after: [...after], op };
}

/** The plan being built: changes in order, plus warnings for the user. */
export class ChangeList {
  readonly changes: Change[] = [];
  readonly warnings: string[] = [];
  push(c: Change): void {
    this.changes.push(c);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
}
