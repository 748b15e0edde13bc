// What EKS's mutating webhook does to a pod at creation time, so tests can observe that credentials are fixed when a
// pod starts (a running pod keeps its old identity until it is replaced):
// - IRSA: the service account has `eks.amazonaws.com/role-arn` → AWS_ROLE_ARN + a projected web-identity token.
// - Pod Identity: an association exists for namespace/serviceAccount → container-credentials variables only
//   (Pod Identity wins when both are configured).
import type { KubeObject } from './store.js';

export interface WebhookOptions {
  region?: string;
  /** Tells whether EKS has a Pod Identity association for namespace/serviceAccount (bridge to an EKS emulator). */
  podIdentity?: (namespace: string, serviceAccount: string) => boolean;
}

type Env = { name: string; value: string };
type Container = { env?: Env[]; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] };

export function injectAwsIdentity(pod: KubeObject, sa: KubeObject, opts: WebhookOptions): void {
  const ns = pod.metadata.namespace!;
  const ann = sa.metadata.annotations ?? {};
  const region = opts.region ?? 'us-east-1';
  const spec = pod.spec as { containers?: Container[]; initContainers?: Container[]; volumes?: unknown[] };
  let env: Env[],
    volume: { name: string; mountPath: string; audience: string; path: string; expirationSeconds: number };
  if (opts.podIdentity?.(ns, sa.metadata.name)) {
    volume = {
      name: 'eks-pod-identity-token',
      mountPath: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount',
      audience: 'pods.eks.amazonaws.com',
      path: 'eks-pod-identity-token',
      expirationSeconds: 86400,
    };
    env = [
      { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
      { name: 'AWS_DEFAULT_REGION', value: region },
      { name: 'AWS_REGION', value: region },
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
      { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: `${volume.mountPath}/${volume.path}` },
    ];
  } else if (ann['eks.amazonaws.com/role-arn']) {
    const exp = Number(ann['eks.amazonaws.com/token-expiration'] ?? 86400);
    volume = {
      name: 'aws-iam-token',
      mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
      audience: ann['eks.amazonaws.com/audience'] ?? 'sts.amazonaws.com',
      path: 'token',
      expirationSeconds: exp >= 600 && exp <= 86400 ? exp : 86400,
    };
    env = [
      ...(ann['eks.amazonaws.com/sts-regional-endpoints'] === 'false'
        ? []
        : [{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }]),
      { name: 'AWS_DEFAULT_REGION', value: region },
      { name: 'AWS_REGION', value: region },
      { name: 'AWS_ROLE_ARN', value: ann['eks.amazonaws.com/role-arn'] },
      { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: `${volume.mountPath}/${volume.path}` },
    ];
  } else return;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const have = new Set((c.env ?? []).map((e) => e.name));
    // The webhook never overrides what the pod sets.
    c.env = [...(c.env ?? []), ...env.filter((e) => !have.has(e.name))];
    if (!(c.volumeMounts ?? []).some((m) => m.name === volume.name))
      c.volumeMounts = [...(c.volumeMounts ?? []), { name: volume.name, mountPath: volume.mountPath, readOnly: true }];
  }
  spec.volumes = [
    ...(spec.volumes ?? []),
    {
      name: volume.name,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: volume.audience,
              expirationSeconds: volume.expirationSeconds,
              path: volume.path,
            },
          },
        ],
      },
    },
  ];
}
