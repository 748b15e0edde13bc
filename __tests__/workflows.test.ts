// The lint step's action/workflow validation (scripts/validate-actions.ts): the repository's action.yml, workflows
// and examples pass it, and a typo in any of them fails it, both through its functions and as `npm run lint`
// runs it (exit code and message).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { actionInputs, checkUsesOfThisAction, kindOf, selfCheck, validate } from '../scripts/validate-actions.js';
import { runProcess } from './helpers/process.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const ACTION = read('action.yml');
const INPUTS = actionInputs(ACTION);
const yamlIn = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `${dir}/${name}`);
const WORKFLOWS = [...yamlIn('.github/workflows'), ...yamlIn('examples')];
const SINGLE = read('examples/single-binding.yml');

/** Replaces exactly one occurrence, so a fixture cannot silently stay unbroken. */
function breakOnce(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

test('the repository has the workflows and examples a Marketplace action has', () => {
  expect(WORKFLOWS).toEqual(
    expect.arrayContaining([
      '.github/workflows/ci.yml',
      '.github/workflows/check-dist.yml',
      '.github/workflows/release.yml',
      'examples/single-binding.yml',
      'examples/matrix-clusters.yml',
    ]),
  );
  const dependabot = parse(read('.github/dependabot.yml')) as { updates: { 'package-ecosystem': string }[] };
  expect(dependabot.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
  expect(read('.ci/run')).toMatch(/npm run lint/);
});

test('action.yml (runs.using node24, branding) and every workflow and example are valid', () => {
  expect(kindOf('action.yml')).toBe('action');
  expect(validate('action', ACTION)).toEqual([]);
  for (const file of WORKFLOWS) {
    expect(kindOf(file)).toBe('workflow');
    expect({ file, problems: validate('workflow', read(file)) }).toEqual({ file, problems: [] });
    expect({ file, problems: checkUsesOfThisAction(read(file), INPUTS) }).toEqual({ file, problems: [] });
  }
});

test('the examples use this action with its required inputs', () => {
  for (const file of yamlIn('examples')) {
    expect(read(file)).toMatch(/uses: eks-pod-iam\/eks-pod-iam@v1\n/);
  }
  // No input is required by itself: cluster-name and service-account are, unless bindings is given.
  expect([...INPUTS].filter(([, required]) => required)).toEqual([]);
  for (const file of yamlIn('examples')) {
    const workflow = parse(read(file)) as { jobs: Record<string, { steps: { uses?: string; with?: object }[] }> };
    for (const step of Object.values(workflow.jobs).flatMap((job) => job.steps))
      if (step.uses?.startsWith('eks-pod-iam/')) {
        const given = Object.keys(step.with ?? {});
        const oneBinding = given.includes('cluster-name') && given.includes('service-account');
        expect({ file, given, ok: oneBinding || given.includes('bindings') }).toEqual({ file, given, ok: true });
      }
  }
});

test('the self-check passes: broken files are rejected and the node24 override is still needed', () => {
  expect(selfCheck()).toEqual([]);
});

test('a typo in a workflow fails, naming where', () => {
  const cases: [string, string, RegExp][] = [
    ['    runs-on: ubuntu-latest', '    runs_on: ubuntu-latest', /Additional property 'runs_on' is not allowed/],
    ['  pull_request:\n', '  pull_requests:\n', /\/on/],
    ['      - id: iam\n', '      - idd: iam\n', /Additional property 'idd' is not allowed/],
    ['  id-token: write', '  id-token: writ', /\/permissions/],
    ['        uses: eks-pod-iam', '        uses eks-pod-iam', /Parse Error|line \d+/],
  ];
  for (const [from, to, expected] of cases) {
    const problems = validate('workflow', breakOnce(SINGLE, from, to));
    expect({ to, problems }).toEqual({ to, problems: expect.arrayContaining([expect.stringMatching(expected)]) });
  }
});

test('a step using this action with an input action.yml lacks, or without a required one, fails', () => {
  const misspelt = breakOnce(SINGLE, '          cluster-name: prod', '          clustr-name: prod');
  expect(validate('workflow', misspelt)).toEqual([]); // the schema cannot know our inputs
  expect(checkUsesOfThisAction(misspelt, INPUTS)).toEqual([
    "/jobs/bind/steps/1/with/clustr-name: eks-pod-iam/eks-pod-iam@v1 has no input 'clustr-name' (see action.yml)",
  ]);
  // No input of action.yml is required by itself today (cluster-name is, unless bindings is given): the check of
  // required inputs is shown with cluster-name marked required.
  expect(checkUsesOfThisAction(misspelt, new Map([...INPUTS, ['cluster-name', true]]))).toEqual([
    "/jobs/bind/steps/1/with/clustr-name: eks-pod-iam/eks-pod-iam@v1 has no input 'clustr-name' (see action.yml)",
    "/jobs/bind/steps/1/with: eks-pod-iam/eks-pod-iam@v1 requires the input 'cluster-name'",
  ]);
  const local = SINGLE.replace('uses: eks-pod-iam/eks-pod-iam@v1', 'uses: ./').replace('role-name:', 'role-nam:');
  expect(checkUsesOfThisAction(local, INPUTS)).toEqual([
    "/jobs/bind/steps/1/with/role-nam: ./ has no input 'role-nam' (see action.yml)",
  ]);
  // Other actions' inputs are not ours to check.
  expect(checkUsesOfThisAction(SINGLE.replace('role-to-assume:', 'role-to-asume:'), INPUTS)).toEqual([]);
});

test('action.yml: an unknown runtime, an icon GitHub does not offer, or a misspelt key fails', () => {
  const cases: [string, string, RegExp][] = [
    ["  using: 'node24'", "  using: 'node42'", /\/runs/],
    ["  icon: 'lock'", "  icon: 'key'", /\/branding\/icon: Enum conditions are not met, got "key"/],
    ["  main: 'dist/index.js'", "  mian: 'dist/index.js'", /\/runs/],
    ['  cluster-name:\n    description:', '  cluster-name:\n    descripton:', /\/inputs\/cluster-name/],
  ];
  for (const [from, to, expected] of cases) {
    const problems = validate('action', breakOnce(ACTION, from, to));
    expect({ to, problems }).toEqual({ to, problems: expect.arrayContaining([expect.stringMatching(expected)]) });
  }
});

test('as `npm run lint` runs it: exit 0 on the repository, exit 1 naming each broken file', async () => {
  const tsx = join(ROOT, 'node_modules/.bin/tsx');
  const script = join(ROOT, 'scripts/validate-actions.ts');
  const ok = await runProcess(tsx, [script], { cwd: ROOT });
  expect(ok).toMatchObject({ code: 0, stderr: '' });
  expect(ok.stdout).toMatch(/^\d+ action\/workflow files valid\.\n$/);

  const dir = mkdtempSync(join(tmpdir(), 'validate-actions-'));
  try {
    const workflow = join(dir, 'bind.yml');
    const action = join(dir, 'action.yml');
    writeFileSync(workflow, breakOnce(SINGLE, '    runs-on: ubuntu-latest', '    runs_on: ubuntu-latest'));
    writeFileSync(action, breakOnce(ACTION, "  using: 'node24'", "  using: 'node2'"));
    const bad = await runProcess(tsx, [script, workflow, action, join(ROOT, 'examples/matrix-clusters.yml')], {
      cwd: dir,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^bind\.yml: \/jobs\/bind: .*runs_on/m);
    expect(bad.stderr).toMatch(/^action\.yml: \/runs: /m);
    expect(bad.stderr).not.toMatch(/matrix-clusters/);
    expect(bad.stderr).toMatch(/2 of 3 action\/workflow files are not valid\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
