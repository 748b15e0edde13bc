// One run: observe → plan → (dry run: stop) → apply → outputs. The platform shells call this.
import { applyOp, delayScale, type ApplyContext } from './apply/ops.js';
import { runGraph } from './apply/run-graph.js';
import { AwsClients } from './aws/clients.js';
import * as eks from './aws/eks.js';
import * as iam from './aws/iam.js';
import { RunError } from './errors.js';
import type { Config } from './inputs/config.js';
import type { OutputName } from './inputs/spec.js';
import { observe } from './observe.js';
import type { Log } from './platform/types.js';
import { plan, PlanError } from './plan/index.js';
import { addonFailure, AGENT_ADDON } from './plan/pod-identity.js';
import { trustPolicySize } from './plan/trust.js';
import type { Change, Plan } from './plan/types.js';
import { summarize } from './report.js';

export interface RunResult {
  outputs: Partial<Record<OutputName, string>>;
  summary: string;
  changes: Change[];
}

export async function reconcile(config: Config, log: Log, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  const aws = new AwsClients(config.region);
  try {
    const { observed, kube } = await log.group('Observe', () => observe(config, aws, env));
    let p: Plan;
    try {
      p = plan(config, observed);
    } catch (e) {
      throw e instanceof PlanError ? new RunError(e.message) : e;
    }
    for (const w of p.warnings) log.warn(w);
    await checkTrustQuota(p, aws);

    const verb = config.dryRun ? 'Would' : 'Will';
    log.info(p.changes.length === 0 ? 'Everything already matches: nothing to change.' : `${verb} make ${p.changes.length} change(s):`);
    for (const c of p.changes) log.info(`  - ${c.resource} ${c.action}: ${c.detail}`);

    const ctx: ApplyContext = { config, aws, kube, log, result: {} };
    if (!config.dryRun) {
      await log.group('Apply', () =>
        runGraph(p.changes, async (c) => {
          await applyOp(c.op, ctx);
          log.notice(`${c.resource} ${c.action}: ${c.detail}`);
        }),
      );
      if (p.waitForAddon && !ctx.result.addonActive) await waitForAddon(config, aws, log);
    }

    const association = ctx.result.association ?? observed.associations?.[0];
    const outputs: RunResult['outputs'] = {
      'role-arn': p.roleArn,
      changed: String(p.changes.length > 0),
      changes: JSON.stringify(p.changes.map(({ resource, action, detail }) => ({ resource, action, detail }))),
    };
    if (config.mode === 'pod-identity') {
      outputs['association-id'] = association?.associationId ?? '';
      outputs['association-arn'] = association?.associationArn ?? '';
    } else outputs['oidc-provider-arn'] = p.oidcProviderArn ?? '';
    return { outputs, changes: p.changes, summary: summarize(config, p, outputs) };
  } finally {
    await aws.destroy();
  }
}

/** A trust policy over the account's quota is refused by IAM; say so before anything is written. */
async function checkTrustQuota(p: Plan, aws: AwsClients): Promise<void> {
  const update = p.changes.find((c) => c.op.kind === 'update-trust');
  if (!update || update.op.kind !== 'update-trust') return;
  const size = trustPolicySize(update.op.trust);
  const quota = await iam.trustPolicyQuota(aws.iam);
  if (quota !== undefined && size > quota)
    throw new RunError(
      `The trust policy of role ${update.op.roleName} would be ${size} bytes, over this account's AssumeRolePolicySizeQuota of ${quota}: ` +
        'remove statements that are no longer used, bind this service account to its own role, or ask AWS to raise the quota (up to 8192).',
    );
}

async function waitForAddon(config: Config, aws: AwsClients, log: Log): Promise<void> {
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  // Seconds between polls; real add-ons take about a minute, so polling faster buys nothing.
  const minDelay = Math.max(1, Math.round(5 * delayScale()));
  const maxDelay = Math.max(minDelay, Math.round(15 * delayScale()));
  await log.group(`Wait for add-on ${AGENT_ADDON}`, async () => {
    const ticker = setInterval(() => log.info(`still waiting for ${AGENT_ADDON} to become ACTIVE (${elapsed()})`), 10_000 * delayScale());
    try {
      await eks.waitAddonActive(aws.eks, config.clusterName, AGENT_ADDON, config.waitTimeoutSeconds, minDelay, maxDelay);
      log.info(`${AGENT_ADDON} is ACTIVE (after ${elapsed()})`);
    } catch {
      const addon = await eks.describeAddon(aws.eks, config.clusterName, AGENT_ADDON);
      if (addon && addon.status !== 'CREATING' && addon.status !== 'UPDATING') throw new RunError(addonFailure(config.clusterName, addon));
      throw new RunError(`Add-on ${AGENT_ADDON} in cluster ${config.clusterName} is still ${addon?.status ?? 'missing'} after ${config.waitTimeoutSeconds}s ("wait-timeout"); rerun to keep waiting.`);
    } finally {
      clearInterval(ticker);
    }
  });
}
