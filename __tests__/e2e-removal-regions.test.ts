// Clean-up across the account (issue 18) end to end: a role is global, associations are regional. Removal takes a
// role's plain Pod Identity statement, the role itself, a target role's grant or a target from the role's policy only
// once no association in ANY region enabled for the account uses it; a region it cannot read keeps them (and says
// what to remove by hand); each region is read once per run. The program in process against moto (+ extensions, which
// keep associations per region and can refuse a region) and the local Kubernetes API server; end states judged with
// the AWS SDK (helpers/judge.ts), calls counted in the AWS emulator's journal.
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { aws, clearJournals, trustOf } from './helpers/judge.js';
import { type ActionRun } from './helpers/run-action.js';
import { runInProcess } from './helpers/run-in-process.js';

const ACCOUNT = '123456789012';
const ROLE = 'shared-role';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const TARGET = `arn:aws:iam::${ACCOUNT}:role/data-reader`;
const EAST = { region: 'us-east-1', cluster: 'east', sa: 'api-east' };
const WEST = { region: 'eu-west-1', cluster: 'west', sa: 'api-west' };
type Site = typeof EAST;
const ec2Statement = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
/** The plain statement eks-pod-iam writes, exactly as the warning must print it. */
const PLAIN = {
  Sid: 'EksPodIamPodIdentity',
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};

let emu: Emulators;
beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(EAST.cluster, EAST.region);
  await emu.createCluster(WEST.cluster, WEST.region);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await aws(emu, [
    'iam',
    'create-role',
    '--role-name',
    'data-reader',
    '--assume-role-policy-document',
    JSON.stringify({ Version: '2012-10-17', Statement: [ec2Statement] }),
  ]);
  await clearJournals(emu);
});

const run = (site: Site, over: Record<string, string> = {}) =>
  runInProcess(
    {
      'cluster-name': site.cluster,
      'aws-region': site.region,
      namespace: 'apps',
      'service-account': site.sa,
      'role-name': ROLE,
      'create-service-account': 'false',
      ...over,
    },
    { env: { ...emu.programEnv(site.region), EKS_POD_IAM_TIME_SCALE: '0.01' } },
  );
const ok = (r: ActionRun) => expect(r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stdout}${r.stderr}`).toBe('exit 0');
const changeList = (r: ActionRun) => r.changes.map((c) => `${c.resource} ${c.action}`);
const roleExists = async (role = ROLE) =>
  (await aws(emu, ['iam', 'list-roles'])).Roles.some((x: any) => x.RoleName === role);
const associations = async (site: Site) =>
  (await aws(emu, ['eks', 'list-pod-identity-associations', '--cluster-name', site.cluster], site.region)).associations;
const externalIdOf = async (site: Site, sa = site.sa) => {
  const { associationId } = (await associations(site)).find((a: any) => a.serviceAccount === sa);
  const args = ['eks', 'describe-pod-identity-association', '--cluster-name', site.cluster, '--association-id'];
  return (await aws(emu, [...args, associationId], site.region)).association.externalId as string;
};
const grant = (externalId: string) =>
  expect.objectContaining({
    Sid: expect.stringMatching(/^EksPodIamTarget/),
    Principal: { AWS: ROLE_ARN },
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  });
const targetsOf = async (role = ROLE) =>
  (await aws(emu, ['iam', 'get-role-policy', '--role-name', role, '--policy-name', 'eks-pod-iam-target']))
    .PolicyDocument.Statement[0].Resource;
const warnings = (r: ActionRun) => r.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
/** ListClusters calls per region since the journal was cleared. */
const listClustersPerRegion = async () =>
  (await emu.aws.journal())
    .filter((j) => j.operation === 'ListClusters')
    .reduce<Record<string, number>>((n, j) => ({ ...n, [j.region]: (n[j.region] ?? 0) + 1 }), {});

test('one role in two regions: removing one keeps statement and role; removing the other removes both', async () => {
  ok(await run(EAST));
  ok(await run(WEST));
  expect((await trustOf(emu, ROLE)).Statement).toEqual([PLAIN]);
  await clearJournals(emu);

  const first = await run(EAST, { state: 'absent' });
  ok(first);
  expect(changeList(first)).toEqual(['pod-identity-association delete']);
  expect(first.stdout).toContain(
    `The pods.eks.amazonaws.com statement of ${ROLE} stays: 1 other association(s) name the role ` +
      `(eu-west-1/west/apps/api-west).`,
  );
  expect(await roleExists()).toBe(true);
  expect((await trustOf(emu, ROLE)).Statement).toEqual([PLAIN]);
  expect([await associations(EAST), (await associations(WEST)).map((a: any) => a.serviceAccount)]).toEqual([
    [],
    ['api-west'],
  ]);
  // Every enabled region was read, once, the other region's clusters included.
  const scanned = await listClustersPerRegion();
  expect(scanned).toMatchObject({ 'us-east-1': 1, 'eu-west-1': 1 });
  expect(Object.values(scanned).every((n) => n === 1)).toBe(true);

  const second = await run(WEST, { state: 'absent' });
  ok(second);
  expect(changeList(second)).toEqual(['pod-identity-association delete', 'iam-role delete']);
  expect(await roleExists()).toBe(false);
  expect(await associations(WEST)).toEqual([]);
});

test("a target role's grants, one per association: the other region's grant and the target stay", async () => {
  const withTarget = { 'target-role-arn': TARGET };
  ok(await run(EAST, withTarget));
  ok(await run(WEST, withTarget));
  const [east, west] = [await externalIdOf(EAST), await externalIdOf(WEST)];
  expect(east).not.toBe(west);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, grant(east), grant(west)]);

  const first = await run(EAST, { ...withTarget, state: 'absent' });
  ok(first);
  expect(changeList(first)).toEqual(['pod-identity-association delete', 'iam-target-role-trust remove']);
  // Only the removed association's grant: the west association's grant (its external ID) is in use there.
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement, grant(west)]);
  expect((await trustOf(emu, ROLE)).Statement).toEqual([PLAIN]);
  expect(await targetsOf()).toEqual([TARGET]);

  const second = await run(WEST, { ...withTarget, state: 'absent' });
  ok(second);
  expect(changeList(second)).toEqual([
    'pod-identity-association delete',
    'iam-inline-policy delete',
    'iam-role delete',
    'iam-target-role-trust remove',
  ]);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement]);
  expect(await roleExists()).toBe(false);
});

test('an unreadable region keeps the statement and role, warns with the statement; the rerun finishes', async () => {
  ok(await run(EAST));
  await emu.aws.setRegions({ refused: [WEST.region] });
  await clearJournals(emu);

  const r = await run(EAST, { state: 'absent' });
  ok(r); // not a failure of the binding
  expect(changeList(r)).toEqual(['pod-identity-association delete']);
  expect(await associations(EAST)).toEqual([]);
  expect(await roleExists()).toBe(true);
  expect((await trustOf(emu, ROLE)).Statement).toEqual([PLAIN]);
  const warning = warnings(r).find((l) => l.includes(`statement of role ${ROLE} stays`))!;
  expect(warning).toContain('eu-west-1 (AccessDeniedException');
  expect(JSON.parse(warning.slice(warning.lastIndexOf(': {') + 2))).toEqual(PLAIN);
  expect(JSON.parse(r.outputs.bindings!)[0].error).toBeUndefined();

  await emu.aws.setRegions({ refused: [] });
  const again = await run(EAST, { state: 'absent' });
  ok(again);
  expect(changeList(again)).toEqual(['iam-role delete']);
  expect(await roleExists()).toBe(false);
});

test('an unreadable region keeps a grant that looks stale and the policy target; the rerun takes them', async () => {
  const withTarget = { 'target-role-arn': TARGET };
  const worker = { ...withTarget, 'service-account': 'worker' };
  ok(await run(EAST, withTarget));
  ok(await run(EAST, worker));
  const api = (await associations(EAST)).find((a: any) => a.serviceAccount === 'api-east');
  const apiId = await externalIdOf(EAST, 'api-east');
  // A run killed after deleting the api association: its grant is left, and only its Sid and role tell it.
  await aws(
    emu,
    ['eks', 'delete-pod-identity-association', '--cluster-name', 'east', '--association-id', api.associationId],
    EAST.region,
  );
  await emu.aws.setRegions({ refused: [WEST.region] });

  const r = await run(EAST, { ...worker, state: 'absent' });
  ok(r);
  // The worker's own grant goes (its association is deleted); the one that looks stale stays, and so does the role.
  expect(changeList(r)).toEqual(['pod-identity-association delete', 'iam-target-role-trust remove']);
  const statements = (await trustOf(emu, 'data-reader')).Statement;
  expect(statements).toEqual([ec2Statement, grant(apiId)]);
  const warning = warnings(r).find((l) => l.includes('in the trust policy of target role data-reader stay'))!;
  expect(warning).toContain('eu-west-1 (AccessDeniedException');
  expect(JSON.parse(warning.slice(warning.lastIndexOf(': {') + 2))).toEqual(statements[1]);
  expect(warnings(r).some((l) => l.includes(`Target role ${TARGET} stays in the eks-pod-iam-target policy`))).toBe(
    true,
  );
  expect(await roleExists()).toBe(true);
  expect(await targetsOf()).toEqual([TARGET]);

  await emu.aws.setRegions({ refused: [] });
  const again = await run(EAST, { ...worker, state: 'absent' });
  ok(again);
  expect(changeList(again).sort()).toEqual([
    'iam-inline-policy delete',
    'iam-role delete',
    'iam-target-role-trust remove',
  ]);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement]);
  expect(await roleExists()).toBe(false);
});

test('a removal manifest of 5 roles reads the region list once and each enabled region once', async () => {
  await emu.aws.setRegions({ enabled: ['us-east-1', 'eu-west-1', 'af-south-1'] });
  const items = (state: string) =>
    Array.from({ length: 5 }, (_, i) => ({
      'cluster-name': EAST.cluster,
      namespace: 'apps',
      'service-account': `sa-${i}`,
      'role-name': `manifest-role-${i}`,
      ...(i < 2 ? { 'target-role-arn': TARGET } : {}),
      state,
    }));
  const manifest = (state: string) =>
    runInProcess(
      { bindings: JSON.stringify(items(state)), 'aws-region': EAST.region, 'create-service-account': 'false' },
      { env: { ...emu.programEnv(EAST.region), EKS_POD_IAM_TIME_SCALE: '0.01' } },
    );
  ok(await manifest('present'));
  ok(await run(WEST, { 'role-name': 'manifest-role-4' })); // a user of role 4 in the other region
  await clearJournals(emu);

  const r = await manifest('absent');
  ok(r);
  expect(await listClustersPerRegion()).toEqual({ 'us-east-1': 1, 'eu-west-1': 1, 'af-south-1': 1 });
  const journal = await emu.aws.journal();
  expect(journal.filter((j) => j.operation === 'ListRegions')).toHaveLength(1);
  // No call to a region the account has not enabled.
  expect(journal.filter((j) => j.status === 403)).toEqual([]);
  // Roles 0-3 go; role 4 stays for its association in eu-west-1.
  expect(await Promise.all([0, 1, 2, 3, 4].map((i) => roleExists(`manifest-role-${i}`)))).toEqual([
    false,
    false,
    false,
    false,
    true,
  ]);
  expect((await trustOf(emu, 'data-reader')).Statement).toEqual([ec2Statement]);
});
