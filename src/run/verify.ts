// Read-back checks (seed 001's "confirm" steps, automated): does the state actually give the pods the role?
// Pure: evaluated on an observation. `ok: undefined` means the check could not be made (and says why).
import type { Config } from '../inputs/config.js';
import { bindingFor, roleArnFor } from './plan.js';
import { INLINE_POLICY_NAME } from '../core/ownership.js';
import { parsePolicy, samePolicy, statementsOf } from '../core/policy-doc.js';
import { AGENT_ADDON } from '../resources/addon/plan.js';
import { ROLE_ARN_ANNOTATION } from '../resources/service-account/plan.js';
import { allows } from '../resources/role-trust/trust.js';
import type { Observed } from '../core/types.js';

export interface Check {
  name: string;
  ok: boolean | undefined;
  detail: string;
  /** About the cluster, not the binding: reported, but it does not fail the run. */
  advisory?: boolean;
}

export function verify(config: Config, observed: Observed): Check[] {
  const webhook = observed.webhook;
  const roleArn = roleArnFor(config, observed);
  const { binding, providerArn } = bindingFor(config, observed);
  const role = observed.role;
  const checks: Check[] = [];
  const check = (name: string, ok: boolean | undefined, detail: string, advisory = false) =>
    checks.push({ name, ok, detail, ...(advisory ? { advisory } : {}) });

  const trusted = !!role && statementsOf(parsePolicy(role.trust)).some((s) => allows(s, binding));
  check(
    'role trust',
    trusted,
    role
      ? `${role.name} ${trusted ? 'lets' : 'does not let'} ${binding.principal} assume it${subjectOf(binding.context)}`
      : `${config.role.name} does not exist`,
  );
  for (const arn of config.policyArns) check('policy attached', !!role?.attachedPolicyArns.includes(arn), arn);
  if (config.inlinePolicy)
    check(
      'inline policy',
      !!role?.inlinePolicy && samePolicy(role.inlinePolicy, config.inlinePolicy),
      `${INLINE_POLICY_NAME} on ${config.role.name}`,
    );

  if (config.mode === 'pod-identity') {
    const a = observed.associations?.[0];
    check(
      'association',
      !!a && a.roleArn === roleArn && !a.targetRoleArn,
      a
        ? `${a.associationId} → ${a.targetRoleArn ?? a.roleArn}`
        : `no association for ${config.namespace}/${config.serviceAccount}`,
    );
    if (config.installAgent)
      check(
        'agent add-on',
        observed.addon?.status === 'ACTIVE',
        `${AGENT_ADDON} is ${observed.addon?.status ?? 'missing'}`,
      );
  } else {
    const clientIds = observed.oidcProvider?.clientIds ?? [];
    check(
      'OIDC provider',
      clientIds.includes(config.audience),
      observed.oidcProvider ? `${providerArn} has client IDs ${clientIds.join(', ')}` : `${providerArn} does not exist`,
    );
    const sa = observed.serviceAccount;
    const annotation = sa?.annotations[ROLE_ARN_ANNOTATION];
    check(
      'service account annotation',
      sa ? annotation === roleArn : undefined,
      sa
        ? `${ROLE_ARN_ANNOTATION}=${annotation ?? '(none)'}`
        : `${config.namespace}/${config.serviceAccount} does not exist yet`,
    );
    const seen =
      webhook === undefined
        ? 'not readable with these credentials'
        : webhook
          ? 'pod-identity-webhook is installed'
          : 'no pod-identity-webhook MutatingWebhookConfiguration: pods will not get the role';
    check('pod identity webhook', webhook, seen, true);
  }
  return checks;
}

const subjectOf = (context: Record<string, string>) => {
  const sub = Object.entries(context).find(([k]) => k.endsWith(':sub'))?.[1];
  return sub ? ` as ${sub}` : '';
};

export const failed = (checks: Check[]) => checks.filter((c) => c.ok === false && !c.advisory);
export const advisories = (checks: Check[]) => checks.filter((c) => c.ok === false && c.advisory);
