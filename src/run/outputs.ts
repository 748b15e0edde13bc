// The action's outputs: `bindings` (every binding, in input order) and `changes` on every run; the single
// outputs (role-arn, association-id/arn, oidc-provider-arn) when the run applies exactly one binding.
import type { AssociationRef } from '../aws/eks.js';
import { bindingKey, type BindingKey, type RunConfig } from '../inputs/config.js';
import type { OutputName } from '../inputs/spec.js';
import type { Proof } from '../resources/credentials/kind.js';
import type { RunPlan } from '../core/planning.js';
import { proofOutput } from './proofs.js';
import { isFailed, type RunState } from '../core/state.js';

type Outputs = Partial<Record<OutputName, string>>;

export function outputsOf(
  run: RunConfig,
  plan: RunPlan,
  final: RunState,
  created: Map<BindingKey, AssociationRef>,
  proofs: ReadonlyMap<BindingKey, Proof> = new Map(),
): Outputs {
  const changed = (k: BindingKey) => plan.changes.some((c) => c.serves.includes(k));
  const perBinding = run.bindings.map((b) => {
    const key = bindingKey(b);
    const resolved = plan.resolved.get(key);
    const own = final.bindings.get(key);
    const association = created.get(key) ?? (own && !isFailed(own) ? own.associations?.[0] : undefined);
    const roleArn = resolved?.roleArn ?? (b.role.kind === 'arn' ? b.role.arn : '');
    const out: Record<string, string> = {
      'cluster-name': b.clusterName,
      namespace: b.namespace,
      'service-account': b.serviceAccount,
      mode: b.mode,
      state: b.state,
      'role-arn': roleArn,
      changed: String(changed(key)),
    };
    if (b.mode === 'pod-identity') {
      out['association-id'] = association?.associationId ?? '';
      out['association-arn'] = association?.associationArn ?? '';
      if (b.targetRoleArn) out['external-id'] = association?.externalId ?? '';
    } else out['oidc-provider-arn'] = resolved?.providerArn ?? '';
    const error = plan.failures.get(key);
    if (error) out.error = error.replace(/\s*\n\s*/g, ' ');
    return out;
  });
  const outputs: Outputs = {
    changed: String(plan.changes.length > 0),
    changes: JSON.stringify(
      plan.changes.map(({ resource, action, detail, binding }) => ({ resource, action, detail, binding })),
    ),
    bindings: JSON.stringify(
      perBinding.map((out, i) => {
        const b = run.bindings[i]!;
        const proof = proofs.get(bindingKey(b));
        return proof ? { ...out, credentials: proofOutput(proof, b.state) } : out;
      }),
    ),
  };
  const [only] = perBinding;
  if (perBinding.length === 1 && only) {
    outputs['role-arn'] = only['role-arn'];
    for (const name of ['association-id', 'association-arn', 'oidc-provider-arn', 'external-id'] as const)
      if (only[name] !== undefined) outputs[name] = only[name];
  }
  return outputs;
}
