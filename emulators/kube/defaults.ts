// Server-side defaulting (k8s.io/kubernetes/pkg/apis/{core,apps}/v1/defaults.go), applied on create and on every
// update/patch like the real decoder does, so objects read back look like a real cluster's.
import type { ResourceDef } from './resources.js';
import type { KubeObject } from './store.js';

type Obj = Record<string, unknown>;
const setDefault = (o: Obj, key: string, value: unknown) => {
  if (o[key] === undefined) o[key] = value;
};

function container(c: Obj): void {
  const image = typeof c.image === 'string' ? c.image : '';
  const tag = image.includes('@') ? 'digest' : /:[^/]+$/.exec(image)?.[0].slice(1);
  setDefault(c, 'imagePullPolicy', !tag || tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  for (const p of (c.ports as Obj[] | undefined) ?? []) setDefault(p, 'protocol', 'TCP');
}

/** `{}` or a missing strategy becomes RollingUpdate with the kind's rollingUpdate defaults. */
function strategy(spec: Obj, key: string, rolling: Obj): void {
  const st = (spec[key] ??= {}) as Obj;
  setDefault(st, 'type', 'RollingUpdate');
  if (st.type === 'RollingUpdate') {
    const ru = (st.rollingUpdate ??= {}) as Obj;
    for (const [k, v] of Object.entries(rolling)) setDefault(ru, k, v);
  }
}

export function podSpecDefaults(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const c of [...((spec.containers as Obj[]) ?? []), ...((spec.initContainers as Obj[]) ?? [])]) container(c);
}

export function applyDefaults(def: ResourceDef, obj: KubeObject): void {
  const spec = (obj.spec ??= {}) as Obj;
  if (def.resource === 'namespaces') {
    // NamespaceDefaultLabelName: every namespace carries its own name as a label.
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
    setDefault(spec, 'finalizers', ['kubernetes']);
  } else if (def.resource === 'pods') {
    podSpecDefaults(spec);
  } else if (def.group === 'apps') {
    const template = (spec.template ?? {}) as { spec?: Obj };
    if (template.spec) podSpecDefaults(template.spec);
    if (def.resource !== 'daemonsets') setDefault(spec, 'replicas', 1);
    if (def.resource !== 'replicasets') setDefault(spec, 'revisionHistoryLimit', 10);
    if (def.resource === 'deployments') {
      strategy(spec, 'strategy', { maxUnavailable: '25%', maxSurge: '25%' });
      setDefault(spec, 'progressDeadlineSeconds', 600);
    } else if (def.resource === 'statefulsets') {
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      strategy(spec, 'updateStrategy', { partition: 0 });
      setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
    } else if (def.resource === 'daemonsets') {
      strategy(spec, 'updateStrategy', { maxUnavailable: 1, maxSurge: 0 });
    }
  } else if (Object.keys(spec).length === 0) delete obj.spec; // ServiceAccounts have no spec
}
