// The shape of a policy preset: data written from what the controller's upstream project documents, one JSON file
// per preset in ./data (src/presets/data/<name>.json). The data is checked against this shape when it is loaded
// (shape.ts), so a malformed file fails the build's tests, not a user's run.
//
// Strings anywhere in `awsManagedPolicies`, `document` and parameter defaults may hold placeholders:
//   ${partition} ${region} ${account-id} ${cluster-name}   the binding's partition, region, account and cluster
//   ${param:<name>}       as a whole string inside an array (Resource, NotResource, a condition's value list), or as
//                         the whole string value of Resource/NotResource/a condition value: the parameter's values
//                         (the given ones, else its `default`), spliced into the list
//   ${param:<name>}<tail> the same, with <tail> appended to each value (`${param:bucket-arns}/*` = the objects of
//                         each bucket)
// A statement with `"ifParam": "<name>"` is kept only when the user gave that parameter (the marker itself is
// removed), for the statements upstream adds only when the user has the thing (e.g. the EBS CSI driver's KMS grants
// when the volumes are encrypted with customer keys). A document left with no statement is no document.
// An optional parameter without a default may be used only in such statements or in a `given` variant.
// Placeholders also fill object keys (condition keys such as `aws:ResourceTag/kubernetes.io/cluster/${cluster-name}`);
// IAM policy variables (`${aws:username}`) have a colon and are left as they are.
// A variant (see PresetVariant) replaces the top level's awsManagedPolicies and document when its `when` matches.
// An expanded document over IAM's 6,144 characters (without white space) is reported by checkPresetFor.

/** One IAM statement, as JSON (plus the `ifParam` marker in the data, never in an expanded document). */
export type PresetStatement = Record<string, unknown>;

/** An IAM policy document. A type alias (not an interface) so it is assignable to the program's PolicyDocument. */
export type PresetDocument = { Version: '2012-10-17'; Statement: PresetStatement[] };

/**
 * `arn-list`: ARNs of one AWS service and resource type (`arn:<partition>:<service>:<region>:<account>:<resource>…`);
 * `resource` is the resource type the ARN's resource part starts with (`hostedzone/`, `secret:`), except for
 * the untyped S3 buckets (`bucket`) and SQS queues (`queue`), whose resource part is the name alone.
 * `boolean`: `true` or `false`.
 */
export type PresetParameter =
  | {
      kind: 'arn-list';
      service: string;
      resource: string;
      required: boolean;
      default?: string[];
      description: string;
    }
  | { kind: 'boolean'; required: false; default: boolean; description: string };

/**
 * A replacement of the top level's policies when every parameter named in `when` matches: a boolean parameter that
 * has that value, or `"given"` for a parameter the user gave (e.g. a managed policy that cannot be scoped, replaced by
 * a scoped document when the user names the resources).
 */
export interface PresetVariant {
  when: Record<string, boolean | 'given'>;
  awsManagedPolicies?: string[];
  document?: PresetDocument;
}

export interface PresetUpstream {
  /** owner/name of the upstream repository (or the AWS service whose documentation is the source) */
  project: string;
  /** the upstream release (tag) the policy was written from */
  version: string;
  /** URL of the upstream document at that version */
  source: string;
  /** where and why the preset differs from the upstream text (scoping added, statements merged), for maintainers */
  notes?: string;
}

export interface PresetData {
  name: string;
  /** one short line for the README table */
  purpose: string;
  upstream: PresetUpstream;
  parameters: Record<string, PresetParameter>;
  /** the AWS managed policies upstream names, attached as they are */
  awsManagedPolicies?: string[];
  /** the upstream policy, made into a customer-managed policy `<role name>-<preset>` */
  document?: PresetDocument;
  variants?: PresetVariant[];
}

/** A preset as the user asked for it: its name and parameters, as parsed from the input. */
export interface PresetRequest {
  name: string;
  params: Record<string, string[]>;
}

/** Where the binding is: fills the placeholders. */
export interface PresetContext {
  partition: string;
  region: string;
  accountId: string;
  clusterName: string;
}

/** A preset made concrete for one binding: what to attach and what to make. */
export interface ExpandedPreset {
  name: string;
  version: string;
  source: string;
  awsManagedPolicyArns: string[];
  document?: PresetDocument;
}

/** What the README table and the job summary show of a preset. */
export type PresetInfo = Pick<PresetData, 'name' | 'purpose' | 'upstream' | 'parameters'>;
