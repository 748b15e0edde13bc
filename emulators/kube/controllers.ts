// Synchronous stand-ins for the controllers and admission plugins a cluster runs, enough to observe
// "which pods run as this service account" and rollouts:
// - namespace controller: every new namespace gets a `default` ServiceAccount;
// - ServiceAccount admission: a pod needs its service account (403 otherwise; controllers retry when it appears);
// - Deployment → ReplicaSet `<name>-<hash>` → pods; StatefulSet → `<name>-<ordinal>`; DaemonSet → one pod (one node).
//   A template change (e.g. `kubectl rollout restart`) replaces the pods; deleting a pod makes its owner recreate it.
import { createHash } from 'node:crypto';
import { KubeError, forbidden } from './errors.js';
import { POD_IDENTITY_WEBHOOK, RESOURCES, apiVersionOf, type ResourceDef } from './resources.js';
import { clone, randomSuffix, type KubeObject, type OwnerReference, type Store, type WatchEvent } from './store.js';
import { injectAwsIdentity, type WebhookOptions } from './webhook.js';

const def = (resource: string) => RESOURCES.find((r) => r.resource === resource)!;
const NS = def('namespaces'),
  SA = def('serviceaccounts'),
  POD = def('pods');
const DEPLOY = def('deployments'),
  RS = def('replicasets'),
  STS = def('statefulsets'),
  DS = def('daemonsets'),
  MWC = def('mutatingwebhookconfigurations');
const NODE = 'emulator-node';
type Template = {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
};
type WorkloadSpec = { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: Template };

/** pod-template-hash: 10 characters of the apiserver's "safe" alphabet derived from the template. */
function templateHash(t: unknown): string {
  const h = createHash('sha256')
    .update(JSON.stringify(t ?? {}))
    .digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(h.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join('');
}

const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
const controllerRef = (o: KubeObject, d: ResourceDef): OwnerReference => ({
  apiVersion: apiVersionOf(d),
  kind: d.kind,
  name: o.metadata.name,
  uid: o.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
});
const ownedBy = (o: KubeObject, owner: KubeObject) =>
  (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);

/** kubelet: may set a pod's first status at admission (pods it runs itself, see kubelet.ts). */
export function installControllers(
  store: Store,
  webhook: WebhookOptions = {},
  kubelet?: { admit(pod: KubeObject): void },
): void {
  store.admit = (d, obj) => {
    if (d === POD) admitPod(obj);
  };
  store.afterWrite = (e) => react(e);

  function admitPod(pod: KubeObject): void {
    const spec = (pod.spec ??= {});
    const saName = (spec.serviceAccountName ?? spec.serviceAccount ?? 'default') as string;
    Object.assign(spec, { serviceAccountName: saName, serviceAccount: saName });
    spec.nodeName ??= NODE; // scheduled at once: there is one node
    const sa = store.get(SA, pod.metadata.namespace, saName);
    if (!sa) {
      const err = forbidden('', 'create', 'pods', '', pod.metadata.namespace, pod.metadata.name);
      err.status.message =
        `pods "${pod.metadata.name}" is forbidden: error looking up service account ` +
        `${pod.metadata.namespace}/${saName}: serviceaccount "${saName}" not found`;
      throw err;
    }
    // EKS mutates pods through its `pod-identity-webhook` configuration: without it, nothing is injected.
    const hooks = store.list(MWC).items.flatMap((c) => (c.webhooks as { name?: string }[] | undefined) ?? []);
    if (hooks.some((h) => h.name === POD_IDENTITY_WEBHOOK.webhooks[0]!.name)) injectAwsIdentity(pod, sa, webhook);
    const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const containers = (spec.containers as { name: string; image?: string }[] | undefined) ?? [];
    pod.status = {
      // a kubelet that starts everything instantly
      phase: 'Running',
      hostIP: '10.0.0.10',
      podIP: `10.0.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`,
      startTime: ts,
      qosClass: 'BestEffort',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: ts,
      })),
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: ts } },
      })),
    };
    kubelet?.admit(pod);
  }

  function react({ type, def: d, object: o }: WatchEvent): void {
    const ns = o.metadata.namespace;
    if (d === NS && type === 'ADDED') store.put(SA, { metadata: { name: 'default', namespace: o.metadata.name } });
    // Pods blocked on this SA can start.
    if (d === SA && type === 'ADDED') for (const w of workloadsIn(ns!)) enqueue(w.def, w.obj);
    if (type !== 'DELETED' && (d === DEPLOY || d === RS || d === STS || d === DS)) enqueue(d, o);
    if (d === RS && type !== 'DELETED') enqueueOwner(o); // the Deployment's status follows its ReplicaSets
    if (d === POD && type === 'DELETED') enqueueOwner(o); // the owner notices a missing pod
  }

  // A de-duplicating work queue, as real controllers use: reconciles never nest, and the queue is drained
  // synchronously inside the write that started it, so a response is sent only once the cluster has settled.
  const queue = new Map<string, { d: ResourceDef; ns?: string; name: string }>();
  let draining = false;
  function enqueue(d: ResourceDef, o: KubeObject): void {
    queue.set(`${d.resource}/${o.metadata.namespace}/${o.metadata.name}`, {
      d,
      ns: o.metadata.namespace,
      name: o.metadata.name,
    });
    if (draining) return;
    draining = true;
    try {
      for (let n = 0; queue.size; n++) {
        if (n > 10_000) throw new Error('controllers do not settle');
        const [key, item] = queue.entries().next().value!;
        queue.delete(key);
        reconcile(item.d, item.ns, item.name);
      }
    } finally {
      draining = false;
      queue.clear();
    }
  }

  function enqueueOwner(o: KubeObject): void {
    const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
    const ownerDef = ref && RESOURCES.find((r) => r.kind === ref.kind && apiVersionOf(r) === ref.apiVersion);
    const owner = ownerDef && store.get(ownerDef, o.metadata.namespace, ref.name);
    if (owner && owner.metadata.uid === ref.uid) enqueue(ownerDef, owner);
  }

  function workloadsIn(ns: string) {
    return [DEPLOY, RS, STS, DS].flatMap((d) => store.list(d, ns).items.map((obj) => ({ def: d, obj })));
  }

  function reconcile(d: ResourceDef, ns: string | undefined, name: string): void {
    const cur = store.get(d, ns, name);
    if (!cur || !store.get(NS, undefined, ns!)) return; // gone, or its namespace is being deleted
    if (d === DEPLOY) deployment(cur);
    else if (d === RS) replicaSet(cur);
    else statefulOrDaemon(d, cur);
  }

  function deployment(dep: KubeObject): void {
    const spec = dep.spec as WorkloadSpec;
    const replicas = spec.replicas ?? 1;
    const hash = templateHash(spec.template);
    const owned = store.list(RS, dep.metadata.namespace).items.filter((rs) => ownedBy(rs, dep));
    const revision = String(1 + Math.max(0, ...owned.map(revisionOf)));
    // Old revisions are scaled to 0 and kept for rollback, at most spec.revisionHistoryLimit of them.
    const old = owned
      .filter((rs) => rs.metadata.labels?.['pod-template-hash'] !== hash)
      .sort((a, b) => revisionOf(b) - revisionOf(a));
    old.forEach((rs, i) => {
      if (i >= Number(dep.spec?.revisionHistoryLimit ?? 10)) store.remove(RS, rs);
      else if ((rs.spec as WorkloadSpec).replicas !== 0) store.put(RS, { ...rs, spec: { ...rs.spec, replicas: 0 } });
    });
    const name = `${dep.metadata.name}-${hash}`;
    const labels = { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash };
    const existing = store.get(RS, dep.metadata.namespace, name);
    store.put(RS, {
      metadata: {
        ...(existing?.metadata ?? {}),
        name,
        namespace: dep.metadata.namespace,
        labels,
        ownerReferences: [controllerRef(dep, DEPLOY)],
        annotations: {
          ...(existing?.metadata.annotations ?? { 'deployment.kubernetes.io/revision': revision }),
          'deployment.kubernetes.io/desired-replicas': String(replicas),
        },
      },
      spec: {
        replicas,
        selector: {
          ...spec.selector,
          matchLabels: { ...(spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash },
        },
        template: { ...spec.template, metadata: { ...(spec.template?.metadata ?? {}), labels } },
      },
      ...(existing ? { status: existing.status } : {}),
    });
    const rs = store.get(RS, dep.metadata.namespace, name)!;
    const ready = Number(rs.status?.readyReplicas ?? 0);
    setStatus(DEPLOY, dep, {
      observedGeneration: dep.metadata.generation,
      replicas: ready,
      updatedReplicas: ready,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
      conditions: conditions(dep, [
        [
          'Available',
          ready >= replicas ? 'True' : 'False',
          ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          ready >= replicas ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
        ],
        ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${name}" has successfully progressed.`],
      ]),
    });
  }

  function replicaSet(rs: KubeObject): void {
    const spec = rs.spec as WorkloadSpec;
    const pods = store.list(POD, rs.metadata.namespace).items.filter((p) => ownedBy(p, rs));
    for (const extra of pods.slice(spec.replicas ?? 1)) store.remove(POD, extra);
    for (let i = pods.length; i < (spec.replicas ?? 1); i++)
      makePod(rs, RS, `${rs.metadata.name}-${randomSuffix()}`, {});
    const n = store.list(POD, rs.metadata.namespace).items.filter((p) => ownedBy(p, rs)).length;
    setStatus(RS, rs, {
      replicas: n,
      fullyLabeledReplicas: n,
      readyReplicas: n,
      availableReplicas: n,
      observedGeneration: rs.metadata.generation,
    });
  }

  /** StatefulSet pods keep their names (<name>-<ordinal>) and are recreated with a new uid; DaemonSets run one pod. */
  function statefulOrDaemon(d: ResourceDef, w: KubeObject): void {
    const spec = w.spec as WorkloadSpec;
    const hash = templateHash(spec.template);
    const revision = d === STS ? `${w.metadata.name}-${hash}` : hash;
    const want = d === STS ? (spec.replicas ?? 1) : 1;
    const pods = store.list(POD, w.metadata.namespace).items.filter((p) => ownedBy(p, w));
    for (const p of pods) {
      const ordinal = Number(p.metadata.name.slice(w.metadata.name.length + 1));
      const stale = p.metadata.labels?.['controller-revision-hash'] !== revision;
      if (stale || (d === STS && ordinal >= want)) store.remove(POD, p);
    }
    const left = store.list(POD, w.metadata.namespace).items.filter((p) => ownedBy(p, w));
    for (let i = 0; i < want; i++) {
      const name = d === STS ? `${w.metadata.name}-${i}` : `${w.metadata.name}-${randomSuffix()}`;
      if (d === STS ? left.some((p) => p.metadata.name === name) : left.length > 0) continue;
      const extra: Record<string, string> =
        d === STS
          ? {
              'controller-revision-hash': revision,
              'statefulset.kubernetes.io/pod-name': name,
              'apps.kubernetes.io/pod-index': String(i),
            }
          : { 'controller-revision-hash': revision, 'pod-template-generation': String(w.metadata.generation ?? 1) };
      makePod(w, d, name, extra);
    }
    const n = store.list(POD, w.metadata.namespace).items.filter((p) => ownedBy(p, w)).length;
    setStatus(
      d,
      w,
      d === STS
        ? {
            observedGeneration: w.metadata.generation,
            replicas: n,
            readyReplicas: n,
            currentReplicas: n,
            updatedReplicas: n,
            availableReplicas: n,
            currentRevision: revision,
            updateRevision: revision,
            collisionCount: 0,
          }
        : {
            observedGeneration: w.metadata.generation,
            currentNumberScheduled: n,
            desiredNumberScheduled: 1,
            numberAvailable: n,
            numberMisscheduled: 0,
            numberReady: n,
            updatedNumberScheduled: n,
          },
    );
  }

  function makePod(owner: KubeObject, ownerDef: ResourceDef, name: string, labels: Record<string, string>): void {
    const t = (owner.spec as WorkloadSpec).template ?? {};
    try {
      store.create(POD, owner.metadata.namespace, {
        metadata: {
          ...(t.metadata ?? {}),
          name,
          ...(ownerDef !== STS ? { generateName: `${name.slice(0, name.lastIndexOf('-'))}-` } : {}),
          labels: { ...(t.metadata?.labels ?? {}), ...labels },
          ownerReferences: [controllerRef(owner, ownerDef)],
        },
        spec: clone(t.spec ?? {}),
      });
    } catch (e) {
      if (!(e instanceof KubeError)) throw e; // e.g. the service account does not exist yet: retried when it is created
    }
  }

  function setStatus(d: ResourceDef, o: KubeObject, status: Record<string, unknown>): void {
    const cur = store.get(d, o.metadata.namespace, o.metadata.name);
    if (cur) store.put(d, { ...cur, status });
  }

  /** Conditions keep their timestamps while their status is unchanged, so reconciling twice is a no-op. */
  function conditions(o: KubeObject, list: [string, string, string, string][]) {
    const prev =
      (o.status?.conditions as
        { type: string; status: string; lastUpdateTime: string; lastTransitionTime: string }[] | undefined) ?? [];
    const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return list.map(([type, status, reason, message]) => {
      const p = prev.find((c) => c.type === type && c.status === status);
      return {
        type,
        status,
        lastUpdateTime: p?.lastUpdateTime ?? ts,
        lastTransitionTime: p?.lastTransitionTime ?? ts,
        reason,
        message,
      };
    });
  }
}
