// One run: observe → plan → (dry run: stop) → apply → verify → outputs. The platform shells call this.
import { ResourceGates } from './gates.js';
import { applyOp, type ApplyContext } from './apply.js';
import { delayScale, sleep } from '../time.js';
import { runGraph } from './graph.js';
import { AwsClients } from '../aws/clients.js';
import * as eks from '../aws/eks.js';
import * as iam from '../aws/iam.js';
import { RunError } from '../errors.js';
import type { Config } from '../inputs/config.js';
import type { OutputName } from '../inputs/spec.js';
import type { Kube } from '../kube/client.js';
import { observe, reobserve } from './observe.js';
import type { Log } from '../platform/types.js';
import { plan, PlanError } from './plan.js';
import { addonFailure, AGENT_ADDON } from '../resources/association/plan.js';
import { trustPolicySize } from '../resources/role-trust/trust.js';
import type { Change, Observed, Plan } from '../core/types.js';
import { advisories, failed, verify, type Check } from './verify.js';
import { describeObserved, groupByResource, summarize } from './report.js';

export interface RunResult {
  outputs: Partial<Record<OutputName, string>>;
  summary: string;
  changes: Change[];
}

/** `provenance`: the platform's tags naming this run, for what the run creates (Platform.provenance). */
export async function reconcile(
  config: Config,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
  provenance: Readonly<Record<string, string>> = {},
): Promise<RunResult> {
  const aws = new AwsClients(config.region);
  let kube: Kube | undefined;
  try {
    const { observed } = await log.group('Observe', async () => {
      const o = await observe(config, aws, env);
      kube = o.kube;
      for (const line of describeObserved(config, o.observed)) log.info(line);
      return o;
    });
    const p = planFrom(config, observed, provenance);
    for (const w of p.warnings) log.warn(w);
    await checkTrustQuota(p, aws, log);
    await log.group(config.dryRun ? 'Plan (dry run: nothing is changed)' : 'Plan', async () => {
      if (p.changes.length === 0) log.info('Everything already matches: nothing to change.');
      for (const [resource, changes] of groupByResource(p.changes))
        for (const c of changes) log.info(`${resource} ${c.action}: ${c.detail}`);
    });

    const ctx: ApplyContext = { config, aws, kube, log, result: {} };
    const touched = new Set(p.changes.map((c) => c.resource));
    if (p.waitForAddon) touched.add('eks-addon');
    const final = config.dryRun ? observed : await applyAndReread(p, ctx, observed, touched);
    const checks = await verifyState(config, aws, kube, observed, final, p, touched, log);

    const association = ctx.result.association ?? final.associations?.[0];
    const outputs: RunResult['outputs'] = {
      'role-arn': p.roleArn,
      changed: String(p.changes.length > 0),
      changes: JSON.stringify(p.changes.map(({ resource, action, detail }) => ({ resource, action, detail }))),
    };
    if (config.mode === 'pod-identity') {
      outputs['association-id'] = association?.associationId ?? '';
      outputs['association-arn'] = association?.associationArn ?? '';
    } else outputs['oidc-provider-arn'] = p.oidcProviderArn ?? '';
    return { outputs, changes: p.changes, summary: summarize(config, p, checks, outputs, final) };
  } finally {
    kube?.close();
    await aws.destroy();
  }
}

function planFrom(config: Config, observed: Observed, provenance: Readonly<Record<string, string>>): Plan {
  try {
    return plan(config, observed, provenance);
  } catch (e) {
    throw e instanceof PlanError ? new RunError(e.message) : e;
  }
}

/**
 * Applies the plan (and waits for the add-on) while reading back each resource as soon as its changes are
 * done, for verification. A failed change is the run's error; reads it cut short are dropped.
 */
async function applyAndReread(p: Plan, ctx: ApplyContext, observed: Observed, touched: Set<string>): Promise<Observed> {
  const { config, aws, kube, log } = ctx;
  // Waiting for the add-on counts as one more change to it: its gate opens once it is ACTIVE.
  const gates = new ResourceGates([...p.changes.map((c) => c.resource), ...(p.waitForAddon ? ['eks-addon'] : [])]);
  const applying = (async () => {
    if (p.changes.length > 0) await apply(p, ctx, (c) => gates.done(c.resource));
    if (p.waitForAddon) {
      if (!ctx.result.addonActive) await waitForAddon(config, aws, log);
      gates.done('eks-addon');
    }
    gates.openAll();
  })();
  applying.catch((e) => gates.failAll(e));
  const rereading =
    touched.size > 0 ? reobserve(config, aws, kube, observed, touched, gates.ready) : Promise.resolve(observed);
  const [applied, reread] = await Promise.allSettled([applying, rereading]);
  if (applied.status === 'rejected') throw applied.reason;
  if (reread.status === 'rejected') throw reread.reason;
  return reread.value;
}

/** Independent changes run concurrently; each one's outcome is logged under its resource once all are done. */
async function apply(p: Plan, ctx: ApplyContext, onDone: (c: Change) => void): Promise<void> {
  const done: Change[] = [];
  try {
    await runGraph(p.changes, async (c) => {
      await applyOp(c.op, ctx);
      done.push(c);
      onDone(c);
    });
  } finally {
    for (const [resource, changes] of groupByResource(done))
      await ctx.log.group(resource, async () => {
        for (const c of changes) ctx.log.notice(`${resource} ${c.action}: ${c.detail}`);
      });
  }
}

// IAM is eventually consistent: a read right after a write may still show the old state for a few seconds.
const VERIFY_DELAYS_MS = [1000, 2000, 4000, 8000];

/** Checks the end state; in a real run a failed check (after IAM has had time to settle) fails the run. */
async function verifyState(
  config: Config,
  aws: AwsClients,
  kube: Kube | undefined,
  observed: Observed,
  final: Observed,
  p: Plan,
  touched: Set<string>,
  log: Log,
): Promise<Check[]> {
  let checks = verify(config, final);
  for (let i = 0; !config.dryRun && touched.size > 0 && failed(checks).length > 0 && i < VERIFY_DELAYS_MS.length; i++) {
    const delay = VERIFY_DELAYS_MS[i]!;
    const pending = failed(checks).map((c) => c.name);
    log.info(
      `Not settled yet (${pending.join(', ')}): IAM is eventually consistent; reading again in ${delay / 1000}s.`,
    );
    await sleep(delay);
    checks = verify(config, await reobserve(config, aws, kube, observed, touched));
  }
  await log.group('Verify', async () => {
    for (const c of checks) log.info(`${c.ok === undefined ? '–' : c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
    if (config.dryRun && failed(checks).length)
      log.info('(dry run: failed checks show what the planned changes would fix)');
  });
  for (const c of advisories(checks)) log.warn(`${c.name}: ${c.detail}`);
  const bad = failed(checks);
  if (!config.dryRun && bad.length)
    throw new RunError(`Verification failed: ${bad.map((c) => `${c.name} (${c.detail})`).join('; ')}.`);
  return checks;
}

/** A trust policy over the account's quota is refused by IAM; say so before anything is written. */
async function checkTrustQuota(p: Plan, aws: AwsClients, log: Log): Promise<void> {
  const update = p.changes.find((c) => c.op.kind === 'update-trust');
  if (!update || update.op.kind !== 'update-trust') return;
  const size = trustPolicySize(update.op.trust);
  // Without iam:GetAccountSummary the check is skipped: IAM itself still refuses an oversized policy.
  const quota = await iam.trustPolicyQuota(aws.iam).catch((e: Error) => {
    log.warn(`Could not read the account's trust-policy size quota (${e.name}); writing without checking it first.`);
    return undefined;
  });
  if (quota !== undefined && size > quota)
    throw new RunError(
      `The trust policy of role ${update.op.roleName} would be ${size} bytes, ` +
        `over this account's AssumeRolePolicySizeQuota of ${quota}: ` +
        'remove statements that are no longer used, bind this service account to its own role, ' +
        'or ask AWS to raise the quota (up to 8192).',
    );
}

async function waitForAddon(config: Config, aws: AwsClients, log: Log): Promise<void> {
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  // Seconds between polls; real add-ons take about a minute, so polling faster buys nothing.
  const minDelay = Math.max(1, Math.round(5 * delayScale()));
  const maxDelay = Math.max(minDelay, Math.round(15 * delayScale()));
  await log.group(`Wait for add-on ${AGENT_ADDON}`, async () => {
    const ticker = setInterval(
      () => log.info(`still waiting for ${AGENT_ADDON} to become ACTIVE (${elapsed()})`),
      Math.max(1000, 10_000 * delayScale()), // at least a second apart, however small the test time scale
    );
    try {
      await eks.waitAddonActive(
        aws.eks,
        config.clusterName,
        AGENT_ADDON,
        config.waitTimeoutSeconds,
        minDelay,
        maxDelay,
      );
      log.info(`${AGENT_ADDON} is ACTIVE (after ${elapsed()})`);
    } catch {
      const addon = await eks.describeAddon(aws.eks, config.clusterName, AGENT_ADDON);
      if (addon && addon.status !== 'CREATING' && addon.status !== 'UPDATING')
        throw new RunError(addonFailure(config.clusterName, addon));
      throw new RunError(
        `Add-on ${AGENT_ADDON} in cluster ${config.clusterName} is still ${addon?.status ?? 'missing'} ` +
          `after ${config.waitTimeoutSeconds}s ("wait-timeout"); rerun to keep waiting.`,
      );
    } finally {
      clearInterval(ticker);
    }
  });
}
