// Checks a preset request against its data before anything is called: the preset exists, every parameter is known,
// required ones are given, ARNs are of the parameter's service and resource type, booleans are true/false.
import type { PresetData, PresetParameter, PresetRequest } from './types.js';

const PARTITION = '(?:aws|aws-cn|aws-us-gov)';
const REGION = '(?:[a-z]{2}(?:-[a-z]+)+-\\d{1,2}|\\*)?';
const ACCOUNT = '(?:\\d{12}|\\*)?';
/** S3 buckets and SQS queues: the resource part is the name alone (no `/`, no `:`). */
const UNTYPED: Record<string, Set<string>> = { s3: new Set(['bucket']), sqs: new Set(['queue']) };
const NAME = '[A-Za-z0-9._*?-]+';
/** Services spoken letter by letter take "an" (an s3 bucket, an iam role). */
const AN = new Set(['s3', 'sqs', 'ssm', 'iam', 'ecr', 'aps', 'acm-pca', 'ec2', 'elasticloadbalancing', 'eks']);

export function checkWith(catalog: ReadonlyMap<string, PresetData>, req: PresetRequest): string | undefined {
  const data = catalog.get(req.name);
  if (!data) return `unknown preset "${req.name}" (known: ${[...catalog.keys()].join(', ')})`;
  const known = Object.keys(data.parameters);
  for (const [name, given] of Object.entries(req.params)) {
    const spec = data.parameters[name];
    if (!spec) return `"${req.name}": unknown parameter "${name}" (known: ${known.join(', ') || 'none'})`;
    const problem = checkValues(name, spec, given);
    if (problem) return `"${req.name}": ${problem}`;
  }
  const missing = known.find((name) => data.parameters[name]!.required && !req.params[name]);
  return missing ? `"${req.name}": "${missing}" is required` : undefined;
}

function checkValues(name: string, spec: PresetParameter, given: string[]): string | undefined {
  if (given.length === 0) return `"${name}" needs a value`;
  if (spec.kind === 'boolean') {
    const ok = given.length === 1 && /^(true|false)$/i.test(given[0]!);
    return ok ? undefined : `"${name}" must be true or false (got "${given.join(',')}")`;
  }
  const re = arnPattern(spec.service, spec.resource);
  const bad = given.find((v) => !re.test(v));
  if (bad === undefined) return undefined;
  const article = AN.has(spec.service) ? 'an' : 'a';
  return `"${name}" value "${bad}" is not ${article} ${spec.service} ${spec.resource} ARN`;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, the resource of the stated type. */
function arnPattern(service: string, resource: string): RegExp {
  const escaped = resource.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');
  const res = UNTYPED[service]?.has(resource) ? NAME : `${escaped}[/:][\\x21-\\x7e]+`;
  return new RegExp(`^arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${res}$`);
}
