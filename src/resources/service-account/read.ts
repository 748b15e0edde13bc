// The service account's reader: it, the pods running as it and (restart-workloads) the workloads whose pods do, and
// whether its namespace exists (once per cluster and namespace, whichever binding asks first).
import type { ObservedPod, ObservedServiceAccount, ObservedWorkload } from '../../core/types.js';
import type { BindingConfig } from '../../inputs/config.js';
import * as k8s from '../../kube/client.js';

export interface KubeReads {
  serviceAccount: ObservedServiceAccount | null;
  namespaceExists: boolean;
  pods: ObservedPod[] | undefined;
  workloads: ObservedWorkload[] | undefined;
}

export async function readKube(
  b: BindingConfig,
  kube: k8s.Kube,
  namespaces: Map<string, Promise<boolean>>,
): Promise<KubeReads> {
  const { namespace, serviceAccount: name } = b;
  const [serviceAccount, pods, workloads] = await Promise.all([
    k8s.readServiceAccount(kube, namespace, name),
    // Only for naming stale pods: a runner that may not list pods still gets its binding.
    k8s.listPods(kube, namespace, name).catch(() => undefined),
    b.restartWorkloads ? k8s.listWorkloads(kube, namespace, name) : Promise.resolve(undefined),
  ]);
  const key = `${b.region}/${b.clusterName}/${namespace}`;
  if (!serviceAccount && !namespaces.has(key)) namespaces.set(key, k8s.namespaceExists(kube, namespace));
  const namespaceExists = serviceAccount ? true : await namespaces.get(key)!;
  return { serviceAccount, namespaceExists, pods, workloads };
}
