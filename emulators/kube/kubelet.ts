// A simulated kubelet (and the admission-time half of the EKS pod identity webhook) for the proof of credentials:
// - at pod admission it tells the webhook whether a Pod Identity association exists for the pod's cluster, namespace
//   and service account (asked of the AWS emulator with the EKS SDK's ListPodIdentityAssociations);
// - an image it cannot pull (setUnpullableImages, or any image naming `does-not-exist`) leaves the pod Pending with
//   its container waiting in ErrImagePull, then ImagePullBackOff;
// - a container running `aws sts get-caller-identity` performs the CLI's exchange against the AWS emulator
//   (exchange.ts); its output is the container's log, its exit code sets the phase (Succeeded / Failed);
// - spec.activeDeadlineSeconds fails a pod still running after that long (reason DeadlineExceeded).
// Other pods keep the instant "Running" of controllers.ts. Only pods that went through admission are run.
import { EKSClient, ListPodIdentityAssociationsCommand } from '@aws-sdk/client-eks';
import type { ClusterContext } from './clusters.js';
import { badRequest, notFound } from './errors.js';
import { callerIdentity, runsCallerIdentity, type AwsTarget } from './exchange.js';
import { findResource } from './resources.js';
import type { KubeObject, Store, WatchEvent } from './store.js';
import { mintToken, type SigningKey } from './tokens.js';

type Container = { name: string; image?: string; command?: string[]; args?: string[] };
type ContainerState = Record<string, Record<string, unknown>>;
const POD = findResource('', 'pods')!;
const SA = findResource('', 'serviceaccounts')!;
const BACKOFF_MS = 300;
export const DEFAULT_NODE_ROLE_ARN = 'arn:aws:iam::123456789012:role/eks-node-role';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const containersOf = (pod: KubeObject) => (pod.spec?.containers as Container[] | undefined) ?? [];

export interface KubeletDeps {
  store: Store;
  key: () => Promise<SigningKey>;
  aws: () => AwsTarget | null;
}

export class Kubelet {
  unpullable: string[] = [];
  nodeRoleArn = DEFAULT_NODE_ROLE_ARN;
  /** Set between the association lookup and the synchronous admission of one pod create. */
  private admitting?: { namespace: string; serviceAccount: string; podIdentity: boolean; cluster: ClusterContext };
  private admitted = new Map<string, ClusterContext>();
  private logs = new Map<string, Record<string, string>>();
  private timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: KubeletDeps) {
    deps.store.subscribe((e) => this.onEvent(e));
  }

  /** Before a pod create: asks EKS whether the pod's service account has a Pod Identity association. */
  async beforeCreate(cluster: ClusterContext, namespace: string, body: unknown): Promise<void> {
    const spec = (body as { spec?: { serviceAccountName?: string; serviceAccount?: string } } | null)?.spec;
    const serviceAccount = spec?.serviceAccountName ?? spec?.serviceAccount ?? 'default';
    const aws = this.deps.aws();
    let podIdentity = false;
    if (aws && cluster.name) {
      const eks = new EKSClient({ endpoint: aws.endpoint, region: cluster.region, credentials: aws.credentials });
      try {
        const out = await eks.send(
          new ListPodIdentityAssociationsCommand({ clusterName: cluster.name, namespace, serviceAccount }),
        );
        podIdentity = (out.associations ?? []).length > 0;
      } catch {
        podIdentity = false; // e.g. a cluster moto does not know: nothing to inject
      } finally {
        eks.destroy();
      }
    }
    this.admitting = { namespace, serviceAccount, podIdentity, cluster };
  }

  afterCreate(): void {
    this.admitting = undefined;
    this.admitted.clear(); // a pod admitted but not stored (dry run, invalid) is not run
  }

  /** The webhook's question, during admission. */
  podIdentity(namespace: string, serviceAccount: string): boolean {
    const a = this.admitting;
    return !!a && a.namespace === namespace && a.serviceAccount === serviceAccount && a.podIdentity;
  }

  region(): string | undefined {
    return this.admitting?.cluster.region;
  }

  /** At admission (after the webhook): the pod's first status when this kubelet runs it. */
  admit(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.admitted.set(key, this.admitting?.cluster ?? { region: 'us-east-1', issuer: '' });
    const containers = containersOf(pod);
    const unpullable = containers.some((c) => this.cannotPull(c.image ?? ''));
    if (!unpullable && !containers.some(runsCallerIdentity)) return;
    pod.status = this.status(pod, 'Pending', (c) =>
      this.cannotPull(c.image ?? '')
        ? { waiting: { reason: 'ErrImagePull', message: pullError(c.image ?? '') } }
        : { waiting: { reason: 'ContainerCreating' } },
    );
  }

  /** `GET .../pods/{name}/log`: the container's output, or the API server's refusal. */
  log(namespace: string, name: string, container?: string | null): string {
    const pod = this.deps.store.get(POD, namespace, name);
    if (!pod) throw notFound('pods', '', name);
    const names = containersOf(pod).map((c) => c.name);
    if (!container && names.length !== 1)
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    const c = container ?? names[0]!;
    if (!names.includes(c)) throw badRequest(`container ${c} is not valid for pod ${name}`);
    const statuses = (pod.status?.containerStatuses as { name: string; state?: ContainerState }[] | undefined) ?? [];
    const waiting = statuses.find((s) => s.name === c)?.state?.waiting;
    if (waiting) {
      const why = /ImagePull/.test(String(waiting.reason)) ? 'trying and failing to pull image' : waiting.reason;
      throw badRequest(`container "${c}" in pod "${name}" is waiting to start: ${String(why)}`);
    }
    return this.logs.get(pod.metadata.uid!)?.[c] ?? '';
  }

  reset(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.logs.clear();
    this.admitted.clear();
    this.unpullable = [];
    this.nodeRoleArn = DEFAULT_NODE_ROLE_ARN;
  }

  private cannotPull(image: string): boolean {
    return image.includes('does-not-exist') || this.unpullable.includes(image);
  }

  private onEvent({ type, def, object: pod }: WatchEvent): void {
    if (def !== POD) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (type === 'DELETED') return void this.logs.delete(pod.metadata.uid!);
    const cluster = this.admitted.get(key);
    if (type !== 'ADDED' || !cluster) return;
    this.admitted.delete(key);
    const deadline = Number(pod.spec?.activeDeadlineSeconds ?? 0);
    if (deadline > 0) this.later(deadline * 1000, pod, (p) => this.deadlineExceeded(p));
    if (containersOf(pod).some((c) => this.cannotPull(c.image ?? '')))
      return this.later(BACKOFF_MS, pod, (p) => this.backOff(p));
    if (containersOf(pod).some(runsCallerIdentity)) void this.run(pod, cluster);
  }

  /** Runs fn on the current pod after ms, if the same pod (uid) is still there. */
  private later(ms: number, pod: KubeObject, fn: (current: KubeObject) => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      const cur = this.current(pod);
      if (cur) fn(cur);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private current(pod: KubeObject): KubeObject | undefined {
    const cur = this.deps.store.get(POD, pod.metadata.namespace, pod.metadata.name);
    return cur?.metadata.uid === pod.metadata.uid ? cur : undefined;
  }

  private async run(pod: KubeObject, cluster: ClusterContext): Promise<void> {
    const startedAt = now();
    this.setStatus(pod, 'Running', () => ({ running: { startedAt } }));
    const aws = this.deps.aws();
    const results: Record<string, { log: string; exitCode: number }> = {};
    for (const c of containersOf(pod)) {
      results[c.name] =
        runsCallerIdentity(c) && aws
          ? await callerIdentity(pod, c, {
              endpoint: aws.endpoint,
              node: aws.credentials,
              nodeRoleArn: this.nodeRoleArn,
              region: cluster.region,
              ...(cluster.name ? { clusterName: cluster.name } : {}),
              podToken: (audience, expirationSeconds) => this.podToken(pod, cluster, audience, expirationSeconds),
            })
          : runsCallerIdentity(c) // no AWS emulator to call (a standalone server): the CLI finds no credentials
            ? {
                log: '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
                exitCode: 253,
              }
            : { log: '', exitCode: 0 };
    }
    const cur = this.current(pod);
    if (!cur || ['Succeeded', 'Failed'].includes(String(cur.status?.phase))) return; // deleted, or past its deadline
    this.logs.set(pod.metadata.uid!, Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.log])));
    const failed = Object.values(results).some((r) => r.exitCode !== 0);
    const finishedAt = now();
    this.setStatus(cur, failed ? 'Failed' : 'Succeeded', (c) => {
      const exitCode = results[c.name]?.exitCode ?? 0;
      return { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt, finishedAt } };
    });
  }

  private async podToken(pod: KubeObject, cluster: ClusterContext, audience: string, expirationSeconds: number) {
    const name = (pod.spec?.serviceAccountName as string | undefined) ?? 'default';
    const sa = this.deps.store.get(SA, pod.metadata.namespace, name);
    if (!sa) throw new Error(`serviceaccount "${name}" not found`);
    const issuer = cluster.issuer || 'https://kubernetes.default.svc';
    return mintToken(await this.deps.key(), { issuer, sa, pod, audiences: [audience], expirationSeconds }).token;
  }

  private backOff(pod: KubeObject): void {
    this.setStatus(pod, 'Pending', (c) =>
      this.cannotPull(c.image ?? '')
        ? { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image ?? ''}"` } }
        : { waiting: { reason: 'PodInitializing' } },
    );
  }

  private deadlineExceeded(pod: KubeObject): void {
    if (['Succeeded', 'Failed'].includes(String(pod.status?.phase))) return;
    const statuses = (pod.status?.containerStatuses as { name: string; state?: ContainerState }[] | undefined) ?? [];
    this.setStatus(
      pod,
      'Failed',
      (c) => {
        const state = statuses.find((s) => s.name === c.name)?.state ?? {};
        if (!state.running) return state;
        return {
          terminated: { exitCode: 137, reason: 'Error', startedAt: state.running.startedAt, finishedAt: now() },
        };
      },
      { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' },
    );
  }

  private setStatus(
    pod: KubeObject,
    phase: string,
    state: (c: Container) => ContainerState,
    extra: Record<string, string> = {},
  ): void {
    const cur = this.current(pod);
    if (cur) this.deps.store.put(POD, { ...cur, status: this.status(cur, phase, state, extra) });
  }

  private status(
    pod: KubeObject,
    phase: string,
    state: (c: Container) => ContainerState,
    extra: Record<string, string> = {},
  ): Record<string, unknown> {
    const ts = now();
    const states = containersOf(pod).map((c) => ({ c, s: state(c) }));
    const ready = phase === 'Running' && states.every(({ s }) => s.running);
    const condition = (type: string, status: boolean, reason?: string) => ({
      type,
      status: status ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: ts,
      ...(reason && !status ? { reason } : {}),
    });
    const notReady = phase === 'Succeeded' || phase === 'Failed' ? 'PodCompleted' : 'ContainersNotReady';
    return {
      ...(pod.status ?? {}),
      phase,
      ...extra,
      hostIP: '10.0.0.10',
      startTime: pod.status?.startTime ?? ts,
      qosClass: 'BestEffort',
      conditions: [
        condition('PodScheduled', true),
        condition('Initialized', true),
        condition('Ready', ready, notReady),
        condition('ContainersReady', ready, notReady),
      ],
      containerStatuses: states.map(({ c, s }) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: s.waiting ? '' : `docker.io/library/${c.image ?? ''}@sha256:${'0'.repeat(64)}`,
        ready: !!s.running && ready,
        started: !!s.running,
        restartCount: 0,
        state: s,
      })),
    };
  }
}

function pullError(image: string): string {
  const ref = image.includes('/') ? image : `docker.io/library/${image}`;
  const full = /:[^/]+$/.test(ref) || ref.includes('@') ? ref : `${ref}:latest`;
  return (
    `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": ` +
    `failed to resolve reference "${full}": ${full}: not found`
  );
}
