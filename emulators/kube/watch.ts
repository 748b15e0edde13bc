// `?watch=true`: a chunked stream of {"type","object"} lines, as kubectl wait/delete/rollout status and informers use.
// A bounded history lets a watch start from a resourceVersion; older ones get 410 Gone like a compacted etcd.
import type { ServerResponse } from 'node:http';
import type { RequestInfo } from './api.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import { toTable } from './tables.js';
import type { Store, WatchEvent } from './store.js';

const HISTORY = 1000;

export class Watches {
  private history: { rv: number; e: WatchEvent }[] = [];
  private open = new Set<ServerResponse>();

  constructor(private store: Store) {
    store.subscribe((e) => {
      this.history.push({ rv: Number(e.object.metadata.resourceVersion), e });
      if (this.history.length > HISTORY) this.history.shift();
    });
  }

  /** `table`: kubectl get -w asks for Table rows; columns are sent with the first event only, as the apiserver does. */
  serve(info: RequestInfo, q: URLSearchParams, res: ServerResponse, table = false): void {
    const def = info.def!;
    const byLabel = labelMatcher(q.get('labelSelector'));
    const byField = fieldMatcher(
      def.resource,
      q.get('fieldSelector') ?? (info.name ? `metadata.name=${info.name}` : null),
    );
    const match = (e: WatchEvent) =>
      e.def === def &&
      (!info.namespace || e.object.metadata.namespace === info.namespace) &&
      byLabel(e.object.metadata.labels ?? {}) &&
      byField(e.object);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    let first = true;
    const write = (type: string, object: unknown) => {
      let out = object;
      if (table && type !== 'ERROR' && type !== 'BOOKMARK') {
        out = toTable(def.resource, object, q.get('includeObject'));
        if (!first) (out as { columnDefinitions?: unknown }).columnDefinitions = [];
        first = false;
      }
      res.write(`${JSON.stringify({ type, object: out })}\n`);
    };
    const rv = q.get('resourceVersion');
    if (!rv || rv === '0') {
      // No starting point: the current state as ADDED events, then changes.
      for (const o of this.store.list(def, info.namespace).items)
        if (match({ type: 'ADDED', def, object: o })) write('ADDED', o);
    } else {
      const from = Number(rv);
      if (this.history.length && from < this.history[0]!.rv - 1) {
        write('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${rv} (${this.history[0]!.rv - 1})`,
          reason: 'Expired',
          code: 410,
        });
        res.end();
        return;
      }
      for (const h of this.history) if (h.rv > from && match(h.e)) write(h.e.type, h.e.object);
    }
    if (q.get('sendInitialEvents') === 'true' || q.get('allowWatchBookmarks') === 'true')
      write('BOOKMARK', {
        kind: def.kind,
        apiVersion: def.group ? `${def.group}/v1` : 'v1',
        metadata: {
          resourceVersion: this.store.resourceVersion,
          ...(q.get('sendInitialEvents') === 'true' ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
        },
      });
    const unsubscribe = this.store.subscribe((e) => {
      if (match(e)) write(e.type, e.object);
    });
    this.open.add(res);
    const done = () => {
      unsubscribe();
      this.open.delete(res);
      if (!res.writableEnded) res.end();
    };
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(done, timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      done();
    });
  }

  closeAll(): void {
    for (const r of [...this.open]) r.end();
  }
}
