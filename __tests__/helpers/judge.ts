// Independent clients for judging end states, in this process: the AWS SDK's own clients (not the program's
// AwsClients) pointed at moto, and plain HTTPS to the Kubernetes API server with a kubeconfig's credentials.
// They take the same arguments as the aws CLI and kubectl and answer in the shape those print, so a test reads
// as it did with the command-line tools (which stay for the emulators' own tests, helpers/clients.ts):
//   aws(emu, ['iam', 'get-role', '--role-name', 'r'])   -> { Role: { ..., AssumeRolePolicyDocument: {...} } }
//   kubectl(emu, 'demo', ['get', 'sa', 'api', '-n', 'apps', '-o', 'json'])
// What the CLI does that is mimicked: `--kebab-name value` to the operation's member (case-insensitive, from the
// SDK's schema), shorthand (`Key=a,Value=b`, `labels={tier=batch}`) and JSON for structures, lists and maps,
// space-separated list values, `--flag`/`--no-flag` booleans; every page of a paginated operation (the list
// members joined); IAM's URL-encoded policy documents decoded into objects; dates as ISO 8601 strings
// (`2026-01-02T03:04:05+00:00`); no $metadata. An error is thrown as `aws <args> failed: An error occurred
// (Code) when calling the Operation operation: message`.
import * as EKS from '@aws-sdk/client-eks';
import * as IAM from '@aws-sdk/client-iam';
import * as STS from '@aws-sdk/client-sts';
import { NormalizedSchema } from '@smithy/core/schema';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Emulators } from '../../emulators/index.js';

export { clearJournals, lateRequests, writes } from './clients.js';

const SERVICES = {
  iam: { module: IAM as Record<string, any>, Client: IAM.IAMClient },
  eks: { module: EKS as Record<string, any>, Client: EKS.EKSClient },
  sts: { module: STS as Record<string, any>, Client: STS.STSClient },
} as const;
type Service = keyof typeof SERVICES;

/** The aws CLI's answer to `aws <args>` (JSON output), from the SDK. */
export async function aws(emu: Emulators, args: string[], region = 'us-east-1'): Promise<any> {
  const r = await call(emu, args, region);
  if ('error' in r) throw new Error(`aws ${args.join(' ')} failed: ${r.error}`);
  return r.output;
}

/** Like aws, but returns the error text (as the CLI prints it) instead of throwing. */
export async function awsError(emu: Emulators, args: string[], region = 'us-east-1'): Promise<string> {
  const r = await call(emu, args, region);
  if (!('error' in r)) throw new Error(`aws ${args.join(' ')} unexpectedly succeeded`);
  return r.error;
}

/** The trust policy of a role, decoded as the aws CLI prints it. */
export async function trustOf(emu: Emulators, role: string): Promise<{ Statement: any[] }> {
  return (await aws(emu, ['iam', 'get-role', '--role-name', role])).Role.AssumeRolePolicyDocument;
}

async function call(emu: Emulators, args: string[], region: string): Promise<{ output: any } | { error: string }> {
  const [service, command, ...rest] = args;
  const svc = SERVICES[service as Service];
  if (!svc) throw new Error(`aws ${service}: only ${Object.keys(SERVICES).join(', ')} are judged in process`);
  const op = exportNamed(svc.module, command!.replace(/-/g, ''), '$');
  const opName = op[2] as string;
  const input = toInput(NormalizedSchema.of(op[4]), rest, args);
  const client = clientFor(emu, service as Service, region);
  try {
    const paginate = svc.module[`paginate${opName}`];
    if (paginate) {
      const joined: Record<string, unknown[]> = {};
      for await (const page of paginate({ client }, input))
        for (const [k, v] of Object.entries(page as object))
          if (Array.isArray(v)) joined[k] = [...(joined[k] ?? []), ...v];
      return { output: cliShape(service as Service, joined) };
    }
    const Command = svc.module[`${opName}Command`];
    const output = await client.send(new Command(input));
    delete output.$metadata;
    return { output: Object.keys(output).length ? cliShape(service as Service, output) : undefined };
  } catch (e) {
    const err = e as Error & { $metadata?: unknown };
    if (!err.$metadata) throw e;
    return { error: `\nAn error occurred (${err.name}) when calling the ${opName} operation: ${err.message}\n` };
  }
}

/** The export `<name><suffix>`, matched case-insensitively (the CLI's `open-id-connect` is `OpenIDConnect`). */
function exportNamed(module: Record<string, any>, name: string, suffix: string): any {
  const want = `${name}${suffix}`.toLowerCase();
  const key = Object.keys(module).find((k) => k.toLowerCase() === want);
  if (!key) throw new Error(`aws: no operation ${name}`);
  return module[key];
}

const clients = new WeakMap<Emulators, Map<string, any>>();
function clientFor(emu: Emulators, service: Service, region: string): any {
  let mine = clients.get(emu);
  if (!mine) clients.set(emu, (mine = new Map()));
  const key = `${service} ${region}`;
  let client = mine.get(key);
  if (!client) {
    const env = emu.programEnv(region);
    client = new SERVICES[service].Client({
      region,
      maxAttempts: 5, // the aws CLI v1's (legacy retry mode): a judge under injected throttling must get through
      endpoint: emu.aws.endpoint,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    });
    mine.set(key, client);
  }
  return client;
}

// --- Arguments, as the CLI reads them ---------------------------------------------------------------------------

function toInput(schema: NormalizedSchema, rest: string[], args: string[]): Record<string, unknown> {
  const members = new Map<string, [string, NormalizedSchema]>();
  for (const [name, member] of schema.structIterator()) members.set(name.toLowerCase(), [name, member]);
  const input: Record<string, unknown> = {};
  for (let i = 0; i < rest.length;) {
    const flag = rest[i++]!;
    if (!flag.startsWith('--')) throw new Error(`aws ${args.join(' ')}: unexpected ${flag}`);
    const values: string[] = [];
    while (i < rest.length && !rest[i]!.startsWith('--')) values.push(rest[i++]!);
    const bare = flag.slice(2).replace(/-/g, '').toLowerCase();
    const negated = !members.has(bare) && bare.startsWith('no') && members.has(bare.slice(2));
    const found = members.get(negated ? bare.slice(2) : bare);
    if (!found) throw new Error(`aws ${args.join(' ')}: the operation has no ${flag}`);
    const [name, member] = found;
    if (member.isBooleanSchema() && !values.length) input[name] = !negated;
    else if (member.isListSchema())
      input[name] = values.flatMap((v) => {
        const item = member.getValueSchema();
        if (v.startsWith('[')) return coerce(member, JSON.parse(v));
        return item.isStructSchema() || item.isMapSchema() ? [coerce(item, shorthandOrJson(v))] : v.split(',');
      });
    else if (values.length !== 1) throw new Error(`aws ${args.join(' ')}: ${flag} takes one value`);
    else
      input[name] = coerce(
        member,
        member.isStructSchema() || member.isMapSchema() ? shorthandOrJson(values[0]!) : values[0],
      );
  }
  return input;
}

/** A parsed argument value made the member's type (shorthand gives strings for numbers and booleans). */
function coerce(schema: NormalizedSchema, value: unknown): unknown {
  if (schema.isListSchema()) return (value as unknown[]).map((v) => coerce(schema.getValueSchema(), v));
  if (schema.isMapSchema())
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, coerce(schema.getValueSchema(), v)]));
  if (schema.isStructSchema()) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of schema.structIterator())
      if ((value as Record<string, unknown>)[name] !== undefined)
        out[name] = coerce(member, (value as Record<string, unknown>)[name]);
    return out;
  }
  if (schema.isBooleanSchema()) return value === true || value === 'true';
  if (schema.isNumericSchema()) return Number(value);
  if (schema.isTimestampSchema()) return new Date(value as string);
  return value;
}

function shorthandOrJson(text: string): unknown {
  return /^\s*[{[]/.test(text) && !/^\s*\{[^"]*=/.test(text) ? JSON.parse(text) : shorthand(text);
}

/** The CLI's shorthand: `a=1,b=x`, nested `{...}` structures and `[...]` lists. */
function shorthand(text: string): unknown {
  let i = 0;
  const value = (stop: string): unknown => {
    if (text[i] === '{') {
      i++;
      const v = pairs('}');
      i++;
      return v;
    }
    if (text[i] === '[') {
      i++;
      const items: unknown[] = [];
      while (i < text.length && text[i] !== ']') {
        items.push(value(',]'));
        if (text[i] === ',') i++;
      }
      i++;
      return items;
    }
    let s = '';
    while (i < text.length && !stop.includes(text[i]!)) s += text[i++];
    return s.trim();
  };
  const pairs = (end: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    while (i < text.length && text[i] !== end) {
      let key = '';
      while (text[i] !== '=') key += text[i++];
      i++;
      out[key.trim()] = value(`,${end}`);
      if (text[i] === ',') i++;
    }
    return out;
  };
  return pairs('');
}

// --- Answers, as the CLI prints them --------------------------------------------------------------------------------

/** IAM's policy documents, which botocore decodes (shape policyDocumentType) and the SDK leaves URL-encoded. */
const IAM_POLICY_DOCUMENTS = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Document']);

function cliShape(service: Service, value: unknown, key = ''): unknown {
  if (value instanceof Date) return isoDate(value);
  if (Array.isArray(value)) return value.map((v) => cliShape(service, v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cliShape(service, v, k)]));
  if (service === 'iam' && typeof value === 'string' && IAM_POLICY_DOCUMENTS.has(key))
    return JSON.parse(decodeURIComponent(value));
  return value;
}

/** Python's datetime.isoformat() of a UTC time: seconds, microseconds only when there are any, +00:00. */
function isoDate(d: Date): string {
  const [whole, ms] = d.toISOString().replace('Z', '').split('.');
  return `${whole}${ms && ms !== '000' ? `.${ms}000` : ''}+00:00`;
}

// --- Kubernetes, as kubectl answers -------------------------------------------------------------------------------

const KINDS: Record<string, { path: string; plural: string; namespaced: boolean; group?: string }> = {};
for (const [names, path, namespaced] of [
  ['namespace ns', 'api/v1', false],
  ['serviceaccount sa', 'api/v1', true],
  ['pod po', 'api/v1', true],
  ['configmap cm', 'api/v1', true],
  ['secret', 'api/v1', true],
  ['node no', 'api/v1', false],
  ['deployment deploy', 'apis/apps/v1', true],
  ['daemonset ds', 'apis/apps/v1', true],
  ['statefulset sts', 'apis/apps/v1', true],
  ['replicaset rs', 'apis/apps/v1', true],
  ['job', 'apis/batch/v1', true],
  ['cronjob cj', 'apis/batch/v1', true],
  ['mutatingwebhookconfiguration', 'apis/admissionregistration.k8s.io/v1', false],
  ['role', 'apis/rbac.authorization.k8s.io/v1', true],
  ['rolebinding', 'apis/rbac.authorization.k8s.io/v1', true],
  ['clusterrole', 'apis/rbac.authorization.k8s.io/v1', false],
  ['clusterrolebinding', 'apis/rbac.authorization.k8s.io/v1', false],
] as const) {
  const [singular, ...aliases] = names.split(' ');
  const plural = `${singular}s`;
  const group = path.startsWith('apis/') ? path.split('/')[1] : undefined;
  for (const n of [singular!, plural, ...aliases]) KINDS[n] = { path, plural, namespaced, group };
}

/**
 * kubectl's answer, over HTTPS with the cluster's kubeconfig: `get <kind> [name] [-n ns] -o json` (a list
 * as kubectl prints one: kind List, each item with its kind), `create namespace|serviceaccount <name> [-n ns]`,
 * `delete <kind> <name> [-n ns]`. Anything else: use kubectl itself (helpers/clients.ts).
 */
export async function kubectl(emu: Emulators, cluster: string, args: string[]): Promise<any> {
  const [verb, kindName, ...rest] = args;
  let namespace: string | undefined;
  let json = false;
  const names: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '-n' || a === '--namespace') namespace = rest[++i];
    else if (a === '-o' || a === '--output') json = rest[++i] === 'json';
    else if (a.startsWith('-')) throw new Error(`kubectl ${args.join(' ')}: ${a} is not judged in process`);
    else names.push(a);
  }
  const kind = KINDS[kindName ?? ''];
  if (!kind || names.length > 1 || !['get', 'create', 'delete'].includes(verb!))
    throw new Error(`kubectl ${args.join(' ')}: not judged in process (use helpers/clients.ts's kubectl)`);
  const config = kubeconfig(emu, cluster);
  const ns = namespace ?? config.namespace;
  const base = `/${kind.path}${kind.namespaced ? `/namespaces/${ns}` : ''}/${kind.plural}`;
  const name = names[0];
  const what = kind.group ? `${kind.plural.replace(/s$/, '')}.${kind.group}` : kind.plural.replace(/s$/, '');
  const fail = (status: { reason?: string; message?: string }) =>
    new Error(`kubectl ${args.join(' ')} failed: Error from server (${status.reason}): ${status.message}\n`);

  if (verb === 'get') {
    const r = await kubeRequest(config, 'GET', name ? `${base}/${name}` : base);
    if (r.status >= 300) throw fail(r.body);
    const out = name
      ? hideManagedFields(r.body)
      : {
          apiVersion: 'v1',
          items: r.body.items.map((item: any) =>
            hideManagedFields({ apiVersion: r.body.apiVersion, kind: r.body.kind.replace(/List$/, ''), ...item }),
          ),
          kind: 'List',
          metadata: { resourceVersion: '' },
        };
    return json ? out : JSON.stringify(out);
  }
  if (!name) throw new Error(`kubectl ${args.join(' ')}: a name is needed`);
  if (verb === 'create') {
    const objectKind = { namespace: 'Namespace', serviceaccount: 'ServiceAccount' }[kind.plural.replace(/s$/, '')];
    if (!objectKind) throw new Error(`kubectl ${args.join(' ')}: only namespaces and service accounts are created`);
    const body = {
      apiVersion: 'v1',
      kind: objectKind,
      metadata: { name, ...(kind.namespaced ? { namespace: ns } : {}) },
    };
    const r = await kubeRequest(config, 'POST', base, body);
    if (r.status >= 300) throw fail(r.body);
    return `${what}/${name} created\n`;
  }
  const r = await kubeRequest(config, 'DELETE', `${base}/${name}`);
  if (r.status >= 300) throw fail(r.body);
  return `${what} "${name}" deleted${kind.namespaced ? ` from ${ns} namespace` : ''}\n`;
}

function hideManagedFields(obj: any): any {
  if (obj?.metadata?.managedFields) {
    const { managedFields: _, ...metadata } = obj.metadata;
    return { ...obj, metadata };
  }
  return obj;
}

interface KubeAccess {
  server: URL;
  ca: string;
  token: string;
  namespace: string;
}

function kubeconfig(emu: Emulators, cluster: string): KubeAccess {
  const c = parseYaml(readFileSync(emu.kubeconfigFor(cluster), 'utf8'));
  return {
    server: new URL(c.clusters[0].cluster.server),
    ca: Buffer.from(c.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8'),
    token: c.users[0].user.token,
    namespace: c.contexts[0].context.namespace ?? 'default',
  };
}

function kubeRequest(
  k: KubeAccess,
  method: string,
  path: string,
  body?: object,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: k.server.hostname,
        port: k.server.port,
        path: `${k.server.pathname.replace(/\/$/, '')}${path}`,
        method,
        ca: k.ca,
        headers: {
          authorization: `Bearer ${k.token}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          } catch (e) {
            reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)} (${(e as Error).message})`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}
