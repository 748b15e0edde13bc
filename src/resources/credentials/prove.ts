// One binding's proof: attempts (the exchange, or a probe pod) repeated with backoff until they give the expected
// role's credentials (or, for `state: absent`, until they are refused), or until wait-timeout: IAM trust and
// associations take seconds to take effect, so an early refusal is propagation, not yet a failure.
import type { Config } from '../../inputs/config.js';
import { delayScale, sleep } from '../../time.js';
import { isRole, roleArnOfAssumed, type Attempt, type Proof } from './kind.js';

export interface ProofTarget {
  method: Proof['method'];
  config: Config;
  /** The role the pods must get: the target role when `target-role-arn` is set. */
  expectedRoleArn: string;
  attempt: () => Promise<Attempt>;
  /** Called once, on the first refusal, so the log shows why the run waits. */
  onWait?: (refusal: Extract<Attempt, { kind: 'refused' }>) => void;
}

/**
 * Unscaled backoff (EKS_POD_IAM_TIME_SCALE shrinks it): short, since propagation takes a few seconds; the exchange
 * is retried at least twice a second so the first success comes at most ~0.5 s after the change takes effect.
 */
const BACKOFF_MS = { exchange: { first: 250, factor: 1.5, max: 500 }, pod: { first: 1000, factor: 1.5, max: 5000 } };

const secondsSince = (start: number) => Math.round((Date.now() - start) / 100) / 10;

export async function prove(target: ProofTarget): Promise<Proof> {
  const { method, config } = target;
  const start = Date.now();
  const deadline = start + config.waitTimeoutSeconds * 1000 * delayScale();
  const backoff = BACKOFF_MS[method];
  let delay = backoff.first;
  let waited = false;
  for (;;) {
    const outcome = judge(await target.attempt(), target);
    if (outcome.kind === 'proven') return { method, ok: true, ...outcome.proof, seconds: secondsSince(start) };
    if (outcome.kind === 'fatal') return { method, ok: false, seconds: secondsSince(start), failure: outcome.message };
    if (!waited && target.onWait && outcome.refusal) target.onWait(outcome.refusal);
    waited = true;
    if (Date.now() + delay * delayScale() > deadline) {
      const seconds = secondsSince(start);
      return { method, ok: false, seconds, failure: outcome.failure(seconds) };
    }
    await sleep(delay);
    delay = Math.min(delay * backoff.factor, backoff.max);
  }
}

type Outcome =
  | { kind: 'proven'; proof: Pick<Proof, 'roleArn' | 'refused'> }
  | { kind: 'fatal'; message: string }
  | { kind: 'again'; refusal?: Extract<Attempt, { kind: 'refused' }>; failure: (seconds: number) => string };

/** What one attempt says about the proof. Pure. */
export function judge(attempt: Attempt, target: Pick<ProofTarget, 'config' | 'expectedRoleArn' | 'method'>): Outcome {
  const { config, expectedRoleArn, method } = target;
  if (attempt.kind === 'fatal') return { kind: 'fatal', message: attempt.message };
  const gotExpected = attempt.kind === 'credentials' && isRole(attempt.arn, expectedRoleArn);
  if (config.state === 'absent') {
    if (!gotExpected) return { kind: 'proven', proof: { refused: true } };
    return {
      kind: 'again',
      failure: (s) =>
        `Credentials of ${expectedRoleArn} are still issued to ${config.namespace}/${config.serviceAccount} ` +
        `${s}s after the removal (${method}): the removal has not taken effect (or something else still grants ` +
        'the role); rerun once it has.',
    };
  }
  if (gotExpected) return { kind: 'proven', proof: { roleArn: expectedRoleArn } };
  if (attempt.kind === 'credentials') {
    const got = roleArnOfAssumed(attempt.arn);
    const link =
      attempt.note ??
      (config.mode === 'irsa'
        ? 'the service account annotation (it names another role)'
        : config.targetRoleArn
          ? 'the association (EKS did not chain to the target role: its targetRoleArn is not in effect)'
          : 'the association (it names another role, or its update is not in effect yet)');
    const refusal = { kind: 'refused' as const, code: 'WrongRole', message: `got ${got}`, link };
    return {
      kind: 'again',
      refusal,
      failure: (s) =>
        `Credentials not proven after ${s}s (${method}): the pods get ${got}, not ${expectedRoleArn} — ` +
        `most likely broken: ${link}.`,
    };
  }
  return {
    kind: 'again',
    refusal: attempt,
    failure: (s) =>
      `Credentials not proven after ${s}s (${method}): ${attempt.code}: ${attempt.message} — ` +
      `most likely broken: ${attempt.link}.`,
  };
}
