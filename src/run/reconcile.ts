// One run: inputs → observe (shared things once) → plan → (dry run: stop) → apply (independent changes at once)
// → verify → outputs and report. One binding's failure does not stop the others: every binding is attempted, and
// the run fails at the end with one line per failed binding. The platform shells call this.
import { AwsClients } from '../aws/clients.js';
import type { Change } from '../core/types.js';
import { RunError } from '../errors.js';
import { bindingKey, type BindingKey, type RunConfig } from '../inputs/config.js';
import type { OutputName } from '../inputs/spec.js';
import type { Log } from '../platform/types.js';
import { waitForAddon } from '../resources/addon/apply.js';
import type { Proof } from '../resources/credentials/kind.js';
import { TrustForesight } from '../resources/role-trust/foresight.js';
import { overQuota } from '../resources/role-trust/quota.js';
import { sleep } from '../time.js';
import { applyChange, serviceOf, type ApplyRun } from './apply.js';
import { ResourceGates } from './gates.js';
import { fargateCheck } from '../resources/fargate/check.js';
import { runGraph } from './graph.js';
import { observe } from './observe.js';
import { planRun } from './plan.js';
import type { RunPlan } from '../core/planning.js';
import { outputsOf } from './outputs.js';
import { proofCheck, Proofs } from './proofs.js';
import { describeState, groupByResource, summarize } from './report.js';
import { addonUnit, reread, unitOf } from './reread.js';
import { isFailed, observedFor, type ClusterKey, type ClusterState, type RunState } from '../core/state.js';
import { advisories, failed, verify, type Check } from './verify.js';

export interface RunResult {
  outputs: Partial<Record<OutputName, string>>;
  summary: string;
  changes: Change[];
  /** Set when a binding failed: one line per failed binding (just the cause for a single binding). */
  failure?: string;
}

/** `provenance`: the platform's tags naming this run, for what the run creates (Platform.provenance). */
export async function reconcile(
  run: RunConfig,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
  provenance: Readonly<Record<string, string>> = {},
): Promise<RunResult> {
  const clients = new Map<string, AwsClients>();
  const clientsFor = (region: string) =>
    clients.get(region) ?? clients.set(region, new AwsClients(region)).get(region)!;
  let state: RunState | undefined;
  let trustReads: TrustForesight | undefined;
  try {
    if (run.skipped.length) log.info(`Skipped (other clusters than this run's): ${run.skipped.join(', ')}`);
    // A fleet manifest's job for a cluster none of its items names (warned about): nothing to read or write.
    if (run.bindings.length === 0)
      return {
        outputs: { changed: 'false', changes: '[]', bindings: '[]' },
        summary:
          '### eks-pod-iam: no binding for this cluster\n\n' +
          `Skipped (other clusters): ${run.skipped.map((k) => `\`${k}\``).join(', ')}\n`,
        changes: [],
      };
    const fargate = fargateCheck(run, clientsFor);
    const foresight = (trustReads = new TrustForesight(clientsFor(run.bindings[0]!.region).iam, !run.dryRun));
    state = await log.group('Observe', async () => {
      const s = await observe(run, clientsFor, env, (role) => foresight.foresee(role));
      for (const line of describeState(s)) log.info(line);
      return s;
    });
    run = state.run; // a migrating binding that gave no role now names the one its service account gave
    const planned = planRun(state, provenance);
    // The run's ledger of failed bindings, and the plan as it applies it: the plan itself is never changed.
    const failures = new Map(planned.failures);
    for (const over of await overQuota(planned.changes, foresight, log))
      failBindings(failures, over.serves, over.message);
    // Nothing is written for a binding that already failed.
    const applicable = planned.changes.filter((c) => c.serves.some((k) => !failures.has(k)));
    const plan: RunPlan = { ...planned, changes: applicable, failures };
    for (const w of [...(await fargate), ...plan.warnings])
      log.warn(run.bindings.length > 1 && w.about ? `${w.about}: ${w.message}` : w.message);
    await log.group(run.dryRun ? 'Plan (dry run: nothing is changed)' : 'Plan', async () => {
      if (plan.changes.length === 0)
        log.info(
          plan.failures.size
            ? `Nothing to change for the bindings that could be planned (${plan.failures.size} cannot be).`
            : 'Everything already matches: nothing to change.',
        );
      for (const [resource, changes] of groupByResource(plan.changes))
        for (const c of changes) log.info(`${resource} ${c.action}: ${c.detail}`);
    });

    const applied: ApplyRun = {
      state,
      plan,
      failures,
      log,
      associations: new Map(),
      roles: new Map(),
      serviceAccounts: new Map(),
      addonsActive: new Set(),
      foresight,
    };
    const touched = new Set(plan.changes.map(unitOf));
    for (const key of plan.addonWaits) touched.add(addonUnit(key));
    if (run.dryRun && run.verifyCredentials !== 'none')
      log.info(`Dry run: the credentials are not proven (verify-credentials: ${run.verifyCredentials}).`);
    const proofs = new Proofs(applied, env);
    const final = run.dryRun ? state : await applyAndReread(applied, touched, run.waitTimeoutSeconds, proofs);
    const proven = await proofs.all();
    const reported: RunPlan = { ...plan, changes: proofs.reported(proven) };
    const checks = await verifyAll(run, reported, failures, state, final, touched, log, proven);
    const outputs = outputsOf(run, reported, final, applied.associations, proven);
    const summary = summarize(run, reported, checks, outputs, final);
    return { outputs, summary, changes: [...reported.changes], failure: failureLine(run, reported) };
  } finally {
    await trustReads?.settled();
    for (const c of state?.clusters.values() ?? []) if (!isFailed(c)) c.kube?.close();
    await Promise.all([...clients.values()].map((c) => c.destroy()));
  }
}

/**
 * Applies the plan (and waits for add-ons) while reading back each resource as soon as its changes are done.
 * A failed change fails the bindings it serves and skips what comes after it; the rest goes on.
 */
async function applyAndReread(
  applied: ApplyRun,
  touched: Set<string>,
  timeoutSeconds: number,
  proofs: Proofs,
): Promise<RunState> {
  const { plan, state, log } = applied;
  const units = [...plan.changes.map(unitOf), ...plan.addonWaits.map(addonUnit)];
  const gates = new ResourceGates(units);
  const done: Change[] = [];
  proofs.startIdle();
  const applying = runGraph(
    plan.changes,
    (c) => serviceOf(c.op),
    async (c) => {
      const effect = await applyChange(c, applied);
      const finish = () => void (done.push(c), gates.done(unitOf(c)));
      return effect ? { settling: effect.settling.then(finish) } : finish();
    },
    { ready: proofs.ready, settled: proofs.settled },
  ).then(async (outcomes) => {
    for (const c of plan.changes) {
      const o = outcomes.get(c.id)!;
      if (!o.ok)
        failBindings(
          applied.failures,
          c.serves,
          o.skipped ? `not done because an earlier change failed: ${o.error.message}` : o.error.message,
        );
      if (!o.ok) gates.done(unitOf(c));
    }
    await Promise.all(
      plan.addonWaits.map((key) => waitAddon(applied, key, timeoutSeconds).finally(() => gates.done(addonUnit(key)))),
    );
    gates.openAll();
  });
  applying.catch((e) => gates.failAll(e));
  const { roles, associations, serviceAccounts } = applied;
  const written = { changes: plan.changes, done, roles, associations, serviceAccounts };
  const rereading = reread(state, touched, gates.ready, written);
  const [, final] = await Promise.all([applying, rereading]);
  for (const [resource, changes] of groupByResource(done))
    await log.group(resource, async () => {
      for (const c of changes) log.notice(`${resource} ${c.action}: ${c.detail}`);
    });
  return final;
}

async function waitAddon(applied: ApplyRun, key: ClusterKey, timeoutSeconds: number): Promise<void> {
  if (applied.addonsActive.has(key)) return;
  const cluster = applied.state.clusters.get(key) as ClusterState;
  const waiting = applied.plan.changes.filter((c) => c.owner.kind === 'cluster' && c.owner.cluster === key);
  try {
    await waitForAddon(cluster.aws.eks, cluster.name, timeoutSeconds, applied.log);
  } catch (e) {
    const podIdentity = applied.state.run.bindings.filter(
      (b) => b.mode === 'pod-identity' && `${b.region}/${b.clusterName}` === key,
    );
    failBindings(
      applied.failures,
      waiting.length ? waiting.flatMap((c) => c.serves) : podIdentity.map(bindingKey),
      (e as Error).message,
    );
  }
}

function failBindings(failures: Map<BindingKey, string>, keys: readonly BindingKey[], message: string): void {
  for (const k of keys) if (!failures.has(k)) failures.set(k, message);
}

// IAM is eventually consistent: a read right after a write may still show the old state for a few seconds.
const VERIFY_DELAYS_MS = [1000, 2000, 4000, 8000];

/** Checks each binding's end state; in a real run a failed check (after IAM has had time to settle) fails it. */
async function verifyAll(
  run: RunConfig,
  plan: RunPlan,
  failures: Map<BindingKey, string>,
  before: RunState,
  final: RunState,
  touched: Set<string>,
  log: Log,
  proofs: ReadonlyMap<BindingKey, Proof>,
): Promise<Map<BindingKey, Check[]>> {
  const live = () => [...plan.resolved.keys()].filter((k) => !plan.failures.has(k));
  const checkAll = (s: RunState) =>
    new Map(
      live().map((k) => {
        const r = plan.resolved.get(k)!;
        const b = run.bindings.find((x) => bindingKey(x) === k)!;
        return [k, verify(r.config, observedFor(s, b, k, r.providerArn), plan.removals.get(k))] as const;
      }),
    );
  let checks = checkAll(final);
  const failing = () => [...checks].filter(([, cs]) => failed(cs).length > 0);
  for (let i = 0; !run.dryRun && touched.size > 0 && failing().length > 0 && i < VERIFY_DELAYS_MS.length; i++) {
    const delay = VERIFY_DELAYS_MS[i]!;
    const pending = [...new Set(failing().flatMap(([, cs]) => failed(cs).map((c) => c.name)))];
    log.info(
      `Not settled yet (${pending.join(', ')}): IAM is eventually consistent; reading again in ${delay / 1000}s.`,
    );
    await sleep(delay);
    checks = checkAll(await reread(before, touched));
  }
  for (const [k, p] of proofs) checks.get(k)?.push(proofCheck(p));
  await log.group('Verify', async () => {
    for (const [k, cs] of checks) {
      if (checks.size > 1) log.info(k);
      for (const c of cs) log.info(`${c.ok === undefined ? '–' : c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
    }
    if (run.dryRun && failing().length) log.info('(dry run: failed checks show what the planned changes would fix)');
  });
  for (const [k, cs] of checks) {
    for (const c of advisories(cs)) log.warn(`${checks.size > 1 ? `${k}: ` : ''}${c.name}: ${c.detail}`);
    for (const c of cs) if (c.ok === undefined && c.todo) log.warn(`${checks.size > 1 ? `${k}: ` : ''}${c.todo}`);
    const bad = failed(cs);
    if (!run.dryRun && bad.length)
      failBindings(failures, [k], `Verification failed: ${bad.map((c) => `${c.name} (${c.detail})`).join('; ')}.`);
  }
  return checks;
}

/** One line per failed binding, naming it (a single binding: just its cause, as before). */
function failureLine(run: RunConfig, plan: RunPlan): string | undefined {
  const failedKeys = run.bindings.map(bindingKey).filter((k) => plan.failures.has(k));
  if (failedKeys.length === 0) return undefined;
  if (run.bindings.length === 1 && run.bindings[0]!.index === undefined) return plan.failures.get(failedKeys[0]!);
  return failedKeys
    .map((k) => {
      const b = run.bindings.find((x) => bindingKey(x) === k)!;
      return `bindings[${b.index ?? 0}] ${k}: ${plan.failures.get(k)!}`;
    })
    .join('\n');
}

export { RunError };
