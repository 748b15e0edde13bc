// Proof of credentials (`verify-credentials`): what one attempt and one binding's proof come to. The proof reads
// nothing back: it makes the exchange a pod makes (or runs a pod) and looks at the role the credentials belong to.
import type { ProofMethod } from '../../inputs/config.js';

/** The audience of the token the EKS webhook projects for Pod Identity (what EKS Auth accepts). */
export const POD_IDENTITY_AUDIENCE = 'pods.eks.amazonaws.com';
/** IRSA: the service account annotation that names the audience of the pods' token. */
export const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';
export const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** One attempt at getting credentials as the pods would. */
export type Attempt =
  /** Credentials were issued; `arn` is what sts:GetCallerIdentity answered with them (an assumed-role ARN). */
  | { kind: 'credentials'; arn: string; note?: string }
  /**
   * AWS (or the cluster's injection) refused: propagation may still fix it, so it is tried again until the
   * deadline. `code` and `message` are AWS's own; `link` names what is most likely broken.
   */
  | { kind: 'refused'; code: string; message: string; link: string }
  /** Trying again cannot help (a missing permission, an image that cannot be pulled): fails at once. */
  | { kind: 'fatal'; message: string };

/** One binding's proof, as the outputs and the summary show it. */
export interface Proof {
  method: Exclude<ProofMethod, 'none'>;
  ok: boolean;
  /** present: the role the credentials belong to (when any were issued). */
  roleArn?: string;
  /** absent: the exchange is refused now. */
  refused?: boolean;
  /** From the end of apply (for this binding) to the first success, or to giving up. */
  seconds: number;
  /** Why the proof failed: one line with AWS's code and message and the link most likely broken. */
  failure?: string;
}

/** The role an assumed-role ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) belongs to. */
export function roleOfAssumed(arn: string): { partition: string; account: string; name: string } | undefined {
  const m = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/** Does the assumed-role ARN belong to this role ARN (`arn:…:iam::<account>:role/<path/><name>`)? */
export function isRole(assumedArn: string, roleArn: string): boolean {
  const role = roleOfAssumed(assumedArn);
  const m = /^arn:[\w-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return !!role && !!m && role.account === m[1] && role.name === m[2];
}

/** The IAM role ARN of an assumed-role ARN (without its path, which the assumed-role ARN does not carry). */
export function roleArnOfAssumed(assumedArn: string): string {
  const role = roleOfAssumed(assumedArn);
  return role ? `arn:${role.partition}:iam::${role.account}:role/${role.name}` : assumedArn;
}
