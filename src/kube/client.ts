// The Kubernetes calls the plan needs: the service account, its namespace, its pods and workloads, the webhook.
import type { V1PodTemplateSpec, V1ServiceAccount } from '@kubernetes/client-node';
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../core/ownership.js';
import type { ObservedPod, ObservedServiceAccount, ObservedWorkload, WorkloadKind } from '../core/types.js';
import { sleep } from '../time.js';
import type { Kube } from './access.js';
import { describeKubeError, statusOf } from './errors.js';

export { connect, type ClusterEndpoint, type Kube } from './access.js';

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

// There is no SDK retry strategy for these calls. Conflicts, throttling, 5xx and dropped connections are
// transient on a busy API server; every call here is safe to repeat (reads, creates that accept
// AlreadyExists, merge patches). TLS and DNS failures are not: they fail at once.
const RETRY_DELAYS_MS = [200, 400, 800, 1600, 3200, 5000];
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
const transient = (e: unknown) =>
  [409, 429, 500, 502, 503, 504].includes(statusOf(e) ?? 0) ||
  TRANSIENT_NETWORK.has(String((e as { code?: unknown })?.code));

/** Runs a Kubernetes call, retrying transient failures (bounded), and turns failures into one plain sentence. */
export async function kubeCall<T>(kube: Kube, what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !transient(e))
        throw new Error(describeKubeError(e, what, kube.server, kube.timeoutMs), { cause: e });
      await sleep(delay);
    }
  }
}

const CREATED_BY = { [CREATED_BY_LABEL]: CREATED_BY_VALUE };
// client-node sends a patch as JSON Patch unless told otherwise.

export async function readServiceAccount(
  kube: Kube,
  namespace: string,
  name: string,
): Promise<ObservedServiceAccount | null> {
  const sa = await kubeCall(kube, `read service account ${namespace}/${name}`, () =>
    orNull(kube.core.readNamespacedServiceAccount({ namespace, name })),
  );
  return sa && observedServiceAccount(sa);
}

/** The service account as the API server answers it (to a read, and to a create or patch: what it stored). */
const observedServiceAccount = (sa: V1ServiceAccount): ObservedServiceAccount => ({
  annotations: { ...(sa.metadata?.annotations ?? {}) },
  labels: { ...(sa.metadata?.labels ?? {}) },
  uid: sa.metadata?.uid,
  resourceVersion: sa.metadata?.resourceVersion,
});

export async function namespaceExists(kube: Kube, name: string): Promise<boolean> {
  return (await kubeCall(kube, `read namespace ${name}`, () => orNull(kube.core.readNamespace({ name })))) !== null;
}

const isConflict = (e: unknown) => statusOf(e) === 409;

/** Creates the namespace; one created concurrently is just as good. */
export async function createNamespace(kube: Kube, name: string): Promise<void> {
  await kubeCall(kube, `create namespace ${name}`, async () => {
    try {
      await kube.core.createNamespace({
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: CREATED_BY } },
      });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  });
}

/** Creates the service account, or — if it appeared meanwhile — merges the annotations into it. */
/**
 * Creates the service account (one created meanwhile gets the annotations instead). Answers the service account as
 * the API server stored it, the read-back of this write; undefined when there was nothing to write.
 */
export async function createServiceAccount(
  kube: Kube,
  namespace: string,
  name: string,
  annotations: Record<string, string>,
): Promise<ObservedServiceAccount | undefined> {
  return kubeCall(kube, `create service account ${namespace}/${name}`, async () => {
    try {
      return observedServiceAccount(
        await kube.core.createNamespacedServiceAccount({
          namespace,
          body: {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: {
              name,
              namespace,
              ...(Object.keys(annotations).length ? { annotations } : {}),
              labels: CREATED_BY,
            },
          },
        }),
      );
    } catch (e) {
      if (!isConflict(e)) throw e;
      if (Object.keys(annotations).length)
        return observedServiceAccount(await patchAnnotations(kube, namespace, name, annotations));
      return undefined;
    }
  });
}

/** JSON merge patch of the annotations only: every other annotation and label stays as it is. */
export async function annotateServiceAccount(
  kube: Kube,
  namespace: string,
  name: string,
  annotations: Record<string, string>,
): Promise<ObservedServiceAccount> {
  return kubeCall(kube, `annotate service account ${namespace}/${name}`, async () =>
    observedServiceAccount(await patchAnnotations(kube, namespace, name, annotations)),
  );
}

const patchAnnotations = (kube: Kube, namespace: string, name: string, annotations: Record<string, string>) =>
  kube.core.patchNamespacedServiceAccount({ namespace, name, body: { metadata: { annotations } } }, kube.patch.merge);

/** JSON Pointer of an annotation (RFC 6901: `~` and `/` escaped). */
const annotationPath = (key: string) => `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * Removes annotations, each only while it still has the value we saw (a JSON Patch `test` before each `remove`,
 * applied atomically): one rewritten meanwhile (say, to another role) is left alone and the patch is refused.
 * Every other annotation and label stays. An annotation already gone is not asked for.
 */
export async function removeAnnotations(
  kube: Kube,
  namespace: string,
  name: string,
  annotations: Record<string, string>,
): Promise<void> {
  const body = Object.entries(annotations).flatMap(([key, value]) => [
    { op: 'test', path: annotationPath(key), value },
    { op: 'remove', path: annotationPath(key) },
  ]);
  if (body.length === 0) return;
  await kubeCall(kube, `remove annotations from service account ${namespace}/${name}`, async () => {
    try {
      await orNull(kube.core.patchNamespacedServiceAccount({ namespace, name, body }, kube.patch.json));
    } catch (e) {
      if (statusOf(e) !== 422) throw e;
      throw new Error(
        `the annotations ${Object.keys(annotations).join(', ')} changed since they were read, so they are left ` +
          'in place (rerun to look at them again)',
        { cause: e },
      );
    }
  });
}

/**
 * Deletes the service account only if it is still the one we read (same uid: not recreated meanwhile; same
 * resourceVersion: not changed since). Already gone is as good as deleted. A failed precondition is not retried:
 * someone else changed it, so it is no longer ours to remove without looking again.
 */
export async function deleteServiceAccount(
  kube: Kube,
  namespace: string,
  name: string,
  preconditions: { uid?: string; resourceVersion?: string },
): Promise<void> {
  await kubeCall(kube, `delete service account ${namespace}/${name}`, async () => {
    try {
      await orNull(kube.core.deleteNamespacedServiceAccount({ namespace, name, body: { preconditions } }));
    } catch (e) {
      if (!isConflict(e)) throw e;
      throw new Error(
        `service account ${namespace}/${name} was recreated or changed since it was read, so it is left in place ` +
          '(rerun to look at it again)',
        { cause: e },
      );
    }
  });
}

const envOf = (pod: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } }) =>
  Object.fromEntries((pod.spec?.containers ?? []).flatMap((c) => c.env ?? []).map((e) => [e.name, e.value ?? '']));

/** client-node parses timestamps into Dates; the plan compares ISO strings. */
const iso = (t: Date | string | undefined) => (t instanceof Date ? t.toISOString() : t);

/** Pods that run as the service account, with what identity their containers were given at creation. */
export async function listPods(kube: Kube, namespace: string, serviceAccount: string): Promise<ObservedPod[]> {
  const list = await kubeCall(kube, `list pods in ${namespace}`, () =>
    kube.core.listNamespacedPod({ namespace, fieldSelector: `spec.serviceAccountName=${serviceAccount}` }),
  );
  // Filtered here too: an API server that ignores the field selector must not make other pods look like ours.
  return list.items
    .filter((p) => (p.spec?.serviceAccountName ?? p.spec?.serviceAccount ?? 'default') === serviceAccount)
    .map((p) => {
      const owner = p.metadata?.ownerReferences?.find((o) => o.controller);
      return {
        name: p.metadata?.name ?? '',
        owner: owner && { kind: owner.kind, name: owner.name },
        env: envOf(p),
        createdAt: iso(p.metadata?.creationTimestamp),
      };
    });
}

const usesAccount = (t: V1PodTemplateSpec | undefined, sa: string) =>
  (t?.spec?.serviceAccountName || t?.spec?.serviceAccount || 'default') === sa;

/** Deployments, StatefulSets and DaemonSets whose pod template runs as the service account. */
export async function listWorkloads(
  kube: Kube,
  namespace: string,
  serviceAccount: string,
): Promise<ObservedWorkload[]> {
  const [deployments, statefulSets, daemonSets] = await Promise.all([
    kubeCall(kube, `list deployments in ${namespace}`, () => kube.apps.listNamespacedDeployment({ namespace })),
    kubeCall(kube, `list statefulsets in ${namespace}`, () => kube.apps.listNamespacedStatefulSet({ namespace })),
    kubeCall(kube, `list daemonsets in ${namespace}`, () => kube.apps.listNamespacedDaemonSet({ namespace })),
  ]);
  const pick = (
    kind: WorkloadKind,
    items: { metadata?: { name?: string }; spec?: { template?: V1PodTemplateSpec } }[],
  ) =>
    items
      .filter((w) => usesAccount(w.spec?.template, serviceAccount))
      .map((w) => ({ kind, name: w.metadata?.name ?? '' }));
  return [
    ...pick('Deployment', deployments.items),
    ...pick('StatefulSet', statefulSets.items),
    ...pick('DaemonSet', daemonSets.items),
  ];
}

/** What `kubectl rollout restart` does: a pod-template annotation, so the controller replaces the pods. */
export async function restartWorkload(
  kube: Kube,
  namespace: string,
  kind: WorkloadKind,
  name: string,
  at: string,
): Promise<void> {
  const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } };
  const patch = {
    Deployment: () => kube.apps.patchNamespacedDeployment({ namespace, name, body }, kube.patch.strategic),
    StatefulSet: () => kube.apps.patchNamespacedStatefulSet({ namespace, name, body }, kube.patch.strategic),
    DaemonSet: () => kube.apps.patchNamespacedDaemonSet({ namespace, name, body }, kube.patch.strategic),
  }[kind];
  await kubeCall(kube, `restart ${kind.toLowerCase()} ${namespace}/${name}`, patch);
}

/** Whether EKS's pod identity webhook (which injects IRSA credentials) is installed; undefined when not readable. */
export async function webhookPresent(kube: Kube, name = 'pod-identity-webhook'): Promise<boolean | undefined> {
  try {
    await kube.admission.readMutatingWebhookConfiguration({ name });
    return true;
  } catch (e) {
    // 404 naming the object: it is not there. Any other failure (403, no such API, a timeout): we cannot tell.
    if (statusOf(e) !== 404) return undefined;
    try {
      return (JSON.parse(String((e as { body?: unknown }).body)) as { details?: { name?: string } }).details?.name ===
        name
        ? false
        : undefined;
    } catch {
      return undefined;
    }
  }
}
