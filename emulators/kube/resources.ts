// The resources the emulator serves and the discovery documents describing them.
// kubectl resolves "sa", "deploy", "all" etc. from these lists, so shortNames and categories matter.

export interface ResourceDef {
  group: '' | 'apps' | 'admissionregistration.k8s.io';
  resource: string; // plural, as in the URL
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Objects whose metadata.generation is bumped when .spec changes. */
  generation?: boolean;
  /** .status is owned by the server: create/update/patch of the main resource cannot set it. */
  statusOwned?: boolean;
}

export const RESOURCES: ResourceDef[] = [
  {
    group: '',
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    statusOwned: true,
  },
  {
    group: '',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
  },
  {
    group: '',
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    statusOwned: true,
  },
  {
    group: 'apps',
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    generation: true,
    statusOwned: true,
  },
  {
    group: 'apps',
    resource: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    generation: true,
    statusOwned: true,
  },
  {
    group: 'apps',
    resource: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    generation: true,
    statusOwned: true,
  },
  {
    group: 'apps',
    resource: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    generation: true,
    statusOwned: true,
  },
  // EKS clusters come with `pod-identity-webhook` (see POD_IDENTITY_WEBHOOK);
  // tools check it to tell whether IRSA can work.
  {
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingwebhookconfigurations',
    singular: 'mutatingwebhookconfiguration',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
    categories: ['api-extensions'],
  },
];

/** The webhook configuration EKS installs in every cluster (its server runs on the control plane, at this URL). */
export const POD_IDENTITY_WEBHOOK = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: 'pod-identity-webhook' },
  webhooks: [
    {
      name: 'iam-for-pods.amazonaws.com',
      admissionReviewVersions: ['v1beta1'],
      clientConfig: { url: 'https://127.0.0.1:23443/mutate' },
      failurePolicy: 'Ignore',
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      reinvocationPolicy: 'IfNeeded',
      sideEffects: 'None',
      timeoutSeconds: 10,
      objectSelector: {
        matchExpressions: [{ key: 'eks.amazonaws.com/skip-pod-identity-webhook', operator: 'DoesNotExist' }],
      },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }],
    },
  ],
};

export const apiVersionOf = (def: ResourceDef) => (def.group ? `${def.group}/v1` : 'v1');
export const findResource = (group: string, resource: string) =>
  RESOURCES.find((r) => r.group === group && r.resource === resource);
export const findKind = (kind: string) => RESOURCES.find((r) => r.kind === kind);

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.9-eks-emulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.12',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(hostPort: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }],
  };
}

/** Create-only review APIs (nothing is stored): "who am I" and "may I", answered from the auth settings. */
export const REVIEWS = [
  { group: 'authentication.k8s.io', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview' },
  { group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview' },
];

const GROUPS = ['apps', 'admissionregistration.k8s.io', ...REVIEWS.map((r) => r.group)];
const groupDoc = (name: string) => ({
  name,
  versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
  preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
});
export const apiGroupList = () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map(groupDoc) });
export const apiGroup = (name: string) =>
  GROUPS.includes(name) ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name) } : undefined;

/** Subresources served besides /status: TokenRequest and pod logs. */
const EXTRA_SUBRESOURCES: Record<string, object[]> = {
  serviceaccounts: [
    {
      name: 'serviceaccounts/token',
      singularName: '',
      namespaced: true,
      group: 'authentication.k8s.io',
      version: 'v1',
      kind: 'TokenRequest',
      verbs: ['create'],
    },
  ],
  pods: [{ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }],
};

export function resourceList(group: string) {
  const reviews = REVIEWS.filter((r) => r.group === group);
  if (reviews.length)
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: `${group}/v1`,
      resources: reviews.map((r) => ({
        name: r.resource,
        singularName: r.resource.slice(0, -1),
        namespaced: false,
        kind: r.kind,
        verbs: ['create'],
      })),
    };
  const resources = RESOURCES.filter((r) => r.group === group).flatMap((r) => {
    const main = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    };
    // /status is served as well: it reads the object and writes only .status.
    const status = r.statusOwned
      ? [
          {
            name: `${r.resource}/status`,
            singularName: '',
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: ['get', 'patch', 'update'],
          },
        ]
      : [];
    return [main, ...status, ...(EXTRA_SUBRESOURCES[r.resource] ?? [])];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources };
}
