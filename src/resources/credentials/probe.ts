// `verify-credentials: pod`: the seeds' own check. A short-lived pod as the service account runs
// `aws sts get-caller-identity --output json`; the answer in its log says whose credentials the pods get. The pod
// meets the restricted Pod Security Standard, is labelled as eks-pod-iam's probe, has a deadline, and is deleted
// whatever happens (a killed run's probe is deleted by the next run).
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../../core/ownership.js';
import type { Config } from '../../inputs/config.js';
import type { Kube } from '../../kube/client.js';
import { delayScale } from '../../time.js';
import { createPod, deletePod, KubeProofError, podLog, PROBE_LABEL, PROBE_VALUE, readPod } from './cluster.js';
import type { Attempt } from './kind.js';
import { irsaLink, podIdentityLink } from './links.js';

/** The probe's own deadline (activeDeadlineSeconds): the CLI answers in seconds; a pull may take a minute. */
export const PROBE_DEADLINE_SECONDS = 180;

/** The pod: restricted PSS (non-root, RuntimeDefault seccomp, no capabilities, no privilege escalation). */
export function probePod(config: Config, image: string, name: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: config.namespace,
      labels: { [CREATED_BY_LABEL]: CREATED_BY_VALUE, [PROBE_LABEL]: PROBE_VALUE },
    },
    spec: {
      serviceAccountName: config.serviceAccount,
      restartPolicy: 'Never',
      activeDeadlineSeconds: PROBE_DEADLINE_SECONDS,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'probe',
          image,
          command: ['aws', 'sts', 'get-caller-identity', '--output', 'json'],
          // The CLI writes a cache under HOME; the region is the cluster's (a Pod Identity pod gets none injected).
          env: [
            { name: 'HOME', value: '/tmp' },
            { name: 'AWS_REGION', value: config.region },
            { name: 'AWS_DEFAULT_REGION', value: config.region },
            { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
          ],
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        },
      ],
    },
  };
}

/** What the admission webhooks put in the spec: the credentials' environment, if any. */
export function injectedVia(pod: V1Pod): 'pod-identity' | 'irsa' | undefined {
  const names = new Set((pod.spec?.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.name)));
  if (names.has('AWS_CONTAINER_CREDENTIALS_FULL_URI')) return 'pod-identity';
  return names.has('AWS_ROLE_ARN') ? 'irsa' : undefined;
}

const envOf = (pod: V1Pod, name: string) =>
  (pod.spec?.containers ?? []).flatMap((c) => c.env ?? []).find((e) => e.name === name)?.value ?? '';

const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** Where the probe is: still coming, done (its phase), or stuck on something it cannot get past. */
export function probeState(pod: V1Pod): { done: boolean; stuck?: string } {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { done: true };
  for (const s of pod.status?.containerStatuses ?? []) {
    const waiting = s.state?.waiting;
    if (waiting?.reason && (PULL_FAILURES.has(waiting.reason) || CONFIG_FAILURES.has(waiting.reason)))
      return { done: false, stuck: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` };
  }
  return { done: false };
}

/** The aws CLI's output: the caller's ARN, or its error line `An error occurred (<Code>) when calling …: <msg>`. */
export function parseProbeLog(log: string): { arn: string } | { code: string; message: string } {
  try {
    const arn = (JSON.parse(log.trim()) as { Arn?: unknown }).Arn;
    if (typeof arn === 'string') return { arn };
  } catch {
    // not the JSON answer: an error text
  }
  const m = /An error occurred \(([^)]+)\) when calling the \w+ operation: (.*)/.exec(log);
  if (m) return { code: m[1]!, message: m[2]!.trim() };
  const line = log.trim().split('\n').filter(Boolean).pop() ?? '(no output)';
  return { code: 'ProbeFailed', message: line.slice(0, 300) };
}

/** Polls are not shrunk below 50 ms by the test knob: the probe is another program's work, not our wait. */
const POLL_MS = () => Math.max(50, 500 * delayScale());

export async function probeOnce(kube: Kube, config: Config, image: string): Promise<Attempt> {
  const name = `eks-pod-iam-probe-${randomBytes(4).toString('hex')}`;
  const { namespace } = config;
  let created: V1Pod;
  try {
    created = await createPod(kube, namespace, probePod(config, image, name));
  } catch (e) {
    if (e instanceof KubeProofError) return { kind: 'fatal', message: e.message };
    throw e;
  }
  try {
    return await watchProbe(kube, config, image, name, created);
  } catch (e) {
    if (e instanceof KubeProofError) return { kind: 'fatal', message: e.message };
    throw e;
  } finally {
    await deletePod(kube, namespace, name).catch(() => undefined);
  }
}

async function watchProbe(kube: Kube, config: Config, image: string, name: string, created: V1Pod): Promise<Attempt> {
  const { namespace } = config;
  const injected = injectedVia(created);
  const give = Date.now() + (PROBE_DEADLINE_SECONDS + 30) * 1000;
  let pod = created;
  for (let s = probeState(pod); !s.done; s = probeState(pod)) {
    if (s.stuck)
      return {
        kind: 'fatal',
        message: `The probe pod ${namespace}/${name} cannot start (${s.stuck}): check probe-image (${image}).`,
      };
    if (Date.now() > give)
      return { kind: 'fatal', message: `The probe pod ${namespace}/${name} did not finish within its deadline.` };
    await new Promise((r) => setTimeout(r, POLL_MS()));
    pod = await readPod(kube, namespace, name);
  }
  if (pod.status?.reason === 'DeadlineExceeded')
    return { kind: 'fatal', message: `The probe pod ${namespace}/${name} did not finish within its deadline.` };
  const answer = parseProbeLog(await podLog(kube, namespace, name));
  const missing =
    'nothing injected credentials into the probe pod (neither AWS_CONTAINER_CREDENTIALS_FULL_URI nor AWS_ROLE_ARN ' +
    'in its spec): ' +
    (config.mode === 'irsa'
      ? "EKS's pod identity webhook is missing or did not see the service account's role-arn annotation"
      : "the association is not visible to EKS's webhook yet, or the pod runs on Fargate (Pod Identity gives " +
        'Fargate pods no credentials: use mode: irsa there)');
  if ('arn' in answer)
    return {
      kind: 'credentials',
      arn: answer.arn,
      ...(injected ? {} : { note: `${missing}; it got the node's role instead` }),
    };
  if (!injected) return { kind: 'refused', code: answer.code, message: answer.message, link: missing };
  const link =
    config.mode === 'irsa'
      ? irsaLink(answer.code, answer.message, config, {
          roleArn: envOf(created, 'AWS_ROLE_ARN'),
          audience: config.audience,
        })
      : podIdentityLink(answer.code, answer.message, config);
  return { kind: 'refused', code: answer.code, message: answer.message, link };
}
