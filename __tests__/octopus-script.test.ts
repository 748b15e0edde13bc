// The Octopus step template's Bash script, run the way Octopus runs it: Calamari's helper functions
// (get_octopusvariable, set_octopusvariable, fail_step) defined first, #{…} substituted, the package
// extracted at the repository root (which holds dist/), AWS credentials and region in the environment as an
// AWS account sets them. Outputs and failures are read back from the service messages on stdout.
import { runProcess } from './helpers/process.js';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import { IAMClient, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import {
  AWS_EMULATOR_ENV,
  EMULATOR_ACCOUNT,
  EMULATOR_CREDENTIALS,
  connectAwsEmulator,
  startAwsEmulator,
  type AwsEmulator,
} from '../emulators/aws/index.js';
import { startKubeEmulator, type KubeEmulator } from '../emulators/kube/server.js';
import { TEMPLATE_PATH } from '../scripts/octopus-template.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const template = JSON.parse(readFileSync(join(ROOT, TEMPLATE_PATH), 'utf8'));
const BODY: string = template.Properties['Octopus.Action.Script.ScriptBody'];
const PKG = 'Octopus.Action.Package[EksPodIam.Package]';
const REGION = 'us-east-1';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Calamari's Bash helpers, with the same names and service messages; variables answered from a case table. */
function preamble(vars: Record<string, string>): string {
  const cases = Object.entries(vars)
    .map(([k, v]) => `    ${sq(k)}) printf '%s' ${sq(b64(v))} | base64 -d ;;`)
    .join('\n');
  return `encode_servicemessagevalue() { printf '%s' "$1" | base64 -w0; }
get_octopusvariable() {
  case "$1" in
${cases}
    *) echo "" ;;
  esac
}
set_octopusvariable() {
  echo "##octopus[setVariable name='$(encode_servicemessagevalue "$1")' value='$(encode_servicemessagevalue "$2")']"
}
fail_step() {
  if [ -n "\${1:-}" ]; then echo "##octopus[resultMessage message='$(encode_servicemessagevalue "$1")']"; fi
  exit 1
}
`;
}

/** Octopus replaces #{Name} in the script before it runs; unknown names stay as they are. */
const substitute = (body: string, vars: Record<string, string>) =>
  body.replace(/#\{([^}]+)\}/g, (m, n: string) => vars[n] ?? m);

interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  failure?: string;
}

let work: string;
beforeAll(() => void (work = mkdtempSync(join(tmpdir(), 'octopus-step-'))));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the step with the template's defaults overridden by `params` (EksPodIam.<Name> without the prefix). */
async function runStep(
  params: Record<string, string>,
  opts: { env?: NodeJS.ProcessEnv; pathPrefix?: string; packageDir?: string; system?: Record<string, string> } = {},
): Promise<StepRun> {
  const vars: Record<string, string> = {
    [`${PKG}.ExtractedPath`]: opts.packageDir ?? ROOT.replace(/\/$/, ''),
    [`${PKG}.PackageId`]: 'eks-pod-iam/eks-pod-iam',
    [`${PKG}.PackageVersion`]: '1.0.0',
  };
  for (const p of template.Parameters) vars[p.Name] = p.DefaultValue;
  for (const [k, v] of Object.entries(params)) vars[`EksPodIam.${k}`] = v;
  Object.assign(vars, opts.system); // Octopus's own variables (Octopus.Task.Id, ...)
  const file = join(work, `step-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, preamble(vars) + substitute(BODY, vars));
  const PATH = [opts.pathPrefix, dirname(process.execPath), '/usr/bin', '/bin'].filter(Boolean).join(':');
  const { code, stdout, stderr } = await runProcess('bash', [file], {
    env: { PATH, HOME: process.env.HOME, ...opts.env },
    cwd: work,
  });
  const outputs: Record<string, string> = {};
  for (const m of stdout.matchAll(/^##octopus\[setVariable name='([^']*)' value='([^']*)'\]$/gm))
    outputs[unb64(m[1]!)] = unb64(m[2]!);
  const failure = /^##octopus\[resultMessage message='([^']*)'\]$/m.exec(stdout)?.[1];
  return { code, stdout, stderr, outputs, ...(failure !== undefined ? { failure: unb64(failure) } : {}) };
}

// Nothing listens here: a run that should stop before any call fails loudly if it tries one.
const NOWHERE = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'y',
  AWS_REGION: REGION,
};

describe('without AWS', () => {
  test('bad input: a resultMessage that names the input, exit 1', async () => {
    const r = await runStep(
      { ClusterName: 'bad name', ServiceAccount: 'octopus-agent-scripts', RoleName: 'r', AwsRegion: REGION },
      { env: NOWHERE },
    );
    expect(r.code).toBe(1);
    expect(r.failure).toMatch(/Input "cluster-name"/);
    expect(r.outputs).toEqual({});
  });

  test('Node.js older than 20: the step says so and stops', async () => {
    const bin = join(work, 'old-node');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v18.20.0\n');
    chmodSync(join(bin, 'node'), 0o755);
    const r = await runStep(
      { ClusterName: 'c', ServiceAccount: 'sa', RoleName: 'r' },
      { env: NOWHERE, pathPrefix: bin },
    );
    expect(r.code).toBe(1);
    expect(r.failure).toMatch(/needs Node\.js 20 or later; .* is v18\.20\.0\. .*octopusdeploy\/worker-tools/);
  });

  test('a package without dist/index.js: the step says so and stops', async () => {
    const empty = join(work, 'empty-package');
    mkdirSync(empty, { recursive: true });
    const r = await runStep(
      { ClusterName: 'c', ServiceAccount: 'sa', RoleName: 'r' },
      { env: NOWHERE, packageDir: empty },
    );
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `EKS Pod IAM: the package eks-pod-iam/eks-pod-iam 1.0.0 has no dist/index.js (extracted to ${empty}). ` +
        'Select a release of the eks-pod-iam action, or a zip that holds its dist/ folder.',
    );
  });

  test('multi-line values and quotes reach the program intact', async () => {
    const r = await runStep(
      {
        ClusterName: 'c',
        ServiceAccount: 'sa',
        RoleName: 'r',
        AwsRegion: REGION,
        DryRun: 'True',
        Tags: "team=platform\nowner=o'brien",
        InlinePolicy: 'not json "at all"',
      },
      { env: NOWHERE },
    );
    expect(r.code).toBe(1);
    // The second tag line is parsed as its own key, and the quotes come back verbatim in the message.
    expect(r.failure).toContain('Input "tags" has an invalid value for "owner"');
    expect(r.failure).toContain('Input "inline-policy" is not valid JSON');
    expect(r.failure).toContain('"not json "at all""');
  });
});

describe('against the local AWS and Kubernetes emulators', () => {
  const CLUSTER = 'octopus';
  const ROLE = 'octopus-worker-role';
  const POLICY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
  let aws: AwsEmulator;
  let kube: KubeEmulator;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const shared = process.env[AWS_EMULATOR_ENV];
    [aws, kube] = await Promise.all([
      shared ? connectAwsEmulator(shared) : startAwsEmulator(),
      startKubeEmulator({ token: 'eks' }),
    ]);
    env = {
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
      EKS_POD_IAM_TIME_SCALE: '0.01',
    };
  });
  afterAll(async () => {
    await aws?.stop();
    await kube?.stop();
  });
  beforeEach(async () => {
    await aws.reset();
    kube.reset();
    await aws.createCluster(CLUSTER, REGION);
    await aws.setClusterEndpoint({ endpoint: kube.url, caPem: kube.caPem }, CLUSTER);
    await aws.setAddonBehaviour({ readsUntilActive: 0 });
  });

  // The seed article's runbook: the Kubernetes worker's script pods run as octopus-agent-scripts.
  const podIdentity = (over: Record<string, string> = {}) => ({
    ClusterName: CLUSTER,
    AwsRegion: REGION,
    Namespace: 'octopus-worker-awsagentworker',
    ServiceAccount: 'octopus-agent-scripts',
    RoleName: ROLE,
    PolicyArns: POLICY,
    ...over,
  });

  // The server, project and task Octopus describes a deployment with; another deployment is another task.
  const task = (id: string) => ({
    'Octopus.Web.ServerUri': 'https://octopus.example.com',
    'Octopus.Project.Name': 'Worker bootstrap (EKS)',
    'Octopus.Task.Id': id,
  });
  const provenance = {
    'eks-pod-iam:octopus-server': 'https://octopus.example.com',
    'eks-pod-iam:octopus-project': 'Worker bootstrap _EKS_',
    'eks-pod-iam:octopus-task': 'ServerTasks-101',
  };

  // Pod Identity without Kubernetes: role, add-on and association.
  test('Pod Identity without Kubernetes: output variables; a rerun changes nothing', async () => {
    const r = await runStep(podIdentity({ CreateServiceAccount: 'False' }), { env, system: task('ServerTasks-101') });
    expect(r.failure).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.outputs['role-arn']).toBe(`arn:aws:iam::${EMULATOR_ACCOUNT}:role/${ROLE}`);
    expect(r.outputs['association-id']).toMatch(/^a-[a-z0-9]{17}$/);
    expect(r.outputs.changed).toBe('true');
    expect(kube.journal()).toEqual([]);

    const eks = new EKSClient(aws.clientConfig(REGION));
    const listed = await eks.send(
      new ListPodIdentityAssociationsCommand({
        clusterName: CLUSTER,
        namespace: 'octopus-worker-awsagentworker',
        serviceAccount: 'octopus-agent-scripts',
      }),
    );
    expect(listed.associations?.map((a) => a.associationId)).toEqual([r.outputs['association-id']]);
    // Provenance: the Octopus server, project and task that created them.
    const iam = new IAMClient(aws.clientConfig(REGION));
    const roleTags = async () =>
      Object.fromEntries(
        ((await iam.send(new ListRoleTagsCommand({ RoleName: ROLE }))).Tags ?? []).map((t) => [t.Key, t.Value]),
      );
    const associationTags = async () =>
      (
        await eks.send(
          new DescribePodIdentityAssociationCommand({
            clusterName: CLUSTER,
            associationId: r.outputs['association-id'],
          }),
        )
      ).association?.tags;
    expect(await roleTags()).toMatchObject(provenance);
    expect(await associationTags()).toEqual(provenance);

    const again = await runStep(podIdentity({ CreateServiceAccount: 'False' }), {
      env,
      system: task('ServerTasks-102'),
    });
    expect(again.code).toBe(0);
    expect(again.outputs).toMatchObject({
      'role-arn': r.outputs['role-arn'],
      'association-id': r.outputs['association-id'],
      changed: 'false',
      changes: '[]',
    });
    expect(await roleTags()).toMatchObject(provenance);
    expect(await associationTags()).toEqual(provenance);
    iam.destroy();
  });

  test('Pod Identity creating the namespace and service account through an EKS token', async () => {
    const r = await runStep(podIdentity({ CreateServiceAccount: 'True' }), { env });
    expect(r.failure).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.outputs.changed).toBe('true');
    expect(kube.get('namespaces', undefined, 'octopus-worker-awsagentworker')).toBeDefined();
    expect(kube.get('serviceaccounts', 'octopus-worker-awsagentworker', 'octopus-agent-scripts')).toBeDefined();
    expect(kube.lastEksToken()).toBeDefined();
  });

  test("IRSA on the service account the agent's Helm chart created: annotated, its labels kept", async () => {
    const ns = 'octopus-agent-mycluster';
    kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    kube.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'octopus-agent-scripts', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
    });
    const r = await runStep(
      {
        ClusterName: CLUSTER,
        AwsRegion: REGION,
        Mode: 'irsa',
        Namespace: ns,
        ServiceAccount: 'octopus-agent-scripts',
        RoleName: ROLE,
        CreateServiceAccount: 'False',
      },
      { env },
    );
    expect(r.failure).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.outputs['oidc-provider-arn']).toMatch(/^arn:aws:iam::\d{12}:oidc-provider\//);
    const sa = kube.get('serviceaccounts', ns, 'octopus-agent-scripts')!;
    expect((sa.metadata as { annotations?: Record<string, string> }).annotations?.['eks.amazonaws.com/role-arn']).toBe(
      r.outputs['role-arn'],
    );
    expect((sa.metadata as { labels?: Record<string, string> }).labels).toEqual({
      'app.kubernetes.io/managed-by': 'Helm',
    });
  });
});
