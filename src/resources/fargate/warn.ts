// EKS Pod Identity does not give credentials to pods on Fargate (containers-roadmap #2274): a Pod Identity binding
// whose namespace a Fargate profile selects is warned about before anything is bound. Pure.
import type { BindingConfig } from '../../inputs/config.js';

export interface FargateProfile {
  name: string;
  selectors: { namespace: string; labels: Record<string, string> }[];
}

/** Fargate selectors accept `*` (any characters) and `?` (one character). */
const matches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

export function fargateWarnings(b: BindingConfig, profiles: readonly FargateProfile[]): string[] {
  if (b.mode !== 'pod-identity' || b.state !== 'present') return [];
  const who = `${b.namespace}/${b.serviceAccount}`;
  return profiles.flatMap((p) =>
    p.selectors
      .filter((s) => matches(s.namespace, b.namespace))
      .map((s) => {
        const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`);
        const which = labels.length ? `only pods labelled ${labels.join(', ')} run there` : 'all its pods run there';
        return (
          `Fargate profile "${p.name}" of cluster ${b.clusterName} selects namespace ${b.namespace} (${which}): ` +
          `EKS Pod Identity gives pods on Fargate no credentials, so those pods of ${who} will get none. ` +
          'Use mode: irsa for them.'
        );
      }),
  );
}
