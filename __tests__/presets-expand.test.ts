// Pure tests of the preset API: requests checked (unknown preset/parameter, required, malformed or foreign ARNs,
// booleans) and presets expanded (placeholders, parameters and defaults, `${param:x}/tail`, ifParam, variants).
import { checkWith } from '../src/presets/check.js';
import { expandWith } from '../src/presets/expand.js';
import { checkPresetRequest, expandPreset, presetInfo, PRESET_NAMES } from '../src/presets/index.js';
import type { PresetData } from '../src/presets/types.js';

const ctx = { partition: 'aws', region: 'eu-west-1', accountId: '111122223333', clusterName: 'prod' };
const zone = 'arn:aws:route53:::hostedzone/Z123';

/** A made-up preset with every feature of the format: required and optional lists, a boolean, ifParam, variants. */
const sample: PresetData = {
  name: 'sample',
  purpose: 'test',
  upstream: { project: 'o/p', version: 'v1.2.3', source: 'https://example.com/policy.json' },
  parameters: {
    'bucket-arns': { kind: 'arn-list', service: 's3', resource: 'bucket', required: true, description: 'b' },
    'kms-key-arns': {
      kind: 'arn-list',
      service: 'kms',
      resource: 'key',
      required: false,
      default: ['arn:${partition}:kms:${region}:${account-id}:key/*'],
      description: 'k',
    },
    ipv6: { kind: 'boolean', required: false, default: false, description: 'i' },
  },
  awsManagedPolicies: ['arn:${partition}:iam::aws:policy/Base'],
  document: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: '${param:bucket-arns}' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: ['${param:bucket-arns}/*', 'arn:${partition}:s3:::x'] },
      {
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/${cluster-name}': 'owned' } },
      },
      { ifParam: 'kms-key-arns', Effect: 'Allow', Action: 'kms:Decrypt', Resource: ['${param:kms-key-arns}'] },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::${aws:username}/*' },
    ],
  },
  variants: [{ when: { ipv6: true }, awsManagedPolicies: ['arn:${partition}:iam::${account-id}:policy/V6'] }],
};
const catalog = new Map([['sample', sample]]);
const bucket = 'arn:aws:s3:::my-bucket';

describe('checkPresetRequest', () => {
  test.each([
    [{ name: 'nope', params: {} }, /^unknown preset "nope" \(known: .*external-dns.*\)$/],
    [{ name: 'external-dns', params: { zone: [zone] } }, /^"external-dns": unknown parameter "zone" \(known: hosted/],
    [
      { name: 'external-dns', params: { 'hosted-zone-arns': ['Z123'] } },
      /^"external-dns": "hosted-zone-arns" value "Z123" is not a route53 hostedzone ARN$/,
    ],
    [
      { name: 'cert-manager', params: { 'hosted-zone-arns': ['arn:aws:s3:::bucket'] } },
      /value "arn:aws:s3:::bucket" is not a route53 hostedzone ARN/,
    ],
    [
      { name: 'cert-manager', params: { 'hosted-zone-arns': ['arn:aws:route53:::change/C1'] } },
      /value "arn:aws:route53:::change\/C1" is not a route53 hostedzone ARN/,
    ],
    [{ name: 'cert-manager', params: { 'hosted-zone-arns': [] } }, /"hosted-zone-arns" needs a value/],
  ])('%j is refused', (req, message) => {
    expect(checkPresetRequest(req)).toMatch(message);
  });

  test('good requests pass, with or without the optional parameter', () => {
    expect(checkPresetRequest({ name: 'external-dns', params: {} })).toBeUndefined();
    const zones = [zone, 'arn:aws-cn:route53:::hostedzone/Z9', 'arn:aws:route53:::hostedzone/*'];
    expect(checkPresetRequest({ name: 'external-dns', params: { 'hosted-zone-arns': zones } })).toBeUndefined();
  });

  test('a required parameter must be given; ARNs of untyped resources (buckets) and booleans are checked', () => {
    expect(checkWith(catalog, { name: 'sample', params: {} })).toBe('"sample": "bucket-arns" is required');
    expect(checkWith(catalog, { name: 'sample', params: { 'bucket-arns': [bucket] } })).toBeUndefined();
    expect(checkWith(catalog, { name: 'sample', params: { 'bucket-arns': [`${bucket}/prefix`] } })).toBe(
      '"sample": "bucket-arns" value "arn:aws:s3:::my-bucket/prefix" is not an s3 bucket ARN',
    );
    const key = 'arn:aws:kms:eu-west-1:111122223333:alias/mine';
    expect(checkWith(catalog, { name: 'sample', params: { 'bucket-arns': [bucket], 'kms-key-arns': [key] } })).toBe(
      `"sample": "kms-key-arns" value "${key}" is not a kms key ARN`,
    );
    const v6 = (v: string[]) => checkWith(catalog, { name: 'sample', params: { 'bucket-arns': [bucket], ipv6: v } });
    expect(v6(['TRUE'])).toBeUndefined();
    expect(v6(['yes'])).toBe('"sample": "ipv6" must be true or false (got "yes")');
    expect(v6(['true', 'false'])).toBe('"sample": "ipv6" must be true or false (got "true,false")');
  });

  test('a preset without parameters says so', () => {
    const bare = new Map([['bare', { ...sample, name: 'bare', parameters: {} }]]);
    expect(checkWith(bare, { name: 'bare', params: { x: ['1'] } })).toBe('"bare": unknown parameter "x" (known: none)');
  });
});

describe('expandPreset', () => {
  test('external-dns: the given zones replace the default; everything else as upstream wrote it', () => {
    const scoped = expandPreset({ name: 'external-dns', params: { 'hosted-zone-arns': [zone] } }, ctx);
    expect(scoped).toMatchObject({ name: 'external-dns', version: 'v0.23.0', awsManagedPolicyArns: [] });
    expect(scoped.source).toMatch(/^https:\/\/.*external-dns.*aws/);
    expect(scoped.document?.Statement[0]).toEqual({
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
      Resource: [zone],
    });
    const open = expandPreset({ name: 'external-dns', params: {} }, { ...ctx, partition: 'aws-cn' });
    expect(open.document?.Statement[0]?.Resource).toEqual(['arn:aws-cn:route53:::hostedzone/*']);
  });

  test('cert-manager: placeholders filled by the partition', () => {
    const doc = expandPreset({ name: 'cert-manager', params: {} }, { ...ctx, partition: 'aws-us-gov' }).document!;
    expect(doc.Statement[0]?.Resource).toBe('arn:aws-us-gov:route53:::change/*');
    expect(JSON.stringify(doc)).not.toContain('${');
  });

  test('parameters, tails, keys, ifParam and IAM policy variables', () => {
    const out = expandWith(sample, { name: 'sample', params: { 'bucket-arns': [bucket, 'arn:aws:s3:::b2'] } }, ctx);
    expect(out.awsManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/Base']);
    const [list, get, tag, ...rest] = out.document!.Statement;
    expect(list?.Resource).toEqual([bucket, 'arn:aws:s3:::b2']);
    expect(get?.Resource).toEqual([`${bucket}/*`, 'arn:aws:s3:::b2/*', 'arn:aws:s3:::x']);
    expect(tag?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/prod': 'owned' } });
    // kms-key-arns not given: its ifParam statement is dropped even though the parameter has a default
    expect(rest).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::${aws:username}/*' }]);

    const key = 'arn:aws:kms:eu-west-1:111122223333:key/abc';
    const withKey = expandWith(
      sample,
      { name: 'sample', params: { 'bucket-arns': [bucket], 'kms-key-arns': [key] } },
      ctx,
    );
    const kms = withKey.document!.Statement.find((s) => s.Action === 'kms:Decrypt');
    expect(kms).toEqual({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: [key] });
  });

  test('a variant replaces the top level when its parameters match', () => {
    const params = { 'bucket-arns': [bucket] };
    const v6 = expandWith(sample, { name: 'sample', params: { ...params, ipv6: ['True'] } }, ctx);
    expect(v6.awsManagedPolicyArns).toEqual(['arn:aws:iam::111122223333:policy/V6']);
    expect(v6.document).toBeUndefined();
    const v4 = expandWith(sample, { name: 'sample', params: { ...params, ipv6: ['false'] } }, ctx);
    expect(v4.awsManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/Base']);
    expect(v4.document).toBeDefined();
  });

  test('a `given` variant applies only when the user gave that parameter, even if it has a default', () => {
    const scoped: PresetData = {
      ...sample,
      variants: [
        { when: { 'kms-key-arns': 'given' }, awsManagedPolicies: ['arn:${partition}:iam::aws:policy/Scoped'] },
      ],
    };
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/abc';
    const params = { 'bucket-arns': [bucket] };
    expect(expandWith(scoped, { name: 'sample', params }, ctx).awsManagedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/Base',
    ]);
    const given = expandWith(scoped, { name: 'sample', params: { ...params, 'kms-key-arns': [key] } }, ctx);
    expect(given.awsManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/Scoped']);
  });

  test('a document whose statements are all ifParam-dropped is no document', () => {
    const only: PresetData = {
      ...sample,
      variants: undefined,
      document: { Version: '2012-10-17', Statement: [sample.document!.Statement[3]!] },
    };
    expect(expandWith(only, { name: 'sample', params: { 'bucket-arns': [bucket] } }, ctx).document).toBeUndefined();
  });

  test('presetInfo and PRESET_NAMES', () => {
    expect(PRESET_NAMES).toContain('external-dns');
    expect(presetInfo('cert-manager')).toMatchObject({
      name: 'cert-manager',
      upstream: { project: expect.any(String) },
    });
    expect(presetInfo('nope')).toBeUndefined();
  });
});
