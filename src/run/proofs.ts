// The run's side of the proof of credentials (verify-credentials): each binding is proven as soon as its own
// changes are done (all bindings concurrently: one propagation wait for the whole manifest), and its workload
// restarts wait for that proof, so new pods start with working credentials; a failed proof restarts nothing and
// fails the binding. A token request and a probe pod are not changes.
import type { Check } from '../core/check.js';
import type { Change } from '../core/types.js';
import type { BindingKey } from '../inputs/config.js';
import * as k8s from '../kube/client.js';
import type { Log } from '../platform/types.js';
import { deletePod, KubeProofError, leftoverProbes, runningPodOf } from '../resources/credentials/cluster.js';
import { exchangeOnce, type ExchangeTarget } from '../resources/credentials/exchange.js';
import { AUDIENCE_ANNOTATION, ROLE_ANNOTATION, type Attempt, type Proof } from '../resources/credentials/kind.js';
import { probeOnce } from '../resources/credentials/probe.js';
import { prove } from '../resources/credentials/prove.js';
import type { ApplyRun } from './apply.js';
import type { Outcome } from './graph.js';
import { clusterKeyOf, isFailed, type ClusterState } from '../core/state.js';

const isRestart = (c: Change) => c.op.kind === 'restart-workload';

interface Deferred {
  promise: Promise<Proof | undefined>;
  resolve(p: Proof | undefined): void;
}

export class Proofs {
  private readonly proofs = new Map<BindingKey, Deferred>();
  /** Per binding: its changes (restarts aside) not settled yet. */
  private readonly pending = new Map<BindingKey, number>();
  private readonly failedKeys = new Set<BindingKey>();
  private readonly started = new Set<BindingKey>();

  constructor(
    private readonly applied: ApplyRun,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    const { plan, state } = applied;
    if (state.run.verifyCredentials === 'none' || state.run.dryRun) return;
    for (const k of plan.resolved.keys()) {
      let resolve!: Deferred['resolve'];
      const promise = new Promise<Proof | undefined>((r) => (resolve = r));
      this.proofs.set(k, { promise, resolve });
      this.pending.set(k, 0);
    }
    for (const c of plan.changes)
      if (!isRestart(c)) for (const k of c.serves) this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
  }

  /** Starts the proofs of the bindings that have no change to wait for (a rerun: all of them). */
  startIdle(): void {
    for (const [k, n] of this.pending) if (n === 0) this.start(k);
  }

  /** A change settled: a binding whose changes have all settled is proven now. */
  readonly settled = (c: Change, o: Outcome): void => {
    if (isRestart(c)) return;
    for (const k of c.serves) {
      if (!o.ok) this.failedKeys.add(k);
      const left = (this.pending.get(k) ?? 0) - 1;
      this.pending.set(k, left);
      if (left === 0) this.start(k);
    }
  };

  /** A restart waits for its binding's proof; without a proof (failed, or a failed binding) it is not made. */
  readonly ready = async (c: Change): Promise<void> => {
    if (!isRestart(c) || !c.target.binding) return;
    const deferred = this.proofs.get(c.target.binding);
    if (!deferred) return;
    const proof = await deferred.promise;
    if (!proof?.ok) throw new Error('not restarted: the credentials of the binding were not proven');
  };

  /** The changes to report: restarts not made because their binding's proof failed are not. */
  reported(proven: ReadonlyMap<BindingKey, Proof>): readonly Change[] {
    const { plan } = this.applied;
    return plan.changes.filter(
      (c) =>
        !isRestart(c) || !c.target.binding || !this.proofs.has(c.target.binding) || proven.get(c.target.binding)?.ok,
    );
  }

  /** Every proof, once all have ended (bindings that failed before their proof have none). */
  async all(): Promise<Map<BindingKey, Proof>> {
    for (const k of this.proofs.keys()) this.start(k);
    const done = await Promise.all([...this.proofs].map(async ([k, d]) => [k, await d.promise] as const));
    return new Map(done.filter((e): e is [BindingKey, Proof] => !!e[1]));
  }

  private start(k: BindingKey): void {
    const deferred = this.proofs.get(k);
    if (!deferred || this.started.has(k)) return;
    this.started.add(k);
    const { plan, log } = this.applied;
    if (this.failedKeys.has(k) || plan.failures.has(k)) return deferred.resolve(undefined);
    this.proveBinding(k)
      .catch((e: unknown): Proof => ({
        method: this.applied.state.run.verifyCredentials as Proof['method'],
        ok: false,
        seconds: 0,
        failure: `The proof of credentials could not be made: ${(e as Error).message}`,
      }))
      .then((proof) => {
        if (!proof.ok && !plan.failures.has(k)) this.applied.failures.set(k, proof.failure ?? 'credentials not proven');
        if (proof.ok) log.info(`${k}: ${describeProof(proof)}`);
        deferred.resolve(proof);
      })
      .catch(() => deferred.resolve(undefined));
  }

  private async proveBinding(k: BindingKey): Promise<Proof> {
    const { plan, state, log } = this.applied;
    const method = state.run.verifyCredentials as Proof['method'];
    const { config, roleArn } = plan.resolved.get(k)!;
    const cluster = state.clusters.get(clusterKeyOf(config)) as ClusterState;
    const kube = cluster.kube;
    if (!kube) throw new Error('Kubernetes access is needed for verify-credentials but was not set up.');
    let attempt: () => Promise<Attempt>;
    if (method === 'pod') {
      await removeLeftovers(kube, config.namespace, config.serviceAccount, log);
      attempt = () => probeOnce(kube, config, state.run.probeImage);
    } else {
      const target = await this.exchangeTarget(k, cluster);
      attempt = () => exchangeOnce(target);
    }
    return prove({
      method,
      config,
      expectedRoleArn: (config.state === 'present' && config.targetRoleArn) || roleArn,
      attempt,
      onWait: (r) =>
        log.info(
          `${k}: ${config.state === 'absent' ? 'credentials still issued' : `refused (${r.code})`}; ` +
            'trying again until wait-timeout (IAM and EKS take seconds to make a change effective).',
        ),
    });
  }

  /** What the exchange needs besides the binding: a running pod to bind the token to, the association, IRSA's role. */
  private async exchangeTarget(k: BindingKey, cluster: ClusterState): Promise<ExchangeTarget> {
    const { plan, state } = this.applied;
    const { config, roleArn } = plan.resolved.get(k)!;
    const kube = cluster.kube!;
    const base = { kube, aws: cluster.aws, config, env: this.env };
    if (config.mode === 'pod-identity') {
      const own = state.bindings.get(k);
      const observed = own && !isFailed(own) ? own.associations?.find((a) => a.roleArn === roleArn) : undefined;
      const associationId =
        config.state === 'present'
          ? (this.applied.associations.get(k)?.associationId ?? observed?.associationId)
          : undefined;
      const boundPod = await runningPodOf(kube, config.namespace, config.serviceAccount);
      return { ...base, boundPod, associationId };
    }
    const sa = await k8s.readServiceAccount(kube, config.namespace, config.serviceAccount).catch(() => null);
    const annotated = sa?.annotations[ROLE_ANNOTATION];
    const audience = sa?.annotations[AUDIENCE_ANNOTATION] || config.audience;
    // Removal: the same exchange for the binding's role, whose annotation is gone now.
    const irsaRole = config.state === 'absent' ? roleArn : annotated;
    return { ...base, irsa: irsaRole ? { roleArn: irsaRole, audience } : undefined };
  }
}

async function removeLeftovers(kube: k8s.Kube, namespace: string, serviceAccount: string, log: Log): Promise<void> {
  const names = await leftoverProbes(kube, namespace, serviceAccount).catch((e: unknown) => {
    if (e instanceof KubeProofError && e.status !== 403) return [];
    throw e;
  });
  for (const name of names) {
    log.info(`Deleting probe pod ${namespace}/${name}, left by an earlier run that did not finish.`);
    await deletePod(kube, namespace, name);
  }
}

export function describeProof(p: Proof): string {
  if (p.refused) return `credentials refused now (${p.method}), ${p.seconds}s after the removal`;
  if (p.ok) return `credentials of ${p.roleArn} proven (${p.method}) ${p.seconds}s after apply`;
  return p.failure ?? 'credentials not proven';
}

/** The proof as a verification line (the Verify log and the summary's checks). */
export const proofCheck = (p: Proof): Check => ({ name: 'credentials', ok: p.ok, detail: describeProof(p) });

/** The `credentials` object of a binding in the `bindings` output. */
export function proofOutput(p: Proof, state: 'present' | 'absent'): Record<string, unknown> {
  if (state === 'absent') return { method: p.method, refused: p.refused === true, seconds: p.seconds };
  return { method: p.method, 'role-arn': p.roleArn ?? '', seconds: p.seconds };
}
