// Every preset data file: the shape, the name, the upstream it was written from, and its expansion with sample
// parameters in each partition: valid policy JSON, no placeholder left, every ARN well formed and of the binding's
// partition, and every made document within IAM's 6,144 characters with many ARNs and a long cluster name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG } from '../src/presets/catalog.js';
import { MAX_POLICY_CHARS, policyChars } from '../src/presets/expand.js';
import { checkPresetFor, checkPresetRequest, expandPreset, PRESET_NAMES } from '../src/presets/index.js';
import { asPresetData } from '../src/presets/shape.js';
import type { PresetContext, PresetData, PresetParameter } from '../src/presets/types.js';

const DATA_DIR = join(import.meta.dirname, '..', 'src', 'presets', 'data');
// interface.md, "Policy presets": the names users may write, in its order.
const INTERFACE_NAMES = [
  'aws-load-balancer-controller',
  'external-dns',
  'cert-manager',
  'cluster-autoscaler',
  'karpenter',
  'ebs-csi-driver',
  'efs-csi-driver',
  'fsx-lustre-csi-driver',
  'mountpoint-s3-csi-driver',
  'external-secrets',
  'velero',
  'node-termination-handler',
  'vpc-cni',
  'cloudwatch-observability',
  'amazon-managed-prometheus',
  'privateca-issuer',
  'gateway-api-controller',
  'image-builder',
];
const CONTEXTS: PresetContext[] = [
  { partition: 'aws', region: 'eu-west-1', accountId: '111122223333', clusterName: 'prod' },
  { partition: 'aws-cn', region: 'cn-north-1', accountId: '111122223333', clusterName: 'prod' },
  { partition: 'aws-us-gov', region: 'us-gov-west-1', accountId: '111122223333', clusterName: 'prod' },
];
const ARN = /^arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]+:([a-z0-9-]+|\*)?:(\d{12}|\*|aws)?:\S+$/;
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

/** An ARN of the parameter's service and resource type; `name` makes it unique (and long, for the size test). */
function sampleArn(spec: Extract<PresetParameter, { kind: 'arn-list' }>, ctx: PresetContext, name: string): string {
  const { partition: p, region, accountId } = ctx;
  if (spec.service === 's3') return `arn:${p}:s3:::${name}`;
  if (spec.service === 'sqs') return `arn:${p}:sqs:${region}:${accountId}:${name}`;
  if (spec.service === 'route53') return `arn:${p}:route53:::${spec.resource}/${name}`;
  if (spec.service === 'iam') return `arn:${p}:iam::${accountId}:${spec.resource}/${name}`;
  const sep = spec.service === 'secretsmanager' ? ':' : '/';
  return `arn:${p}:${spec.service}:${region}:${accountId}:${spec.resource}${sep}${name}`;
}

/** Every parameter given: `count` ARNs per list, booleans as `bool`. */
function allParams(data: PresetData, ctx: PresetContext, count: number, bool = 'true'): Record<string, string[]> {
  const params: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(data.parameters)) {
    params[name] =
      spec.kind === 'boolean'
        ? [bool]
        : Array.from({ length: count }, (_, i) => sampleArn(spec, ctx, `${name}-${i}-example-0123456789abcdef`));
  }
  return params;
}

function expectValidPolicy(doc: { Version: string; Statement: Record<string, unknown>[] }, ctx: PresetContext) {
  expect(doc.Version).toBe('2012-10-17');
  expect(doc.Statement.length).toBeGreaterThan(0);
  const text = JSON.stringify(doc);
  expect(text.replace(/\$\{aws:[^}]+\}/g, '')).not.toContain('${');
  for (const s of doc.Statement) {
    expect(['Allow', 'Deny']).toContain(s.Effect);
    expect(s).not.toHaveProperty('ifParam');
    const actions = [s.Action ?? s.NotAction].flat() as string[];
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) expect(a).toMatch(ACTION);
    const resources = [s.Resource ?? s.NotResource].flat() as string[];
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) {
      if (r === '*') continue;
      expect(r).toMatch(ARN);
      expect(r.split(':')[1]).toBe(ctx.partition);
    }
  }
}

test('one data file per preset of the interface, each named as its file, loaded in the interface order', () => {
  const files = readdirSync(DATA_DIR).filter((f) => f.endsWith('.json'));
  expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual([...INTERFACE_NAMES].sort());
  expect(PRESET_NAMES).toEqual(INTERFACE_NAMES);
  for (const file of files) {
    const data = asPresetData(file, JSON.parse(readFileSync(join(DATA_DIR, file), 'utf8')));
    expect(data.name).toBe(file.replace(/\.json$/, ''));
    expect(CATALOG.get(data.name)).toEqual(data);
  }
});

describe.each(INTERFACE_NAMES)('%s', (name) => {
  const data = CATALOG.get(name)!;

  test('names its upstream: project, version and an https source', () => {
    expect(data.purpose.length).toBeGreaterThan(10);
    expect(data.upstream.project).toMatch(/\S/);
    expect(data.upstream.version).toMatch(/\S/);
    expect(data.upstream.source).toMatch(/^https:\/\/\S+$/);
    // The version goes into an IAM tag value on the made policy (`<preset>@<version>`): IAM's characters only.
    expect(`${name}@${data.upstream.version}`).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
  });

  test('ifParam markers and variants name its own parameters', () => {
    const docs = [data.document, ...(data.variants ?? []).map((v) => v.document)].filter((d) => d !== undefined);
    for (const s of docs.flatMap((d) => d.Statement)) {
      if (s.ifParam !== undefined) expect(Object.keys(data.parameters)).toContain(s.ifParam);
    }
    for (const v of data.variants ?? []) for (const k of Object.keys(v.when)) expect(data.parameters).toHaveProperty(k);
  });

  test.each(CONTEXTS)('expands to valid policies in $partition, with and without parameters', (ctx) => {
    const required = Object.entries(data.parameters).filter(([, spec]) => spec.required);
    const minimal = Object.fromEntries(required.map(([n]) => [n, allParams(data, ctx, 1)[n]!]));
    for (const params of [minimal, allParams(data, ctx, 2), allParams(data, ctx, 1, 'false')]) {
      expect(checkPresetRequest({ name, params })).toBeUndefined();
      const out = expandPreset({ name, params }, ctx);
      expect(out).toMatchObject({ name, version: data.upstream.version, source: data.upstream.source });
      expect(out.awsManagedPolicyArns.length + (out.document ? 1 : 0)).toBeGreaterThan(0);
      for (const arn of out.awsManagedPolicyArns) {
        expect(arn).toMatch(new RegExp(`^arn:${ctx.partition}:iam::aws:policy/(service-role/)?[\\w+=,.@-]+$`));
      }
      if (out.document) expectValidPolicy(out.document, ctx);
    }
  });

  // Karpenter's upstream template has one node role and one queue per cluster, and its five policies in one
  // document leave room for two of each; every other preset gets five ARNs a list.
  const many = name === 'karpenter' ? 2 : 5;
  test(`the made document stays within 6,144 characters: ${many} ARNs a list, a 32-character cluster name`, () => {
    const ctx = {
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      accountId: '111122223333',
      clusterName: 'c'.repeat(32),
    };
    const req = { name, params: allParams(data, ctx, many) };
    const out = expandPreset(req, ctx);
    if (out.document) expect(policyChars(out.document)).toBeLessThanOrEqual(MAX_POLICY_CHARS);
    expect(checkPresetFor(req, ctx)).toBeUndefined();
  });
});

test('checkPresetFor names a document over IAM limit with its size, and passes one that fits', () => {
  const ctx = (clusterName: string) => ({
    partition: 'aws-us-gov',
    region: 'us-gov-west-1',
    accountId: '111122223333',
    clusterName,
  });
  const long = 'c'.repeat(100);
  expect(checkPresetFor({ name: 'karpenter', params: {} }, ctx(long))).toMatch(
    new RegExp(
      `^"karpenter": its policy for cluster "${long}" would be \\d+ characters, over IAM's 6144 for a managed`,
    ),
  );
  expect(checkPresetFor({ name: 'karpenter', params: {} }, ctx('c'.repeat(40)))).toBeUndefined();
  expect(checkPresetFor({ name: 'efs-csi-driver', params: {} }, ctx(long))).toBeUndefined();
});
