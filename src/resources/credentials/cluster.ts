// The Kubernetes calls of the proof: a service-account token (TokenRequest), a running pod of the service account
// to bind it to, and the probe pod's life (create, read, log, delete). A token request and a probe pod are not
// changes: nothing the user owns is written. The token is returned to the caller and never logged.
import type { V1Pod } from '@kubernetes/client-node';
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../../core/ownership.js';
import { kubeCall, type Kube } from '../../kube/client.js';
import { statusOf } from '../../kube/errors.js';

/** What a Kubernetes refusal of the proof's own calls means, naming the permission the runner lacks. */
export class KubeProofError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

/** The status behind kubeCall's plain-words error (it keeps client-node's error as the cause). */
const statusBehind = (e: unknown) => statusOf((e as { cause?: unknown })?.cause) ?? statusOf(e);

async function call<T>(kube: Kube, what: string, permission: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await kubeCall(kube, what, fn);
  } catch (e) {
    const status = statusBehind(e);
    if (status === 403)
      throw new KubeProofError(
        `Kubernetes forbids the runner to ${what} (403): verify-credentials needs ${permission}.`,
        status,
      );
    throw new KubeProofError((e as Error).message, status);
  }
}

/** Lifetime of the proof's tokens: the API server's minimum (600 s); the proof needs it for seconds. */
export const TOKEN_SECONDS = 600;

/**
 * A token for the service account with this audience, bound to `pod` when given (as a pod's projected token is).
 * Not found (404: the service account does not exist) is a KubeProofError with status 404.
 */
export async function requestToken(
  kube: Kube,
  namespace: string,
  serviceAccount: string,
  audience: string,
  pod?: { name: string; uid?: string },
): Promise<string> {
  const answer = await call(
    kube,
    `create a token for service account ${namespace}/${serviceAccount}`,
    `create on serviceaccounts/token in namespace ${namespace}`,
    () =>
      kube.core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace,
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: [audience],
            expirationSeconds: TOKEN_SECONDS,
            ...(pod ? { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid } } : {}),
          },
        },
      }),
  );
  const token = answer.status?.token;
  if (!token)
    throw new KubeProofError(`Kubernetes gave no token for service account ${namespace}/${serviceAccount}.`, 0);
  return token;
}

/** A running pod of the service account (a token bound to it is what a pod of it presents), if there is one. */
export async function runningPodOf(
  kube: Kube,
  namespace: string,
  serviceAccount: string,
): Promise<{ name: string; uid?: string } | undefined> {
  const list = await call(kube, `list pods in ${namespace}`, `list on pods in namespace ${namespace}`, () =>
    kube.core.listNamespacedPod({ namespace, fieldSelector: `spec.serviceAccountName=${serviceAccount}` }),
  );
  const pod = list.items.find(
    (p) =>
      (p.spec?.serviceAccountName ?? 'default') === serviceAccount &&
      p.status?.phase === 'Running' &&
      !p.metadata?.deletionTimestamp,
  );
  return pod?.metadata?.name ? { name: pod.metadata.name, uid: pod.metadata.uid } : undefined;
}

/** The label every probe pod carries besides created-by: how the next run finds a killed run's leftovers. */
export const PROBE_LABEL = 'app.kubernetes.io/component';
export const PROBE_VALUE = 'credentials-probe';
const PROBE_SELECTOR = `${CREATED_BY_LABEL}=${CREATED_BY_VALUE},${PROBE_LABEL}=${PROBE_VALUE}`;

const podPermission = (verb: string, namespace: string) => `${verb} on pods in namespace ${namespace}`;

export async function createPod(kube: Kube, namespace: string, pod: V1Pod): Promise<V1Pod> {
  const name = pod.metadata?.name ?? '';
  return call(kube, `create probe pod ${namespace}/${name}`, podPermission('create', namespace), () =>
    kube.core.createNamespacedPod({ namespace, body: pod }),
  );
}

export async function readPod(kube: Kube, namespace: string, name: string): Promise<V1Pod> {
  return call(kube, `read probe pod ${namespace}/${name}`, podPermission('get', namespace), () =>
    kube.core.readNamespacedPod({ namespace, name }),
  );
}

export async function podLog(kube: Kube, namespace: string, name: string): Promise<string> {
  return call(kube, `read the log of probe pod ${namespace}/${name}`, `get on pods/log in namespace ${namespace}`, () =>
    kube.core.readNamespacedPodLog({ namespace, name }),
  );
}

/** Deletes the probe pod at once (no grace: it only printed an identity); already gone is as good. */
export async function deletePod(kube: Kube, namespace: string, name: string): Promise<void> {
  try {
    await call(kube, `delete probe pod ${namespace}/${name}`, podPermission('delete', namespace), () =>
      kube.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }),
    );
  } catch (e) {
    if ((e as KubeProofError).status !== 404) throw e;
  }
}

/** Probe pods of this service account left by a run that was killed before it could delete them. */
export async function leftoverProbes(kube: Kube, namespace: string, serviceAccount: string): Promise<string[]> {
  const list = await call(kube, `list probe pods in ${namespace}`, podPermission('list', namespace), () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: PROBE_SELECTOR }),
  );
  return list.items
    .filter((p) => p.spec?.serviceAccountName === serviceAccount && p.metadata?.labels?.[PROBE_LABEL] === PROBE_VALUE)
    .map((p) => p.metadata?.name ?? '')
    .filter(Boolean);
}
