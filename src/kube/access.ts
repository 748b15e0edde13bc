// Cluster access: a kubeconfig (read by client-node, so every kubeconfig feature works: exec plugins, client
// certificates, token files, proxies), or DescribeCluster's endpoint and CA with an EKS token (no kubeconfig).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { KubeAccess } from '../inputs/config.js';
import { RunError } from '../errors.js';
import type { Transport } from './rest.js';

export interface ClusterEndpoint {
  name: string;
  endpoint: string;
  caData: string | undefined;
}

export async function transportFor(access: KubeAccess, cluster: ClusterEndpoint | undefined, token: string | undefined): Promise<Transport> {
  if (access.kind === 'eks') return eksTransport(cluster, token);
  return kubeconfigTransport(access);
}

function eksTransport(cluster: ClusterEndpoint | undefined, token: string | undefined): Transport {
  if (!cluster?.endpoint) throw new Error(`Cluster ${cluster?.name ?? ''} has no API endpoint yet; wait until it is ACTIVE, or give a kubeconfig.`);
  // One keep-alive agent for the run: one TLS handshake, however many calls.
  const agent = cluster.endpoint.startsWith('http:')
    ? new HttpAgent({ keepAlive: true })
    : new HttpsAgent({ keepAlive: true, ca: cluster.caData ? Buffer.from(cluster.caData, 'base64') : undefined });
  const authorization = `Bearer ${token ?? ''}`;
  return {
    server: cluster.endpoint,
    apply: async (options) => {
      options.agent = agent;
      options.headers = { ...options.headers, authorization };
    },
    close: () => agent.destroy(),
  };
}

async function kubeconfigTransport(access: Exclude<KubeAccess, { kind: 'eks' }>): Promise<Transport> {
  // Loaded only here: most runs (GitHub runners without a kubeconfig) never need it.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (access.kind === 'kubeconfig-file') kc.loadFromFile(access.path);
    else kc.loadFromString(access.text);
  } catch (e) {
    // The parser's message quotes the surrounding lines, which may hold a token: give the position only.
    const mark = (e as { mark?: { line?: number; column?: number } }).mark;
    const where = mark?.line !== undefined ? ` (line ${mark.line + 1}, column ${(mark.column ?? 0) + 1})` : '';
    throw new RunError(`Input "kubeconfig" is not a valid kubeconfig${where}.`);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new RunError('Input "kubeconfig" has no current context with a cluster server.');
  const agent = reuseAgent(kc);
  return {
    server,
    // Asked per call: exec plugins and token files renew credentials that expire during a long run.
    apply: async (options) => {
      await kc.applyToHTTPSOptions(options as Parameters<typeof kc.applyToHTTPSOptions>[0]);
    },
    close: () => agent()?.destroy(),
  };
}

/**
 * client-node builds a new agent, so a new TLS connection and context, for every request. The options are
 * the same for the whole run (credentials travel in headers), so one keep-alive agent serves every call.
 */
function reuseAgent(kc: object): () => HttpsAgent | undefined {
  const target = kc as { createAgent(cluster: unknown, options: object): HttpsAgent };
  const create = target.createAgent.bind(kc);
  let agent: HttpsAgent | undefined;
  target.createAgent = (cluster, options) => (agent ??= create(cluster, { ...options, keepAlive: true }));
  return () => agent;
}
