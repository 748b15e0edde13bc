// One gate per resource, opened once every planned change to it is done: reading a resource back for
// verification can start then, while changes to other resources are still running.

export class ResourceGates {
  private readonly pending = new Map<string, number>();
  private readonly gates = new Map<string, { promise: Promise<void>; open(): void; fail(e: unknown): void }>();

  /** `resources`: one entry per planned change (a resource changed twice appears twice). */
  constructor(resources: readonly string[]) {
    for (const r of resources) this.pending.set(r, (this.pending.get(r) ?? 0) + 1);
    for (const r of this.pending.keys()) {
      let open!: () => void;
      let fail!: (e: unknown) => void;
      const promise = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
      promise.catch(() => undefined); // a gate nobody waits on must not become an unhandled rejection
      this.gates.set(r, { promise, open, fail });
    }
  }

  /** One change to the resource is done; the gate opens with the last one. */
  done(resource: string): void {
    const left = (this.pending.get(resource) ?? 0) - 1;
    this.pending.set(resource, left);
    if (left <= 0) this.gates.get(resource)?.open();
  }

  openAll(): void {
    for (const g of this.gates.values()) g.open();
  }

  /** The changes failed: whoever waits stops waiting (an opened gate stays open). */
  failAll(e: unknown): void {
    for (const g of this.gates.values()) g.fail(e);
  }

  /** Settles when every listed resource's gate is open; resources without planned changes are open already. */
  readonly ready = async (resources: readonly string[]): Promise<void> => {
    await Promise.all(resources.map((r) => this.gates.get(r)?.promise ?? Promise.resolve()));
  };
}
