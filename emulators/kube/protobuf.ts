// kubectl's typed commands (`kubectl create namespace|serviceaccount|deployment`, `kubectl auth can-i`) send
// `application/vnd.kubernetes.protobuf` and do not fall back to JSON on 415, so the emulator decodes the
// subset of the k8s.io/api protobuf schema those commands produce. Field numbers come from
// k8s.io/api/*/generated.proto and were checked against bytes captured from kubectl 1.32.
// Envelope: "k8s\0" + runtime.Unknown{typeMeta{apiVersion,kind}, raw=<object message>}.
import { unsupportedMediaType } from './errors.js';

// "json name:type" per field number; `type[]` repeated, `type*` a pointer (zero values kept), map = map<string,string>.
const SCHEMA: Record<string, Record<number, string>> = {
  Unknown: { 1: 'typeMeta:TypeMeta', 2: 'raw:bytes' },
  TypeMeta: { 1: 'apiVersion:string', 2: 'kind:string' },
  ObjectMeta: {
    1: 'name:string',
    2: 'generateName:string',
    3: 'namespace:string',
    5: 'uid:string',
    6: 'resourceVersion:string',
    11: 'labels:map',
    12: 'annotations:map',
    13: 'ownerReferences:OwnerReference[]',
    14: 'finalizers:string[]',
  },
  OwnerReference: {
    1: 'kind:string',
    3: 'name:string',
    4: 'uid:string',
    5: 'apiVersion:string',
    6: 'controller:bool*',
    7: 'blockOwnerDeletion:bool*',
  },
  Namespace: { 1: 'metadata:ObjectMeta', 2: 'spec:NamespaceSpec' },
  NamespaceSpec: { 1: 'finalizers:string[]' },
  ServiceAccount: {
    1: 'metadata:ObjectMeta',
    2: 'secrets:ObjectReference[]',
    3: 'imagePullSecrets:LocalObjectReference[]',
    4: 'automountServiceAccountToken:bool*',
  },
  ObjectReference: {
    1: 'kind:string',
    2: 'namespace:string',
    3: 'name:string',
    4: 'uid:string',
    5: 'apiVersion:string',
  },
  LocalObjectReference: { 1: 'name:string' },
  Deployment: { 1: 'metadata:ObjectMeta', 2: 'spec:DeploymentSpec' },
  DeploymentSpec: {
    1: 'replicas:int*',
    2: 'selector:LabelSelector',
    3: 'template:PodTemplateSpec',
    4: 'strategy:DeploymentStrategy',
    5: 'minReadySeconds:int',
    6: 'revisionHistoryLimit:int*',
    7: 'paused:bool',
    9: 'progressDeadlineSeconds:int*',
  },
  DeploymentStrategy: { 1: 'type:string' },
  LabelSelector: { 1: 'matchLabels:map', 2: 'matchExpressions:LabelSelectorRequirement[]' },
  LabelSelectorRequirement: { 1: 'key:string', 2: 'operator:string', 3: 'values:string[]' },
  PodTemplateSpec: { 1: 'metadata:ObjectMeta', 2: 'spec:PodSpec' },
  PodSpec: {
    2: 'containers:Container[]',
    3: 'restartPolicy:string',
    4: 'terminationGracePeriodSeconds:int*',
    6: 'dnsPolicy:string',
    7: 'nodeSelector:map',
    8: 'serviceAccountName:string',
    9: 'serviceAccount:string',
    10: 'nodeName:string',
    19: 'schedulerName:string',
    20: 'initContainers:Container[]',
    21: 'automountServiceAccountToken:bool*',
  },
  Container: {
    1: 'name:string',
    2: 'image:string',
    3: 'command:string[]',
    4: 'args:string[]',
    5: 'workingDir:string',
    6: 'ports:ContainerPort[]',
    7: 'env:EnvVar[]',
    8: 'resources:ResourceRequirements',
    14: 'imagePullPolicy:string',
    13: 'terminationMessagePath:string',
    20: 'terminationMessagePolicy:string',
  },
  ContainerPort: {
    1: 'name:string',
    2: 'hostPort:int',
    3: 'containerPort:int',
    4: 'protocol:string',
    5: 'hostIP:string',
  },
  EnvVar: { 1: 'name:string', 2: 'value:string' },
  ResourceRequirements: { 1: 'limits:quantities', 2: 'requests:quantities' },
  SelfSubjectReview: { 1: 'metadata:ObjectMeta' }, // `kubectl auth whoami`
  SelfSubjectAccessReview: { 1: 'metadata:ObjectMeta', 2: 'spec:SelfSubjectAccessReviewSpec' }, // `kubectl auth can-i`
  SelfSubjectAccessReviewSpec: {
    1: 'resourceAttributes:ResourceAttributes',
    2: 'nonResourceAttributes:NonResourceAttributes',
  },
  ResourceAttributes: {
    1: 'namespace:string',
    2: 'verb:string',
    3: 'group:string',
    4: 'version:string',
    5: 'resource:string',
    6: 'subresource:string',
    7: 'name:string',
  },
  NonResourceAttributes: { 1: 'path:string', 2: 'verb:string' },
  // `kubectl create token` (authentication/v1 generated.proto)
  TokenRequest: { 1: 'metadata:ObjectMeta', 2: 'spec:TokenRequestSpec' },
  TokenRequestSpec: {
    1: 'audiences:string[]',
    3: 'boundObjectRef:BoundObjectReference',
    4: 'expirationSeconds:int*',
  },
  BoundObjectReference: { 1: 'kind:string', 2: 'apiVersion:string', 3: 'name:string', 4: 'uid:string' },
};
const KINDS = new Set([
  'Namespace',
  'ServiceAccount',
  'Deployment',
  'SelfSubjectReview',
  'SelfSubjectAccessReview',
  'TokenRequest',
]);

type Field = { no: number; wire: number; int?: bigint; bytes?: Buffer };

function fields(b: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => {
    let r = 0n,
      s = 0n,
      x: number;
    do {
      x = b[i++]!;
      r |= BigInt(x & 0x7f) << s;
      s += 7n;
    } while (x & 0x80);
    return r;
  };
  while (i < b.length) {
    const tag = varint();
    const f: Field = { no: Number(tag >> 3n), wire: Number(tag & 7n) };
    if (f.wire === 0) f.int = varint();
    else if (f.wire === 2) {
      const len = Number(varint());
      f.bytes = b.subarray(i, i + len);
      i += len;
    } else if (f.wire === 1) i += 8;
    else if (f.wire === 5) i += 4;
    else throw new Error('bad wire type');
    out.push(f);
  }
  return out;
}

function decode(b: Buffer, message: string): Record<string, unknown> {
  const schema = SCHEMA[message]!;
  const obj: Record<string, unknown> = {};
  for (const f of fields(b)) {
    const spec = schema[f.no];
    if (!spec) continue; // a field this subset does not model
    const [name, typeSpec] = spec.split(':') as [string, string];
    const repeated = typeSpec.endsWith('[]');
    const pointer = typeSpec.endsWith('*');
    const type = typeSpec.replace(/\[\]$|\*$/, '');
    let v: unknown;
    if (type === 'string') v = f.bytes!.toString('utf8');
    else if (type === 'bytes') v = f.bytes;
    else if (type === 'int') v = Number(BigInt.asIntN(64, f.int!));
    else if (type === 'bool') v = f.int !== 0n;
    else if (type === 'map' || type === 'quantities') {
      const entry = fields(f.bytes!);
      const key = entry.find((e) => e.no === 1)?.bytes?.toString('utf8') ?? '';
      const raw = entry.find((e) => e.no === 2)?.bytes ?? Buffer.alloc(0);
      // Quantity is a message whose field 1 is the string form ("500m").
      const value =
        type === 'map'
          ? raw.toString('utf8')
          : (fields(raw)
              .find((e) => e.no === 1)
              ?.bytes?.toString('utf8') ?? '');
      obj[name] = { ...(obj[name] as object), [key]: value };
      continue;
    } else v = decode(f.bytes!, type);
    // proto2 as Go writes it: non-pointer zero values stand for "unset" (what omitempty drops in JSON).
    if (!pointer && !repeated && (v === '' || v === 0 || v === false)) continue;
    if (repeated) obj[name] = [...((obj[name] as unknown[]) ?? []), v];
    else obj[name] = v;
  }
  return obj;
}

/** Decodes a protobuf request body into the JSON object the same request would have carried. */
export function decodeProtobuf(body: Buffer): unknown {
  if (body.subarray(0, 4).toString('binary') !== 'k8s\0')
    throw unsupportedMediaType(['application/json', 'application/yaml']);
  const unknown = decode(body.subarray(4), 'Unknown') as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Buffer;
  };
  const kind = unknown.typeMeta?.kind ?? '';
  if (!KINDS.has(kind) || !unknown.raw) throw unsupportedMediaType(['application/json', 'application/yaml']);
  return { apiVersion: unknown.typeMeta?.apiVersion, kind, ...decode(unknown.raw, kind) };
}
