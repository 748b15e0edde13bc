// The parts of Kubernetes objects this action reads, as they arrive on the wire (timestamps are strings).
export interface Metadata {
  name?: string;
  namespace?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}

export interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  containers?: { env?: { name: string; value?: string }[] }[];
}

export interface WirePod {
  metadata?: Metadata;
  spec?: PodSpec;
}

export interface PodTemplate {
  metadata?: Metadata;
  spec?: PodSpec;
}

export interface KubeList<T> {
  items: T[];
}
