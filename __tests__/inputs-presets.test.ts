// The `presets` input and manifest key, parsed into the bindings' requests (pure: the parser with in-memory files).
// Refusals with zero calls are proven end to end in e2e-presets.test.ts; here, every accepted form.
import { InvalidInputs, parseRun } from '../src/inputs/parse.js';
import type { InputName } from '../src/inputs/spec.js';

type Inputs = Partial<Record<InputName, string>>;
const BASE: Inputs = { 'cluster-name': 'demo', 'aws-region': 'us-east-1', 'service-account': 'app', 'role-name': 'r' };
const parse = (inputs: Inputs) => parseRun((n) => ({ ...BASE, ...inputs })[n], { env: {} }).config.bindings;
const problems = (inputs: Inputs) => {
  try {
    parse(inputs);
  } catch (e) {
    if (e instanceof InvalidInputs) return e.problems.map((p) => p.message);
    throw e;
  }
  throw new Error('expected a refusal');
};
const ZONE = 'arn:aws:route53:::hostedzone/Z1';
const ZONE2 = 'arn:aws:route53:::hostedzone/Z2';
const BUCKET = 'arn:aws:s3:::backups';

test('not given: no presets', () => {
  expect(parse({})[0]!.presets).toEqual([]);
});

test('lines: names alone, parameters as key=value, values separated by commas; blanks and comments skipped', () => {
  const text = `
    # controllers
    aws-load-balancer-controller
    external-dns   hosted-zone-arns=${ZONE},${ZONE2}
    velero bucket-arns=${BUCKET}   # backups
    vpc-cni ipv6=true
  `;
  expect(parse({ presets: text })[0]!.presets).toEqual([
    { name: 'aws-load-balancer-controller', params: {} },
    { name: 'external-dns', params: { 'hosted-zone-arns': [ZONE, ZONE2] } },
    { name: 'velero', params: { 'bucket-arns': [BUCKET] } },
    { name: 'vpc-cni', params: { ipv6: ['true'] } },
  ]);
});

test('a manifest: names, {name, <param>: value|list} (YAML booleans too), one object alone, or lines of text', () => {
  const bindings = `
- service-account: a
  presets:
    - aws-load-balancer-controller
    - { name: external-dns, hosted-zone-arns: [${ZONE}, ${ZONE2}] }
    - { name: velero, bucket-arns: ${BUCKET} }
    - { name: vpc-cni, ipv6: true }
- service-account: b
  presets: { name: cert-manager, hosted-zone-arns: ${ZONE} }
- service-account: c
  role-name: c
  presets: |
    external-dns hosted-zone-arns=${ZONE}
`;
  const [a, b, c] = parse({ 'service-account': '', bindings });
  expect(a!.presets).toEqual([
    { name: 'aws-load-balancer-controller', params: {} },
    { name: 'external-dns', params: { 'hosted-zone-arns': [ZONE, ZONE2] } },
    { name: 'velero', params: { 'bucket-arns': [BUCKET] } },
    { name: 'vpc-cni', params: { ipv6: ['true'] } },
  ]);
  expect(b!.presets).toEqual([{ name: 'cert-manager', params: { 'hosted-zone-arns': [ZONE] } }]);
  expect(c!.presets).toEqual([{ name: 'external-dns', params: { 'hosted-zone-arns': [ZONE] } }]);
});

test('a top-level presets is what items without their own take', () => {
  const bindings = JSON.stringify([{ 'service-account': 'a' }, { 'service-account': 'b', presets: ['karpenter'] }]);
  const [a, b] = parse({ 'service-account': '', presets: 'cert-manager', bindings });
  expect(a!.presets.map((p) => p.name)).toEqual(['cert-manager']);
  expect(b!.presets.map((p) => p.name)).toEqual(['karpenter']);
});

test('one role, several bindings: different presets add up; the same preset, same parameters, is no conflict', () => {
  const bindings = JSON.stringify([
    { 'service-account': 'a', presets: ['external-dns', 'cert-manager'] },
    { 'service-account': 'b', presets: ['external-dns', 'aws-load-balancer-controller'] },
  ]);
  expect(parse({ 'service-account': '', bindings })).toHaveLength(2);
});

test('one role, one preset scoped by another cluster in another item: refused, naming the item', () => {
  const bindings = JSON.stringify([
    { 'service-account': 'a', 'cluster-name': 'demo', presets: ['cluster-autoscaler'] },
    { 'service-account': 'a', 'cluster-name': 'other', presets: ['cluster-autoscaler'] },
  ]);
  expect(problems({ 'cluster-name': '', 'service-account': '', bindings })).toEqual([
    expect.stringMatching(
      /^Input "bindings\[1\]\.presets" gives role "r" preset "cluster-autoscaler" scoped otherwise than bindings\[0\]/,
    ),
  ]);
});

test('every problem at once, each naming where it was given', () => {
  const bindings = JSON.stringify([
    { 'service-account': 'a', presets: ['nope'] },
    { 'service-account': 'b', presets: [{ name: 'external-dns', zones: ZONE }] },
    { 'service-account': 'c', presets: [{ name: 'velero', 'bucket-arns': [[BUCKET]] }] },
  ]);
  expect(problems({ 'service-account': '', bindings })).toEqual([
    expect.stringMatching(/^Input "bindings\[0\]\.presets" is refused: unknown preset "nope" \(known: /),
    expect.stringMatching(/^Input "bindings\[1\]\.presets" is refused: "external-dns": unknown parameter "zones"/),
    'Input "bindings[2].presets" item 1 ("velero") has "bucket-arns" that is not a value or a list of values.',
  ]);
});
