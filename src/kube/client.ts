// Thin adapter over @kubernetes/client-node: the cluster access, and the service account calls the plan needs.
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeAccess } from '../inputs/config.js';
import type { ObservedServiceAccount } from '../plan/types.js';
import { describeKubeError, statusOf } from './errors.js';

export interface ClusterEndpoint {
  name: string;
  endpoint: string;
  caData: string | undefined;
}

export interface Kube {
  core: CoreV1Api;
  apps: AppsV1Api;
  /** Where it points, for messages. */
  server: string;
}

/** From a kubeconfig (file or text), or from DescribeCluster's endpoint and CA with an EKS token. */
export function connect(access: KubeAccess, cluster: ClusterEndpoint | undefined, token: string | undefined): Kube {
  const kc = new KubeConfig();
  if (access.kind === 'kubeconfig-file') kc.loadFromFile(access.path);
  else if (access.kind === 'kubeconfig-text') kc.loadFromString(access.text);
  else {
    if (!cluster?.endpoint) throw new Error(`Cluster ${cluster?.name ?? ''} has no API endpoint yet; wait until it is ACTIVE, or give a kubeconfig.`);
    kc.loadFromOptions({
      clusters: [{ name: cluster.name, server: cluster.endpoint, caData: cluster.caData, skipTLSVerify: false }],
      users: [{ name: 'eks-pod-iam', token }],
      contexts: [{ name: cluster.name, cluster: cluster.name, user: 'eks-pod-iam' }],
      currentContext: cluster.name,
    });
  }
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), server: kc.getCurrentCluster()?.server ?? '' };
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

/** Runs a Kubernetes call, turning its failures into one plain sentence. */
export async function kubeCall<T>(kube: Kube, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new Error(describeKubeError(e, what, kube.server));
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
