// Thin adapter over @kubernetes/client-node: the cluster access, and the service account calls the plan needs.
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1PodTemplateSpec } from '@kubernetes/client-node';
import type { Agent } from 'node:http';
import type { KubeAccess } from '../inputs/config.js';
import type { ObservedPod, ObservedServiceAccount, ObservedWorkload, WorkloadKind } from '../plan/types.js';
import { RunError } from '../errors.js';
import { sleep } from '../time.js';
import { describeKubeError, statusOf } from './errors.js';

export interface ClusterEndpoint {
  name: string;
  endpoint: string;
  caData: string | undefined;
}

export interface Kube {
  core: CoreV1Api;
  apps: AppsV1Api;
  admission: AdmissionregistrationV1Api;
  /** Where it points, for messages. */
  server: string;
  /** Closes the connections kept open between calls. */
  close(): void;
}

/** From a kubeconfig (file or text), or from DescribeCluster's endpoint and CA with an EKS token. */
export function connect(access: KubeAccess, cluster: ClusterEndpoint | undefined, token: string | undefined): Kube {
  const kc = new KubeConfig();
  if (access.kind !== 'eks') {
    try {
      if (access.kind === 'kubeconfig-file') kc.loadFromFile(access.path);
      else kc.loadFromString(access.text);
    } catch (e) {
      // The parser's message quotes the surrounding lines, which may hold a token: give the position only.
      const mark = (e as { mark?: { line?: number; column?: number } }).mark;
      const where = mark?.line !== undefined ? ` (line ${mark.line + 1}, column ${(mark.column ?? 0) + 1})` : '';
      throw new RunError(`Input "kubeconfig" is not a valid kubeconfig${where}.`);
    }
  } else {
    if (!cluster?.endpoint) throw new Error(`Cluster ${cluster?.name ?? ''} has no API endpoint yet; wait until it is ACTIVE, or give a kubeconfig.`);
    kc.loadFromOptions({
      // client-node refuses http:// unless told TLS is skipped; there is no TLS to verify then.
      clusters: [{ name: cluster.name, server: cluster.endpoint, caData: cluster.caData, skipTLSVerify: cluster.endpoint.startsWith('http:') }],
      users: [{ name: 'eks-pod-iam', token }],
      contexts: [{ name: cluster.name, cluster: cluster.name, user: 'eks-pod-iam' }],
      currentContext: cluster.name,
    });
  }
  const agent = reuseAgent(kc);
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    admission: kc.makeApiClient(AdmissionregistrationV1Api),
    server: kc.getCurrentCluster()?.server ?? '',
    close: () => agent()?.destroy(),
  };
}

/**
 * client-node builds a new agent, so a new TLS connection and context, for every request. The options are
 * the same for the whole run (credentials travel in headers), so one keep-alive agent serves every call.
 */
function reuseAgent(kc: KubeConfig): () => Agent | undefined {
  const target = kc as unknown as { createAgent(cluster: unknown, options: object): Agent };
  const create = target.createAgent.bind(kc);
  let agent: Agent | undefined;
  target.createAgent = (cluster, options) => (agent ??= create(cluster, { ...options, keepAlive: true }));
  return () => agent;
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

// client-node has no retry strategy of its own. Conflicts, throttling and 5xx are transient on a busy API
// server; every call here is safe to repeat (reads, creates that accept AlreadyExists, merge patches).
const RETRY_DELAYS_MS = [200, 400, 800, 1600, 3200, 5000];
const transient = (e: unknown) => [409, 429, 500, 502, 503, 504].includes(statusOf(e) ?? 0) || typeof (e as { cause?: { code?: string } })?.cause?.code === 'string';

/** Runs a Kubernetes call, retrying transient failures (bounded), and turns failures into one plain sentence. */
export async function kubeCall<T>(kube: Kube, what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !transient(e)) throw new Error(describeKubeError(e, what, kube.server));
      await sleep(delay);
    }
  }
}


export async function readServiceAccount(kube: Kube, namespace: string, name: string): Promise<ObservedServiceAccount | null> {
  const sa = await kubeCall(kube, `read service account ${namespace}/${name}`, () => orNull(kube.core.readNamespacedServiceAccount({ namespace, name })));
  if (!sa) return null;
  return { annotations: { ...(sa.metadata?.annotations ?? {}) }, labels: { ...(sa.metadata?.labels ?? {}) } };
}

export async function namespaceExists(kube: Kube, name: string): Promise<boolean> {
  return (await kubeCall(kube, `read namespace ${name}`, () => orNull(kube.core.readNamespace({ name })))) !== null;
}

const isConflict = (e: unknown) => statusOf(e) === 409;

/** Creates the namespace; one created concurrently is just as good. */
export async function createNamespace(kube: Kube, name: string): Promise<void> {
  await kubeCall(kube, `create namespace ${name}`, async () => {
    try {
      await kube.core.createNamespace({ body: { metadata: { name, labels: { 'app.kubernetes.io/created-by': 'eks-pod-iam' } } } });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  });
}

/** Creates the service account, or — if it appeared meanwhile — merges the annotations into it. */
export async function createServiceAccount(kube: Kube, namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
  await kubeCall(kube, `create service account ${namespace}/${name}`, async () => {
    try {
      await kube.core.createNamespacedServiceAccount({
        namespace,
        body: { metadata: { name, namespace, annotations: Object.keys(annotations).length ? annotations : undefined, labels: { 'app.kubernetes.io/created-by': 'eks-pod-iam' } } },
      });
    } catch (e) {
      if (!isConflict(e)) throw e;
      if (Object.keys(annotations).length) await patchAnnotations(kube, namespace, name, annotations);
    }
  });
}

/** JSON merge patch of the annotations only: every other annotation and label stays as it is. */
export async function annotateServiceAccount(kube: Kube, namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
  await kubeCall(kube, `annotate service account ${namespace}/${name}`, () => patchAnnotations(kube, namespace, name, annotations));
}

const patchAnnotations = (kube: Kube, namespace: string, name: string, annotations: Record<string, string>) =>
  kube.core.patchNamespacedServiceAccount({ namespace, name, body: { metadata: { annotations } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

const envOf = (pod: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } }) =>
  Object.fromEntries((pod.spec?.containers ?? []).flatMap((c) => c.env ?? []).map((e) => [e.name, e.value ?? '']));

/** Pods that run as the service account, with what identity their containers were given at creation. */
export async function listPods(kube: Kube, namespace: string, serviceAccount: string): Promise<ObservedPod[]> {
  const list = await kubeCall(kube, `list pods in ${namespace}`, () =>
    kube.core.listNamespacedPod({ namespace, fieldSelector: `spec.serviceAccountName=${serviceAccount}` }));
  // Filtered here too: an API server that ignores the field selector must not make other pods look like ours.
  return list.items.filter((p) => (p.spec?.serviceAccountName ?? p.spec?.serviceAccount ?? 'default') === serviceAccount).map((p) => {
    const owner = p.metadata?.ownerReferences?.find((o) => o.controller);
    return { name: p.metadata?.name ?? '', owner: owner && { kind: owner.kind, name: owner.name }, env: envOf(p), createdAt: p.metadata?.creationTimestamp?.toISOString() };
  });
}

const usesAccount = (t: V1PodTemplateSpec | undefined, sa: string) => (t?.spec?.serviceAccountName || t?.spec?.serviceAccount || 'default') === sa;

/** Deployments, StatefulSets and DaemonSets whose pod template runs as the service account. */
export async function listWorkloads(kube: Kube, namespace: string, serviceAccount: string): Promise<ObservedWorkload[]> {
  const [deployments, statefulSets, daemonSets] = await Promise.all([
    kubeCall(kube, `list deployments in ${namespace}`, () => kube.apps.listNamespacedDeployment({ namespace })),
    kubeCall(kube, `list statefulsets in ${namespace}`, () => kube.apps.listNamespacedStatefulSet({ namespace })),
    kubeCall(kube, `list daemonsets in ${namespace}`, () => kube.apps.listNamespacedDaemonSet({ namespace })),
  ]);
  const pick = (kind: WorkloadKind, items: { metadata?: { name?: string }; spec?: { template?: V1PodTemplateSpec } }[]) =>
    items.filter((w) => usesAccount(w.spec?.template, serviceAccount)).map((w) => ({ kind, name: w.metadata?.name ?? '' }));
  return [...pick('Deployment', deployments.items), ...pick('StatefulSet', statefulSets.items), ...pick('DaemonSet', daemonSets.items)];
}

/** What `kubectl rollout restart` does: a pod-template annotation, so the controller replaces the pods. */
export async function restartWorkload(kube: Kube, namespace: string, kind: WorkloadKind, name: string, at: string): Promise<void> {
  const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } };
  const opts = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  await kubeCall(kube, `restart ${kind.toLowerCase()} ${namespace}/${name}`, () =>
    kind === 'Deployment' ? kube.apps.patchNamespacedDeployment({ namespace, name, body }, opts)
      : kind === 'StatefulSet' ? kube.apps.patchNamespacedStatefulSet({ namespace, name, body }, opts)
        : kube.apps.patchNamespacedDaemonSet({ namespace, name, body }, opts));
}

/** Whether EKS's pod identity webhook (which injects IRSA credentials) is installed; undefined when not readable. */
export async function webhookPresent(kube: Kube, name = 'pod-identity-webhook'): Promise<boolean | undefined> {
  try {
    await kube.admission.readMutatingWebhookConfiguration({ name });
    return true;
  } catch (e) {
    // 404 naming the object: it is not there. Any other failure (403, no such API): we cannot tell.
    if (statusOf(e) !== 404) return undefined;
    try {
      return (JSON.parse(String((e as { body?: unknown }).body)) as { details?: { name?: string } }).details?.name === name ? false : undefined;
    } catch {
      return undefined;
    }
  }
}
