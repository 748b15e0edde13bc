// Field validation with the messages of k8s.io/apimachinery/pkg/util/validation, so 422 responses look real.
import type { StatusCause } from './errors.js';
import type { KubeObject } from './store.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const full = (re: string) => new RegExp(`^${re}$`);

/** validation.RegexError: the rule, examples of valid values and the regular expression, as apimachinery says it. */
const regexError = (msg: string, re: string, ...examples: string[]) =>
  `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${re}')`;
const ALNUM_ENDS = 'and must start and end with an alphanumeric character';
const SUBDOMAIN_MSG = regexError(
  `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', ${ALNUM_ENDS}`,
  DNS1123_SUBDOMAIN,
  'example.com',
);
const LABEL_MSG = regexError(
  `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', ${ALNUM_ENDS}`,
  DNS1123_LABEL,
  'my-name',
  '123-abc',
);
const QNAME_RULE = regexError(
  `must consist of alphanumeric characters, '-', '_' or '.', ${ALNUM_ENDS}`,
  QUALIFIED_NAME,
  'MyName',
  'my.name',
  '123-abc',
);
const QNAME_MSG = `name part ${QNAME_RULE}`;
const LVALUE_MSG = regexError(
  `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', ${ALNUM_ENDS}`,
  LABEL_VALUE,
  'MyValue',
  'my_value',
  '12345',
);

const bad = (field: string, value: unknown, msg: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${msg}`,
  field,
});

/** Namespaces are DNS-1123 labels (≤ 63); every other kind served here is a DNS-1123 subdomain (≤ 253). */
export function validateName(name: string, isLabel: boolean, field = 'metadata.name'): StatusCause[] {
  const max = isLabel ? 63 : 253;
  const out: StatusCause[] = [];
  if (name.length > max) out.push(bad(field, name, `must be no more than ${max} characters`));
  if (!full(isLabel ? DNS1123_LABEL : DNS1123_SUBDOMAIN).test(name))
    out.push(bad(field, name, isLabel ? LABEL_MSG : SUBDOMAIN_MSG));
  return out;
}

/** Label and annotation keys: optional DNS-subdomain prefix + "/" + qualified name (≤ 63). */
function validateKey(key: string, field: string): StatusCause[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  const out: StatusCause[] = [];
  if (parts.length > 2)
    return [
      bad(
        field,
        key,
        `a qualified name ${QNAME_RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ),
    ];
  if (parts.length === 2 && (parts[0] === '' || !full(DNS1123_SUBDOMAIN).test(parts[0]!)))
    out.push(bad(field, key, `prefix part ${SUBDOMAIN_MSG}`));
  if (name === '')
    out.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(key)}: name part must be non-empty`,
      field,
    });
  else if (name.length > 63) out.push(bad(field, key, 'name part must be no more than 63 characters'));
  else if (!full(QUALIFIED_NAME).test(name)) out.push(bad(field, key, QNAME_MSG));
  return out;
}

export function validateMeta(obj: KubeObject, isLabelName: boolean): StatusCause[] {
  const m = obj.metadata;
  const out: StatusCause[] = [];
  if (!m.name)
    out.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  else out.push(...validateName(m.name, isLabelName));
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    out.push(...validateKey(k, 'metadata.labels'));
    if (typeof v !== 'string' || v.length > 63)
      out.push(bad('metadata.labels', v, 'must be no more than 63 characters'));
    else if (!full(LABEL_VALUE).test(v)) out.push(bad('metadata.labels', v, LVALUE_MSG));
  }
  for (const k of Object.keys(m.annotations ?? {})) out.push(...validateKey(k.toLowerCase(), 'metadata.annotations'));
  const size = Object.entries(m.annotations ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  if (size > 262144)
    out.push({
      reason: 'FieldValueTooLong',
      message: 'Too long: must have at most 262144 bytes',
      field: 'metadata.annotations',
    });
  return out;
}

/** Workload checks the real server makes that a caller can trip over: selector required and matching the template. */
export function validateWorkload(obj: KubeObject): StatusCause[] {
  const spec = (obj.spec ?? {}) as {
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: unknown[] } };
  };
  const out: StatusCause[] = [];
  const labels = spec.template?.metadata?.labels ?? {};
  if (!spec.selector) out.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
  else if (!Object.entries(spec.selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v))
    out.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
      field: 'spec.template.metadata.labels',
    });
  if (!spec.template?.spec?.containers?.length)
    out.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers' });
  return out;
}

export function validatePod(obj: KubeObject): StatusCause[] {
  const containers = (obj.spec?.containers as unknown[] | undefined) ?? [];
  return containers.length
    ? []
    : [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }];
}

const goMap = (m: Record<string, string>) =>
  `map[string]string{${Object.entries(m)
    .map(([k, v]) => `"${k}":"${v}"`)
    .join(', ')}}`;

/**
 * admissionregistration/v1 checks (pkg/apis/admissionregistration/validation) that a hand-written webhook trips over.
 */
export function validateWebhooks(obj: KubeObject): StatusCause[] {
  const hooks = (obj.webhooks ?? []) as {
    name?: string;
    sideEffects?: string;
    admissionReviewVersions?: string[];
    clientConfig?: { url?: string; service?: unknown };
  }[];
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  hooks.forEach((h, i) => {
    const f = (k: string) => `webhooks[${i}].${k}`;
    const name = h.name ?? '';
    if (!name) out.push({ reason: 'FieldValueRequired', message: 'Required value', field: f('name') });
    else if (name.split('.').length < 3 || validateName(name, false).length)
      out.push(bad(f('name'), name, 'should be a domain with at least three segments separated by dots'));
    else if (seen.has(name))
      out.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: ${JSON.stringify(name)}`,
        field: f('name'),
      });
    seen.add(name);
    if (!h.sideEffects)
      out.push({
        reason: 'FieldValueRequired',
        message: 'Required value: must specify one of None, NoneOnDryRun',
        field: f('sideEffects'),
      });
    if (!h.admissionReviewVersions?.length)
      out.push({
        reason: 'FieldValueRequired',
        message: 'Required value: must specify one of v1, v1beta1',
        field: f('admissionReviewVersions'),
      });
    if (!h.clientConfig?.url === !h.clientConfig?.service)
      out.push({
        reason: 'FieldValueRequired',
        message: 'Required value: exactly one of url or service is required',
        field: f('clientConfig'),
      });
  });
  return out;
}
