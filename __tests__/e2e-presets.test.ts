// `presets` end to end, for every preset of src/presets: the program in process (helpers/run-in-process.ts),
// against moto (+ extensions, AWS managed policies loaded) and the local Kubernetes API server. Presets are grouped
// a few per role so that a run covers many (IAM allows 10 managed policies per role by default). End states are
// judged with the IAM SDK and helpers/judge.ts (the SDK in the aws CLI's shape); the journals count the calls.
import {
  CreatePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { samePolicy } from '../src/core/policy-doc.js';
import {
  PRESET_NAMES,
  checkPresetRequest,
  expandPreset,
  presetInfo,
  type PresetRequest,
} from '../src/presets/index.js';
import { awsError, clearJournals, writes } from './helpers/judge.js';
import { type ActionRun } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const CLUSTER = 'demo';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CTX = { partition: 'aws', region: REGION, accountId: ACCOUNT, clusterName: CLUSTER };
const policyArnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;

interface Param {
  kind: string;
  service?: string;
  resource?: string;
  required?: boolean;
  default?: unknown;
}

/** Where a parameter has no default to make a scoped value from: an ARN of its service and resource type. */
const SAMPLE_ARNS: Record<string, (name: string) => string> = {
  route53: (n) => `arn:aws:route53:::hostedzone/Z${n.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
  s3: (n) => `arn:aws:s3:::${n}`,
  secretsmanager: (n) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${n}`,
  ssm: (n) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${n}`,
  kms: (n) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${n}`,
  sqs: (n) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${n}`,
  iam: (n) => `arn:aws:iam::${ACCOUNT}:role/${n}`,
  aps: (n) => `arn:aws:aps:${REGION}:${ACCOUNT}:workspace/ws-${n}`,
  'acm-pca': (n) => `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/${n}`,
  ecr: (n) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${n}`,
};

const fill = (s: string) =>
  s
    .replace(/\$\{partition\}/g, 'aws')
    .replace(/\$\{region\}/g, REGION)
    .replace(/\$\{account-id\}/g, ACCOUNT)
    .replace(/\$\{cluster-name\}/g, CLUSTER);

/** A value scoped narrower than the default: the default's wildcard named, else a sample ARN of the service. */
function scopedValue(preset: string, key: string, p: Param): string {
  if (p.kind === 'boolean') return p.default === true ? 'false' : 'true';
  const name = `e2e-${preset}-${key}`.slice(0, 60);
  const first = [p.default].flat()[0];
  if (typeof first === 'string' && first.includes('*')) return fill(first).replace(/\*+$/, name).replace(/\*/g, 'x');
  const sample = SAMPLE_ARNS[p.service ?? ''];
  if (!sample) throw new Error(`no sample ARN for ${preset} ${key} (service ${p.service}): add one to SAMPLE_ARNS`);
  return sample(name);
}

/** Every preset with every parameter given a scoped value (two for lists), checked as the program checks it. */
const REQUESTS: PresetRequest[] = PRESET_NAMES.map((name) => {
  const params = presetInfo(name)!.parameters as Record<string, Param>;
  const given = Object.fromEntries(
    Object.entries(params).map(([key, p]) => {
      const value = scopedValue(name, key, p);
      return [key, p.kind === 'arn-list' ? [value, value.replace(/e2e-/, 'e2e2-')] : [value]];
    }),
  );
  const req = { name, params: given };
  const problem = checkPresetRequest(req);
  if (problem) throw new Error(`the test's scoped request for ${name} is refused: ${problem}`);
  return req;
});

const line = (r: PresetRequest) =>
  [r.name, ...Object.entries(r.params).map(([k, vs]) => `${k}=${vs.join(',')}`)].join(' ');

/** What the role must have for these presets: AWS managed ARNs, and the made policies with their documents. */
function expected(role: string, reqs: PresetRequest[]) {
  const expanded = reqs.map((r) => expandPreset(r, CTX));
  const made = expanded.flatMap((p) =>
    p.document
      ? [{ preset: p, name: `${role}-${p.name}`, arn: policyArnOf(`${role}-${p.name}`), doc: p.document }]
      : [],
  );
  const arns = [...new Set([...expanded.flatMap((p) => p.awsManagedPolicyArns), ...made.map((m) => m.arn)])].sort();
  return { expanded, made, arns };
}

/** Presets in groups of at most `max` managed policies each: one role per group. */
function groups(max = 10): PresetRequest[][] {
  const out: PresetRequest[][] = [[]];
  let count = 0;
  for (const r of REQUESTS) {
    const n = expected('r', [r]).arns.length;
    if (count + n > max && out.at(-1)!.length) {
      out.push([]);
      count = 0;
    }
    out.at(-1)!.push(r);
    count += n;
  }
  return out;
}
const GROUPS = groups();
const roleOf = (i: number) => `presets-${i}`;

let emu: Emulators;
let iam: IAMClient;
beforeAll(async () => {
  emu = await connectEmulators();
  iam = new IAMClient({ ...emu.aws.clientConfig(REGION), requestHandler: { httpAgent: { keepAlive: false } } });
});
afterAll(() => iam?.destroy());
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 1 });
  await clearJournals(emu);
});

const run = (over: Record<string, string> = {}) =>
  runInProcess(
    { 'cluster-name': CLUSTER, namespace: 'kube-system', 'service-account': 'controller', ...over },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
const failureOf = (r: ActionRun) => {
  const l = r.stdout.split('\n').find((x) => x.startsWith('::error::')) ?? '';
  return l.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
};
const attached = async (role: string) =>
  ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [])
    .map((p) => p.PolicyArn!)
    .sort();
async function madePolicy(arn: string) {
  const p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
  const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p.DefaultVersionId }));
  const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
  return {
    tags: Object.fromEntries((p.Tags ?? []).map((t) => [t.Key!, t.Value!])),
    document: decodeURIComponent(v.PolicyVersion!.Document!),
    versions: versions.map((x) => `${x.VersionId}${x.IsDefaultVersion ? '*' : ''}`).sort(),
  };
}

/** Each role has exactly its presets' policies, each made one tagged and with the preset's (scoped) document. */
async function expectBound(role: string, reqs: PresetRequest[], versions = ['v1*']) {
  const want = expected(role, reqs);
  expect(await attached(role)).toEqual(want.arns);
  for (const m of want.made) {
    const got = await madePolicy(m.arn);
    expect([m.name, samePolicy(got.document, m.doc as never)]).toEqual([m.name, true]);
    expect(got.tags).toMatchObject({
      'eks-pod-iam:managed': 'true',
      'eks-pod-iam:preset': `${m.preset.name}@${m.preset.version}`,
    });
    expect([m.name, got.versions]).toEqual([m.name, versions]);
    // Scoped: every ARN given as a parameter is in the document, which is not the preset's unscoped one.
    const req = reqs.find((r) => r.name === m.preset.name)!;
    for (const value of Object.values(req.params)
      .flat()
      .filter((v) => v.startsWith('arn:')))
      expect([m.name, got.document.includes(value)]).toEqual([m.name, true]);
    // Where the preset can be had without parameters, that is another (broader) document.
    const unscoped = checkPresetRequest({ name: req.name, params: {} }) ? undefined : unscopedDocument(req.name);
    if (Object.keys(req.params).length && unscoped)
      expect([m.name, samePolicy(unscoped as never, m.doc as never)]).toEqual([m.name, false]);
  }
  return want;
}

/** The preset's document with no parameter given (undefined: AWS managed policies only, then). */
const unscopedDocument = (name: string) => expandPreset({ name, params: {} }, CTX).document;

async function expectRerunWritesNothing(inputs: Record<string, string>) {
  await clearJournals(emu);
  const again = await run(inputs);
  expect(again.code).toBe(0);
  expect([again.outputs.changed, again.outputs.changes]).toEqual(['false', '[]']);
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
}

async function expectRemoved(role: string, reqs: PresetRequest[]) {
  expect(await awsError(emu, ['iam', 'get-role', '--role-name', role])).toMatch(/NoSuchEntity/);
  for (const m of expected(role, reqs).made)
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: m.arn }))).rejects.toThrow(/not found|NoSuchEntity/i);
  // AWS managed policies are AWS's: still there.
  for (const arn of expected(role, reqs).expanded.flatMap((p) => p.awsManagedPolicyArns))
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.Arn).toBe(arn);
}

test('the groups cover every preset, each group within the managed policies a role may have', () => {
  expect(GROUPS.flat().map((r) => r.name)).toEqual([...PRESET_NAMES]);
  for (const g of GROUPS) expect(expected('r', g).arns.length).toBeLessThanOrEqual(10);
});

test.each(GROUPS.map((g, i) => [i, g.map((r) => r.name).join(', '), g] as const))(
  'single binding, group %i (%s): attached and scoped; rerun writes nothing; state: absent removes them with the role',
  async (i, _names, reqs) => {
    const inputs = { 'role-name': roleOf(i), presets: reqs.map(line).join('\n') };
    const r = await run(inputs);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const want = await expectBound(roleOf(i), reqs);
    // Named in the changes, the log's verification and the summary, with their upstream versions.
    for (const m of want.made) {
      const v = `${m.preset.name} ${m.preset.version}`;
      expect(r.changes).toContainEqual(
        expect.objectContaining({ detail: `create policy ${m.name} (${m.arn}) for preset ${v}` }),
      );
      expect(r.stdout).toContain(`✓ preset policy document: default version v1 of ${m.name} is the document (${v})`);
    }
    for (const p of want.expanded) expect(r.summary).toContain(`| ${p.name} | [${p.version}](${p.source}) |`);
    for (const arn of want.expanded.flatMap((p) => p.awsManagedPolicyArns)) expect(r.summary).toContain(arn);

    await expectRerunWritesNothing(inputs);

    const gone = await run({ ...inputs, state: 'absent' });
    expect(gone.code).toBe(0);
    await expectRemoved(roleOf(i), reqs);
  },
);

test.each(GROUPS.map((g, i) => [i, g] as const))(
  'group %i: an older upstream document (made by eks-pod-iam) gets a new default version, tagged with the new one',
  async (i, reqs) => {
    const role = roleOf(i);
    const want = expected(role, reqs);
    const OLD = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
    };
    for (const m of want.made)
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: m.name,
          PolicyDocument: JSON.stringify(OLD),
          Tags: [
            { Key: 'eks-pod-iam:managed', Value: 'true' },
            { Key: 'eks-pod-iam:preset', Value: `${m.preset.name}@v0.0.1-older` },
          ],
        }),
      );
    await clearJournals(emu);
    const r = await run({ 'role-name': role, presets: reqs.map(line).join('\n') });
    expect(r.code).toBe(0);
    const updates = r.changes.filter((c) => c.resource === 'iam-managed-policy').map((c) => c.detail);
    expect(updates.sort()).toEqual(
      want.made
        .map(
          (m) =>
            `make the document the default version of policy ${m.name} (was v1) ` +
            `for preset ${m.preset.name} ${m.preset.version}`,
        )
        .sort(),
    );
    const w = await writes(emu);
    expect(w.aws.filter((op) => op === 'CreatePolicyVersion')).toHaveLength(want.made.length);
    expect(w.aws).not.toContain('CreatePolicy');
    await expectBound(role, reqs, ['v1', 'v2*']);
  },
);

test('a manifest: every preset, one role per group, one role shared by two bindings gets the union', async () => {
  const [first, ...rest] = GROUPS;
  // Group 0 split over two service accounts of one role: the role gets both halves.
  const half = Math.ceil(first!.length / 2);
  const items = [
    { 'service-account': 'a', 'role-name': roleOf(0), presets: first!.slice(0, half) },
    { 'service-account': 'b', 'role-name': roleOf(0), presets: first!.slice(half) },
    ...rest.map((g, i) => ({ 'service-account': `g${i + 1}`, 'role-name': roleOf(i + 1), presets: g })),
  ].map(({ presets, ...item }) => ({
    ...item,
    // Names alone where a preset takes no parameter, else {name, <param>: list}.
    presets: presets.map((r) => (Object.keys(r.params).length ? { name: r.name, ...r.params } : r.name)),
  }));
  const manifest = JSON.stringify(items);
  const r = await run({ 'service-account': '', bindings: manifest });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  for (const [i, g] of GROUPS.entries()) await expectBound(roleOf(i), g);
  expect(r.summary).toContain('| binding | preset | upstream | policies |');

  await expectRerunWritesNothing({ 'service-account': '', bindings: manifest });

  const absent = JSON.stringify(items.map((item) => ({ ...item, state: 'absent' })));
  const gone = await run({ 'service-account': '', bindings: absent });
  expect(gone.code).toBe(0);
  for (const [i, g] of GROUPS.entries()) await expectRemoved(roleOf(i), g);
});

test('dry run: each preset and its policies named, nothing written', async () => {
  const reqs = GROUPS[0]!;
  const dry = await run({ 'role-name': roleOf(0), presets: reqs.map(line).join('\n'), 'dry-run': 'true' });
  expect(dry.code).toBe(0);
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  const want = expected(roleOf(0), reqs);
  for (const m of want.made) {
    expect(dry.summary).toContain(m.arn);
    expect(dry.stdout).toContain(
      `iam-managed-policy ${m.name} (preset ${m.preset.name} ${m.preset.version}): does not exist`,
    );
  }
  for (const p of want.expanded) expect(dry.summary).toContain(`[${p.version}](${p.source})`);
});

test('a same-named policy eks-pod-iam did not make: the binding fails naming presets; nothing is changed', async () => {
  const made = REQUESTS.find((r) => expandPreset(r, CTX).document)!;
  const name = `${roleOf(0)}-${made.name}`;
  const FOREIGN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] };
  await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(FOREIGN) }));
  await clearJournals(emu);
  const r = await run({ 'role-name': roleOf(0), presets: line(made) });
  expect(r.code).toBe(1);
  expect(failureOf(r)).toMatch(
    new RegExp(
      `^Input "presets": the policy ${policyArnOf(name)} \\(preset ${made.name}\\) ` +
        'exists and eks-pod-iam did not make it',
    ),
  );
  const w = await writes(emu);
  expect([w.aws, w.kube]).toEqual([[], []]);
  expect((await madePolicy(policyArnOf(name))).versions).toEqual(['v1*']);
});

const required = REQUESTS.find((r) =>
  Object.values(presetInfo(r.name)!.parameters as Record<string, Param>).some(
    (p) => p.required && p.default === undefined,
  ),
);
const arnParam = REQUESTS.find((r) =>
  Object.values(presetInfo(r.name)!.parameters as Record<string, Param>).some((p) => p.kind === 'arn-list'),
)!;
const arnKey = Object.entries(presetInfo(arnParam.name)!.parameters as Record<string, Param>).find(
  ([, p]) => p.kind === 'arn-list',
)![0];
const MANY_ZONES = Array.from({ length: 250 }, (_, i) => `arn:aws:route53:::hostedzone/Z${i}`).join(',');
const BAD: [string, Record<string, string>, RegExp][] = [
  [
    'an unknown preset',
    { presets: 'no-such-controller' },
    /^Input "presets" is refused: unknown preset "no-such-controller"/,
  ],
  [
    'an unknown parameter',
    { presets: `${arnParam.name} zone=x` },
    /^Input "presets" is refused: .*unknown parameter "zone"/,
  ],
  [
    'a malformed ARN',
    { presets: `${arnParam.name} ${arnKey}=not-an-arn` },
    /^Input "presets" is refused: .*not-an-arn/,
  ],
  [
    'an ARN of another partition',
    { presets: `${arnParam.name} ${arnKey}=${arnParam.params[arnKey]![0]!.replace(/^arn:aws:/, 'arn:aws-cn:')}` },
    /^Input "presets" (is refused: .*|"[^"]+": "[^"]+" value .*)partition/,
  ],
  ['a preset twice', { presets: `${arnParam.name}\n${arnParam.name}` }, /^Input "presets" names preset ".*" twice/],
  ['a parameter without key=value', { presets: `${arnParam.name} stray` }, /^Input "presets" has "stray" in line/],
  [
    'a manifest item of the wrong shape',
    { 'service-account': '', bindings: JSON.stringify([{ 'service-account': 'a', presets: [{ params: 'x' }] }]) },
    /^Input "bindings\[0\]\.presets" item 1 must have a "name"/,
  ],
  [
    'one role given one preset with other parameters by two items',
    {
      'service-account': '',
      bindings: JSON.stringify([
        { 'service-account': 'a', presets: [arnParam.name] },
        { 'service-account': 'b', presets: [{ name: arnParam.name, ...arnParam.params }] },
      ]),
    },
    /^Input "bindings\[1\]\.presets" gives role "presets-bad" preset ".*" scoped otherwise than bindings\[0\] does/,
  ],
  [
    "a made document over IAM's size (hundreds of zones)",
    {
      presets: `external-dns hosted-zone-arns=${MANY_ZONES}`,
    },
    /^Input "presets" is refused: "external-dns": its policy for cluster "demo" would be \d+ characters, over IAM's/,
  ],
  ...(required
    ? ([
        [
          'a required parameter left out',
          { presets: required.name },
          new RegExp(`^Input "presets" is refused: "${required.name}": "[^"]+" is required`),
        ],
        [
          'a required parameter left out, in a manifest',
          { 'service-account': '', bindings: JSON.stringify([{ 'service-account': 'a', presets: [required.name] }]) },
          new RegExp(`^Input "bindings\\[0\\]\\.presets" is refused: "${required.name}"`),
        ],
      ] as [string, Record<string, string>, RegExp][])
    : []),
];

test.each(BAD)('bad presets (%s): one line naming the input, no call at all', async (_what, over, message) => {
  const r = await run({ 'role-name': 'presets-bad', ...over });
  expect(r.code).toBe(1);
  const failure = failureOf(r);
  expect(failure.split('\n')).toHaveLength(1);
  expect(failure).toMatch(message);
  const [aws, kube] = await Promise.all([emu.aws.journal(), emu.kube.journal()]);
  expect([aws, kube]).toEqual([[], []]);
});
