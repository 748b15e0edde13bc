// The action run by GitHub's own local runner, @github/local-action (`npx local-action . src/main.ts <envfile>`):
// it loads the TypeScript entrypoint through tsx, calls its exported run() with its own arguments in
// process.argv, and substitutes its own @actions/core (which keeps the outputs it reports) and
// @actions/github context. Against the emulators, as the end-to-end tests are.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, kubectl, writes } from './helpers/judge.js';
import { runProcess } from './helpers/process.js';
import { ROOT } from './helpers/run-action.js';

const LOCAL_ACTION = join(ROOT, 'node_modules/.bin/local-action');
const CLUSTER = 'local';
const ROLE = 'local-action-role';

let emu: Emulators;
let dir: string;
beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-action-'));
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 1 });
  await clearJournals(emu);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface LocalRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Writes the .env file local-action reads (single-quoted: taken literally) and runs the action with it. */
async function localAction(vars: Record<string, string>): Promise<LocalRun> {
  const envFile = join(dir, '.env');
  const summary = join(dir, 'summary.md');
  writeFileSync(summary, '');
  const all = { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01', GITHUB_STEP_SUMMARY: summary, ...vars };
  writeFileSync(
    envFile,
    Object.entries(all)
      .map(([k, v]) => `${k}='${v}'`)
      .join('\n') + '\n',
  );
  // No GITHUB_ACTIONS and no GITHUB_OUTPUT: local-action provides neither, and the action still runs as GitHub's.
  const { code, stdout } = await runProcess(LOCAL_ACTION, ['.', 'src/main.ts', envFile], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  return { code, stdout, outputs: reportedOutputs(stdout), summary: readFileSync(summary, 'utf8') };
}

/** The outputs local-action reports at the end, a console.table of Output and Value. */
function reportedOutputs(stdout: string): Record<string, string> {
  const table = stdout.slice(stdout.lastIndexOf('Action Outputs'));
  const out: Record<string, string> = {};
  for (const m of table.matchAll(/^│ \d+\s+│ '([^']+)'\s+│ (.*?)\s+│$/gm)) {
    const v = m[2]!;
    out[m[1]!] = /^(['"`]).*\1$/.test(v) ? v.slice(1, -1) : v;
  }
  return out;
}

test('Pod Identity through local-action: the outputs it reports, the job summary, and what was made', async () => {
  const r = await localAction({
    'INPUT_CLUSTER-NAME': CLUSTER,
    INPUT_NAMESPACE: 'apps',
    'INPUT_SERVICE-ACCOUNT': 'api',
    'INPUT_ROLE-NAME': ROLE,
    'INPUT_POLICY-ARNS': 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    GITHUB_REPOSITORY: 'acme/platform',
    GITHUB_RUN_ID: '77',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKFLOW: 'local',
  });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Running Action');
  expect(r.stdout).not.toMatch(/::error::|Error:/);
  const roleArn = `arn:aws:iam::123456789012:role/${ROLE}`;
  expect(r.outputs['role-arn']).toBe(roleArn);
  expect(r.outputs.changed).toBe('true');
  expect(r.outputs['association-id']).toMatch(/^a-[a-z0-9]{17}$/);
  const [association] = (
    await aws(emu, [
      'eks',
      'list-pod-identity-associations',
      '--cluster-name',
      CLUSTER,
      '--namespace',
      'apps',
      '--service-account',
      'api',
    ])
  ).associations;
  expect(r.outputs['association-id']).toBe(association.associationId);
  expect(r.outputs['association-arn']).toBe(association.associationArn);
  expect(
    JSON.parse(r.outputs.changes!).map((c: { resource: string; action: string }) => `${c.resource} ${c.action}`),
  ).toContain('pod-identity-association create');

  // local-action's stand-in for @actions/github's context names the run given in the .env file.
  const tags = (await aws(emu, ['iam', 'list-role-tags', '--role-name', ROLE])).Tags;
  expect(tags).toContainEqual({
    Key: 'eks-pod-iam:github-run',
    Value: 'https://github.com/acme/platform/actions/runs/77',
  });
  expect(r.summary).toMatch(/\| pod-identity-association \| create \|/);
  expect(r.summary).toContain('local · run [77](https://github.com/acme/platform/actions/runs/77)');
  expect(
    (await kubectl(emu, CLUSTER, ['get', 'serviceaccount', 'api', '-n', 'apps', '-o', 'json'])).metadata.name,
  ).toBe('api');

  await clearJournals(emu);
  const again = await localAction({
    'INPUT_CLUSTER-NAME': CLUSTER,
    INPUT_NAMESPACE: 'apps',
    'INPUT_SERVICE-ACCOUNT': 'api',
    'INPUT_ROLE-NAME': ROLE,
    'INPUT_POLICY-ARNS': 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
  });
  expect(again.outputs).toMatchObject({
    'role-arn': roleArn,
    'association-id': r.outputs['association-id'],
    changed: 'false',
    changes: '[]',
  });
  expect((await writes(emu)).aws).toEqual([]);
});

test('bad input through local-action: the error names the input and no output is set', async () => {
  const r = await localAction({
    'INPUT_CLUSTER-NAME': 'bad name',
    'INPUT_SERVICE-ACCOUNT': 'api',
    'INPUT_ROLE-NAME': 'r',
  });
  expect(r.stdout).toMatch(/Input "cluster-name" must be an EKS cluster name/);
  expect(r.stdout).toContain('No outputs were set!');
  expect(r.outputs).toEqual({});
  expect((await writes(emu)).awsCalls).toEqual([]);
});
