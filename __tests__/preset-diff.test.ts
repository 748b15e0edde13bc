// scripts/preset-diff.ts (npm run presets:diff): a preset against a newer upstream document, by meaning. Pure: the
// script's functions, and the script itself run as a maintainer runs it, on fixtures made from external-dns's
// upstream document (one the same in other words, one a "newer" release that adds, drops and conditions grants).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { diffDocuments, diffPreset, headOf } from '../scripts/preset-diff.js';
import { PRESET_NAMES, presetInfo } from '../src/presets/index.js';
import { runProcess } from './helpers/process.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const fixture = (name: string) => join(ROOT, '__tests__/fixtures', name);
const tsx = join(ROOT, 'node_modules/.bin/tsx');
const script = join(ROOT, 'scripts/preset-diff.ts');
const diffCli = (...args: string[]) => runProcess(tsx, [script, ...args], { cwd: ROOT });

test('the same grants in other words (order, case of actions, string or list) make no difference: exit 0', async () => {
  const r = await diffCli('external-dns', fixture('external-dns-upstream-same.json'));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^external-dns \(v[\d.]+\) grants what .*external-dns-upstream-same\.json grants\.\n$/);
});

test('a newer upstream: what it adds and drops, by statement, action, resource and condition: exit 1', async () => {
  const r = await diffCli('external-dns', fixture('external-dns-upstream-newer.json'));
  expect(r.code).toBe(1);
  const { version, source } = presetInfo('external-dns')!.upstream;
  expect(r.stdout.split('\n')).toEqual([
    `external-dns (${version}, from ${source}) differs from ${fixture('external-dns-upstream-newer.json')}:`,
    'only upstream, in its statement "Records":',
    '  + Allow route53:GetHostedZone on arn:aws:route53:::hostedzone/*',
    'only upstream, in its statement "Zones":',
    '  + Allow route53:ListHostedZones on * when {"StringEquals":{"aws:RequestedRegion":["us-east-1"]}}',
    'only the preset, in its statement #1:',
    '  - Allow route53:ListTagsForResources on arn:aws:route53:::hostedzone/*',
    'only the preset, in its statement #2:',
    '  - Allow route53:ListHostedZones on *',
    '',
  ]);
});

test('parameters given to the script scope the preset as a binding would', () => {
  const zone = 'arn:aws:route53:::hostedzone/Z1';
  const upstream = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'],
        Resource: zone,
      },
      { Effect: 'Allow', Action: 'route53:ListTagsForResources', Resource: zone },
      { Effect: 'Allow', Action: 'route53:ListHostedZones', Resource: '*' },
    ],
  };
  expect(diffPreset('external-dns', upstream, { 'hosted-zone-arns': [zone] })).toEqual([]);
  expect(diffPreset('external-dns', upstream)).not.toEqual([]);
});

test('NotAction and NotResource are told apart from Action and Resource', () => {
  const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
  const not = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] };
  expect(diffDocuments(allow, not)).toEqual([
    'only upstream, in its statement #1:',
    '  + Allow not s3:* on *',
    'only the preset, in its statement #1:',
    '  - Allow s3:* on *',
  ]);
});

test('bad use: exit 2 with one line (not a policy document, unknown preset, no arguments)', async () => {
  const notPolicy = await diffCli('external-dns', fixture('../../README.md'));
  expect([notPolicy.code, notPolicy.stderr]).toEqual([2, expect.stringMatching(/is not a JSON IAM policy document/)]);
  const unknown = await diffCli('no-such', fixture('external-dns-upstream-same.json'));
  expect([unknown.code, unknown.stderr]).toEqual([2, 'unknown preset "no-such"\n']);
  expect((await diffCli()).code).toBe(2);
});

test('--sources: every preset with its pinned source and the same file on the default branch', async () => {
  const r = await diffCli('--sources');
  expect(r.code).toBe(0);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  expect(rows.map((row) => row[0])).toEqual([...PRESET_NAMES]);
  for (const [name, pinned, head] of rows) {
    expect(pinned).toBe(presetInfo(name!)!.upstream.source);
    expect(head).toBe(headOf(pinned!));
  }
  expect(
    headOf(
      'https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v2.13.0/docs/install/iam_policy.json',
    ),
  ).toBe(
    'https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/HEAD/docs/install/iam_policy.json',
  );
  expect(headOf('https://github.com/cert-manager/website/blob/061b898/content/docs/x.md#anchor')).toBe(
    'https://raw.githubusercontent.com/cert-manager/website/HEAD/content/docs/x.md#anchor',
  );
  expect(headOf('https://docs.aws.amazon.com/eks/latest/userguide/x.html')).toBe(
    'https://docs.aws.amazon.com/eks/latest/userguide/x.html',
  );
});
