// The handful of Kubernetes REST calls this action makes, as plain JSON over one keep-alive connection.
// client-node's generated API classes cost more to load than the whole rest of a run (3.8 MB of models and
// a serializer that walks them); the calls below need none of that. Cluster access — kubeconfig semantics,
// exec plugins, certificates — still comes from client-node (see access.ts).
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** How requests reach the API server: its URL, and what each request needs (agent, TLS, credentials). */
export interface Transport {
  server: string;
  /** Adds the agent, TLS material and credentials to a request's options. */
  apply(options: RequestOptions): Promise<void>;
  close(): void;
}

/** A response other than 2xx: `code` is the HTTP status, `body` the server's text (a Status object, usually). */
export class KubeApiError extends Error {
  constructor(readonly code: number, readonly body: string, method: string, path: string) {
    super(`${method} ${path} answered ${code}`);
  }
}

export type PatchType = 'merge' | 'strategic';
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
  patch?: PatchType;
}

/** One call; resolves to the parsed JSON answer, rejects with KubeApiError or the network error. */
export async function call<T>(t: Transport, method: 'GET' | 'POST' | 'PATCH', path: string, opts: CallOptions = {}): Promise<T> {
  const url = new URL(t.server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const options: RequestOptions = {
    method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined && { 'content-type': opts.patch ? PATCH_CONTENT_TYPES[opts.patch] : 'application/json' }),
    },
  };
  await t.apply(options);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise<T>((resolve, reject) => {
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) return reject(new KubeApiError(status, text, method, url.pathname));
        try {
          resolve((text ? JSON.parse(text) : {}) as T);
        } catch {
          reject(new KubeApiError(status, text.slice(0, 200), method, url.pathname));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
