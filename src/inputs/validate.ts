// Field validators. Each returns the parsed value, or throws InputError whose message is one
// sentence naming the input and saying what is expected. Pure: no I/O except where noted.
import { REGION_RE, parsePolicyArn, parseRoleArn, type Partition } from '../arn.js';
import { OWNERSHIP_TAG_COUNT, PROVENANCE_TAG_COUNT, TAG_PREFIX } from '../core/ownership.js';
import { AGENT_ADDON } from '../resources/addon/kind.js';
import type { InputName } from './spec.js';

export class InputError extends Error {
  /**
   * @param input the input at fault
   * @param detail the rest of the sentence, after `Input "<label>"`
   * @param label where the value was given: the input itself, or a manifest item's key (`bindings[3].role-arn`)
   */
  constructor(
    readonly input: InputName,
    readonly detail: string,
    readonly label: string = input,
  ) {
    super(`Input "${label}" ${detail}`);
  }

  /** The same problem, said of the value given at `label` (a `bindings` item's key). */
  at(label: string): InputError {
    return label === this.label ? this : new InputError(this.input, this.detail, label);
  }
}

const show = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);

export function clusterName(v: string): string {
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(v))
    throw new InputError(
      'cluster-name',
      'must be an EKS cluster name (1-100 letters, digits, "-" or "_", starting with a letter or digit), ' +
        `got ${show(v)}.`,
    );
  return v;
}

export function region(v: string): string {
  if (!REGION_RE.test(v))
    throw new InputError('aws-region', `must be an AWS region such as "us-east-1", got ${show(v)}.`);
  return v;
}

export function mode(v: string): 'pod-identity' | 'irsa' {
  const m = v.trim().toLowerCase();
  if (m === 'pod-identity' || m === 'irsa') return m;
  throw new InputError('mode', `must be "pod-identity" or "irsa", got ${show(v)}.`);
}

// Kubernetes: namespaces are DNS-1123 labels, service accounts DNS-1123 subdomains.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export function namespace(v: string): string {
  if (v.length > 63 || !DNS1123_LABEL.test(v))
    throw new InputError(
      'namespace',
      'must be a Kubernetes namespace name (DNS-1123 label: at most 63 lowercase letters, digits or "-", ' +
        `starting and ending with a letter or digit), got ${show(v)}.`,
    );
  return v;
}

export function serviceAccount(v: string): string {
  if (v.length > 253 || !v.split('.').every((part) => DNS1123_LABEL.test(part)))
    throw new InputError(
      'service-account',
      'must be a Kubernetes service account name (DNS-1123 subdomain: at most 253 lowercase letters, digits, ' +
        `"-" or ".", starting and ending with a letter or digit), got ${show(v)}.`,
    );
  return v;
}

export function roleName(v: string): string {
  if (!/^[\w+=,.@-]{1,64}$/.test(v))
    throw new InputError('role-name', `must be an IAM role name (1-64 letters, digits or "+=,.@_-"), got ${show(v)}.`);
  return v;
}

export function roleArnInput(
  v: string,
  partition: Partition | undefined,
  input: 'role-arn' | 'target-role-arn' = 'role-arn',
) {
  const arn = parseRoleArn(v);
  if (!arn)
    throw new InputError(
      input,
      `must be an IAM role ARN such as "arn:aws:iam::123456789012:role/my-role", got ${show(v)}.`,
    );
  if (partition && arn.partition !== partition)
    throw new InputError(input, `is in partition "${arn.partition}" but the region is in "${partition}".`);
  return arn;
}

function policyArn(input: InputName, v: string, partition: Partition | undefined): string {
  const arn = parsePolicyArn(v);
  if (!arn)
    throw new InputError(
      input,
      `must hold IAM policy ARNs such as "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", got ${show(v)}.`,
    );
  if (partition && arn.partition !== partition)
    throw new InputError(input, `has ${show(v)} in partition "${arn.partition}" but the region is in "${partition}".`);
  return v;
}

/** IAM's hard limit on managed policies per role (the default quota is 10, raisable to 20). */
const MAX_MANAGED_POLICIES = 20;

export function policyArns(v: string, partition: Partition | undefined): string[] {
  return policyArnList(splitList(v), partition);
}

/** Policy ARNs given one by one (a `bindings` item's YAML list). */
export function policyArnList(list: readonly string[], partition: Partition | undefined): string[] {
  const arns = [...new Set(list.map((s) => s.trim()).filter(Boolean))].map((a) =>
    policyArn('policy-arns', a, partition),
  );
  if (arns.length > MAX_MANAGED_POLICIES)
    throw new InputError(
      'policy-arns',
      `lists ${arns.length} policies; IAM allows at most ${MAX_MANAGED_POLICIES} managed policies on a role.`,
    );
  return arns;
}

export function permissionsBoundary(v: string, partition: Partition | undefined): string {
  return policyArn('permissions-boundary', v, partition);
}

/** Items separated by newlines or commas; blanks and surrounding spaces dropped. */
function splitList(v: string): string[] {
  return v
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

// IAM and EKS tag rules: key 1-128, value 0-256, letters/digits/spaces and _ . : / = + - @; no "aws:" keys.
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const EKS_POD_IAM_TAGS = OWNERSHIP_TAG_COUNT + PROVENANCE_TAG_COUNT;
const MAX_TAGS = 50 - EKS_POD_IAM_TAGS;

export function tags(v: string): Record<string, string> {
  return tagLines(splitList(v));
}

/** `key=value` items given one by one (a `bindings` item's YAML list). */
export function tagLines(lines: readonly string[]): Record<string, string> {
  const entries = lines
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item): [string, string] => {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new InputError('tags', `must be key=value lines, got ${show(item)}.`);
      return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
    });
  return tagEntries(entries);
}

/** Tags as key/value pairs (a `bindings` item's YAML map, or parsed lines). */
export function tagEntries(entries: readonly (readonly [string, string])[]): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [rawKey, rawValue] of entries) {
    const key = rawKey.trim();
    const value = rawValue.trim();
    if (!key) throw new InputError('tags', 'has an empty key.');
    if (key.length > 128 || !TAG_CHARS.test(key))
      throw new InputError('tags', `has an invalid key ${show(key)}: 1-128 letters, digits, spaces or "_.:/=+-@".`);
    if (value.length > 256 || !TAG_CHARS.test(value))
      throw new InputError(
        'tags',
        `has an invalid value for ${show(key)}: at most 256 letters, digits, spaces or "_.:/=+-@".`,
      );
    if (/^aws:/i.test(key))
      throw new InputError('tags', `has key ${show(key)}: keys starting with "aws:" are reserved by AWS.`);
    if (key.toLowerCase().startsWith(TAG_PREFIX))
      throw new InputError(
        'tags',
        `has key ${show(key)}: keys starting with "${TAG_PREFIX}" are set by eks-pod-iam itself.`,
      );
    if (seen.has(key.toLowerCase())) throw new InputError('tags', `has key ${show(key)} more than once.`);
    seen.add(key.toLowerCase());
    out[key] = value;
  }
  if (seen.size > MAX_TAGS)
    throw new InputError(
      'tags',
      `has ${seen.size} tags; at most ${MAX_TAGS} are allowed ` +
        `(IAM's 50 less the ${EKS_POD_IAM_TAGS} eks-pod-iam adds: ownership and provenance).`,
    );
  return out;
}

export function boolean(input: InputName, v: string): boolean {
  const b = v.trim().toLowerCase();
  if (b === 'true') return true;
  if (b === 'false') return false;
  throw new InputError(input, `must be "true" or "false", got ${show(v)}.`);
}

export function waitTimeout(v: string): number {
  const s = v.trim();
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 86400)
    throw new InputError('wait-timeout', `must be a whole number of seconds from 1 to 86400, got ${show(v)}.`);
  return Number(s);
}

export function audience(v: string): string {
  if (v.length > 255 || !/^[\x21-\x7e]+$/.test(v) || v.includes(','))
    throw new InputError(
      'audience',
      `must be an OIDC client ID (1-255 printable characters, no spaces or commas), got ${show(v)}.`,
    );
  return v;
}

export function state(v: string): 'present' | 'absent' {
  const s = v.trim().toLowerCase();
  if (s === 'present' || s === 'absent') return s;
  throw new InputError('state', `must be "present" or "absent", got ${show(v)}.`);
}

/** IAM customer-managed policy names: 1-128 of letters, digits and "+=,.@_-". */
export function managedPolicyName(v: string): string {
  if (!/^[\w+=,.@-]{1,128}$/.test(v))
    throw new InputError(
      'managed-policy-name',
      `must be an IAM policy name (1-128 letters, digits or "+=,.@_-"), got ${show(v)}.`,
    );
  return v;
}

/** EKS add-on names: AWS's (`aws-ebs-csi-driver`) and marketplace ones (`vendor_product`), 1-100 characters. */
export function addon(v: string): string {
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(v))
    throw new InputError(
      'addon',
      `must be an EKS add-on name such as "aws-ebs-csi-driver" (letters, digits, "-" or "_"), got ${show(v)}.`,
    );
  if (v === AGENT_ADDON)
    throw new InputError('addon', `cannot be "${v}": the Pod Identity agent has no service account to bind.`);
  return v;
}

export function proofMethod(v: string): 'none' | 'exchange' | 'pod' {
  const m = v.trim().toLowerCase();
  if (m === 'none' || m === 'exchange' || m === 'pod') return m;
  throw new InputError('verify-credentials', `must be "none", "exchange" or "pod", got ${show(v)}.`);
}

/** A container image reference: registry/repository[:tag][@digest], no spaces (what a pod spec accepts). */
export function probeImage(v: string): string {
  if (v.length > 512 || !/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(v) || /[:@]$/.test(v))
    throw new InputError(
      'probe-image',
      `must be a container image such as "public.ecr.aws/aws-cli/aws-cli:latest", got ${show(v)}.`,
    );
  return v;
}
