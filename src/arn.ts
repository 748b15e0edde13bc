// ARNs and partitions. Every ARN the tool builds goes through here so that
// China and GovCloud clusters get `aws-cn` / `aws-us-gov` ARNs, never `aws`.

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

const PARTITION_RE = '(aws|aws-cn|aws-us-gov)';

/** Region shape: us-east-1, eu-central-2, cn-north-1, us-gov-west-1, ap-southeast-5 ... */
export const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Which partition a region is in; undefined for partitions we do not support (ISO regions). */
export function partitionOfRegion(region: string): Partition | undefined {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (/^[a-z]{2}-iso/.test(region)) return undefined;
  return 'aws';
}

/** The account of an ARN (its fifth field; empty for ARNs without one). */
export const accountOf = (arn: string) => arn.split(':')[4] ?? '';

export interface RoleArn {
  arn: string;
  partition: Partition;
  accountId: string;
  path: string; // "/" or "/a/b/"
  name: string;
}

const ROLE_ARN = new RegExp(`^arn:${PARTITION_RE}:iam::(\\d{12}):role(/(?:[\\x21-\\x7e]+/)?)?([\\w+=,.@-]{1,64})$`);
const POLICY_ARN = new RegExp(`^arn:${PARTITION_RE}:iam::(\\d{12}|aws):policy/(?:[\\x21-\\x7e]*/)?[\\w+=,.@-]{1,128}$`);

export function parseRoleArn(arn: string): RoleArn | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  return { arn, partition: m[1] as Partition, accountId: m[2]!, path: m[3] ?? '/', name: m[4]! };
}

export function parsePolicyArn(arn: string): { partition: Partition; accountId: string } | undefined {
  const m = POLICY_ARN.exec(arn);
  return m ? { partition: m[1] as Partition, accountId: m[2]! } : undefined;
}

/**
 * The name of a role given by ARN (`arn:…:role/<path/><name>` → `<name>`): the one place a role name is cut from an
 * ARN. A string that is not a role ARN gives its last `/` segment (what IAM calls the role by).
 */
export function roleNameOf(arn: string): string {
  return parseRoleArn(arn)?.name ?? arn.split('/').pop() ?? arn;
}

export function roleArn(partition: Partition, accountId: string, name: string, path = '/'): string {
  return `arn:${partition}:iam::${accountId}:role${path}${name}`;
}

/** A customer-managed policy (path `/`). */
export function policyArn(partition: Partition, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${name}`;
}

/** `https://oidc.eks.us-east-1.amazonaws.com/id/ABC` → `oidc.eks.us-east-1.amazonaws.com/id/ABC` (the condition-key prefix). */
export function issuerHostPath(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, '').replace(/\/+$/, '');
}

export function oidcProviderArn(partition: Partition, accountId: string, issuerUrl: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerHostPath(issuerUrl)}`;
}

export function clusterArn(partition: Partition, region: string, accountId: string, cluster: string): string {
  return `arn:${partition}:eks:${region}:${accountId}:cluster/${cluster}`;
}
