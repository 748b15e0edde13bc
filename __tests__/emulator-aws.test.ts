// Self-tests of the local AWS emulator (moto + emulators/aws/moto_ext.py): what it adds to moto is
// checked with an independent client, the aws CLI v1, and with the real SDK v3 clients the action uses.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import {
  EKSClient,
  CreateAddonCommand,
  DescribeAddonCommand,
  CreatePodIdentityAssociationCommand,
  ResourceInUseException,
  waitUntilAddonActive,
  paginateListPodIdentityAssociations,
  DescribeClusterCommand,
  UpdatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribePodIdentityAssociationCommand,
  DescribeAddonConfigurationCommand,
  InvalidParameterException,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { IAMClient, CreateRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startAwsEmulator, isMutating, type AwsEmulator } from '../emulators/aws/index.js';

const run = promisify(execFile);
const ACCOUNT = '123456789012';
const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const PODS_TRUST = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
  ],
};
const ASSOCIATION_ID = /^a-[a-z0-9]{17}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emu: AwsEmulator;
let eks: EKSClient;
let iam: IAMClient;

beforeAll(async () => {
  startCli();
  emu = await startAwsEmulator();
  eks = new EKSClient(emu.clientConfig());
  iam = new IAMClient(emu.clientConfig());
});
afterAll(async () => {
  cli?.kill();
  await emu?.stop();
});
beforeEach(async () => {
  await emu.reset();
});

// ---- aws CLI helpers. The CLI's own entry point (awscli.clidriver, what the `aws` script runs) is kept
// alive in one python process, so a call costs ~20 ms instead of ~0.7 s of interpreter start-up; the
// last test checks it answers byte for byte like the `aws` binary.
const CLI_RUNNER = `
import sys, json, io, contextlib
from awscli.clidriver import create_clidriver
driver = create_clidriver()
for line in sys.stdin:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = driver.main(json.loads(line))
        except SystemExit as e:
            code = e.code
    print(json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}), flush=True)
`;
const CLI_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  AWS_MAX_ATTEMPTS: '1',
};
type CliResult = { code: number; stdout: string; stderr: string };
let cli: ChildProcess;
const pending: ((r: CliResult) => void)[] = [];

function startCli(): void {
  cli = spawn('python3', ['-c', CLI_RUNNER], { env: CLI_ENV, stdio: ['pipe', 'pipe', 'inherit'] });
  createInterface({ input: cli.stdout! }).on('line', (line) => pending.shift()?.(JSON.parse(line) as CliResult));
}
const cliArgs = (args: string[], region: string) => [
  '--endpoint-url',
  emu.endpoint,
  '--region',
  region,
  '--output',
  'json',
  ...args,
];
function awsRaw(args: string[], region = 'us-east-1'): Promise<CliResult> {
  return new Promise((resolve) => {
    pending.push(resolve); // the runner answers in order
    cli.stdin!.write(JSON.stringify(cliArgs(args, region)) + '\n');
  });
}
async function aws(args: string[], region = 'us-east-1'): Promise<any> {
  const r = await awsRaw(args, region);
  if (r.code !== 0) throw Object.assign(new Error(`aws ${args.join(' ')} failed: ${r.stderr}`), r);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}
async function awsError(
  args: string[],
  region = 'us-east-1',
): Promise<{ code: string; operation: string; message: string }> {
  const r = await awsRaw(args, region);
  const m = /An error occurred \((\w+)\) when calling the (\w+) operation: (.*)/.exec(r.stderr);
  if (r.code === 0 || !m)
    throw new Error(`expected aws ${args.join(' ')} to fail with an AWS error, got ${r.code}: ${r.stdout}${r.stderr}`);
  return { code: m[1]!, operation: m[2]!, message: m[3]!.trim() };
}
const eksArgs = (op: string, cluster: string, ...rest: string[]) => ['eks', op, '--cluster-name', cluster, ...rest];

async function podRole(name: string, trust: unknown = PODS_TRUST): Promise<string> {
  const out = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  return out.Role!.Arn!;
}
const ops = async (operation: string) => (await emu.journal()).filter((e) => e.operation === operation);

describe('EKS add-ons (aws CLI)', () => {
  test('create, describe through CREATING to ACTIVE, list, update, delete', async () => {
    await emu.createCluster('c1');
    const { addon } = await aws(
      eksArgs('create-addon', 'c1', '--addon-name', 'eks-pod-identity-agent', '--tags', 'team=x'),
    );
    expect(addon).toEqual({
      addonName: 'eks-pod-identity-agent',
      clusterName: 'c1',
      status: 'CREATING',
      addonVersion: 'v1.3.4-eksbuild.1',
      health: { issues: [] },
      addonArn: expect.stringMatching(
        /^arn:aws:eks:us-east-1:123456789012:addon\/c1\/eks-pod-identity-agent\/[0-9a-f-]{36}$/,
      ),
      createdAt: expect.any(Number),
      modifiedAt: expect.any(Number),
      tags: { team: 'x' },
    });
    const describe = async () =>
      (await aws(eksArgs('describe-addon', 'c1', '--addon-name', 'eks-pod-identity-agent'))).addon;
    expect([(await describe()).status, (await describe()).status, (await describe()).status]).toEqual([
      'CREATING',
      'CREATING',
      'ACTIVE',
    ]);
    expect(await aws(eksArgs('list-addons', 'c1'))).toEqual({ addons: ['eks-pod-identity-agent'] });

    const { update } = await aws(
      eksArgs('update-addon', 'c1', '--addon-name', 'eks-pod-identity-agent', '--addon-version', 'v1.3.5-eksbuild.2'),
    );
    expect(update).toMatchObject({
      status: 'InProgress',
      type: 'AddonUpdate',
      params: [{ type: 'AddonVersion', value: 'v1.3.5-eksbuild.2' }],
      errors: [],
    });
    expect(update.id).toMatch(UUID);
    expect(await describe()).toMatchObject({ status: 'UPDATING', addonVersion: 'v1.3.5-eksbuild.2' });

    const deleted = (await aws(eksArgs('delete-addon', 'c1', '--addon-name', 'eks-pod-identity-agent'))).addon;
    expect(deleted).toMatchObject({ status: 'DELETING', addonArn: addon.addonArn });
    expect(await aws(eksArgs('list-addons', 'c1'))).toEqual({ addons: [] });
  });

  test('errors: unknown cluster 404, existing add-on 409, unknown add-on 404 with the EKS wording', async () => {
    await emu.createCluster('c1');
    await aws(eksArgs('create-addon', 'c1', '--addon-name', 'vpc-cni'));
    const noCluster = { code: 'ResourceNotFoundException', message: 'No cluster found for name: nope.' };
    const results = await Promise.all([
      awsError(eksArgs('create-addon', 'nope', '--addon-name', 'vpc-cni')),
      awsError(eksArgs('list-addons', 'nope')),
      awsError(eksArgs('create-addon', 'c1', '--addon-name', 'vpc-cni')),
      awsError(eksArgs('describe-addon', 'c1', '--addon-name', 'coredns')),
      awsError(eksArgs('delete-addon', 'c1', '--addon-name', 'coredns')),
      awsError(eksArgs('update-addon', 'c1', '--addon-name', 'coredns', '--addon-version', 'v1')),
    ]);
    expect(results).toEqual([
      { ...noCluster, operation: 'CreateAddon' },
      { ...noCluster, operation: 'ListAddons' },
      { code: 'ResourceInUseException', operation: 'CreateAddon', message: 'Addon already exists.' },
      {
        code: 'ResourceNotFoundException',
        operation: 'DescribeAddon',
        message: 'No addon: coredns found in cluster: c1',
      },
      {
        code: 'ResourceNotFoundException',
        operation: 'DeleteAddon',
        message: 'No addon: coredns found in cluster: c1',
      },
      {
        code: 'ResourceNotFoundException',
        operation: 'UpdateAddon',
        message: 'No addon: coredns found in cluster: c1',
      },
    ]);
    expect((await ops('CreateAddon')).map((e) => e.status).sort()).toEqual([200, 404, 409]);
  });

  test('behaviour switch per add-on name: immediate ACTIVE, DEGRADED, CREATE_FAILED with health issues', async () => {
    await emu.createCluster('c1');
    const issue = { code: 'AccessDenied', message: 'no access', resourceIds: ['kube-system/x'] };
    await emu.setAddonBehaviour({ readsUntilActive: 0 });
    await emu.setAddonBehaviour({ addonName: 'coredns', readsUntilActive: 1, outcome: 'DEGRADED', issues: [issue] });
    await emu.setAddonBehaviour({ addonName: 'vpc-cni', readsUntilActive: 1, outcome: 'CREATE_FAILED' });
    const created = await Promise.all(
      ['kube-proxy', 'coredns', 'vpc-cni'].map((n) => aws(eksArgs('create-addon', 'c1', '--addon-name', n))),
    );
    expect(created.map((c) => c.addon.status)).toEqual(['ACTIVE', 'CREATING', 'CREATING']);
    const read = (n: string) =>
      aws(eksArgs('describe-addon', 'c1', '--addon-name', n)).then((r) => [r.addon.status, r.addon.health.issues]);
    expect(await Promise.all([read('coredns'), read('vpc-cni')])).toEqual([
      ['CREATING', []],
      ['CREATING', []],
    ]);
    expect(await Promise.all([read('coredns'), read('vpc-cni')])).toEqual([
      ['DEGRADED', [issue]],
      [
        'CREATE_FAILED',
        [
          {
            code: 'InsufficientNumberOfReplicas',
            message: "The add-on is unhealthy because it doesn't have the desired number of replicas.",
            resourceIds: [],
          },
        ],
      ],
    ]);
  });

  test('an add-on created with pod identity associations owns them (ownerArn)', async () => {
    await emu.createCluster('c1');
    await podRole('ebs');
    const { addon } = await aws(
      eksArgs(
        'create-addon',
        'c1',
        '--addon-name',
        'aws-ebs-csi-driver',
        '--pod-identity-associations',
        `serviceAccount=ebs-csi-controller-sa,roleArn=${ROLE('ebs')}`,
      ),
    );
    const { associations } = await aws(eksArgs('list-pod-identity-associations', 'c1'));
    expect(associations).toEqual([
      {
        clusterName: 'c1',
        namespace: 'kube-system',
        serviceAccount: 'ebs-csi-controller-sa',
        ownerArn: addon.addonArn,
        associationArn: addon.podIdentityAssociations[0],
        associationId: expect.stringMatching(ASSOCIATION_ID),
      },
    ]);
  });
});

describe('EKS pod identity associations (aws CLI)', () => {
  test('create, describe, update, delete with the exact EKS shapes', async () => {
    await emu.createCluster('c1');
    await Promise.all([podRole('app'), podRole('app2')]);
    const { association: a } = await aws(
      eksArgs(
        'create-pod-identity-association',
        'c1',
        '--namespace',
        'ns',
        '--service-account',
        'sa',
        '--role-arn',
        ROLE('app'),
        '--tags',
        'k=v',
      ),
    );
    expect(a).toEqual({
      clusterName: 'c1',
      namespace: 'ns',
      serviceAccount: 'sa',
      roleArn: ROLE('app'),
      associationId: expect.stringMatching(ASSOCIATION_ID),
      associationArn: `arn:aws:eks:us-east-1:${ACCOUNT}:podidentityassociation/c1/${a.associationId}`,
      tags: { k: 'v' },
      createdAt: expect.any(Number),
      modifiedAt: a.createdAt,
      disableSessionTags: false,
    });
    expect(
      (await aws(eksArgs('describe-pod-identity-association', 'c1', '--association-id', a.associationId))).association,
    ).toEqual(a);

    await new Promise((r) => setTimeout(r, 20));
    const { association: u } = await aws(
      eksArgs(
        'update-pod-identity-association',
        'c1',
        '--association-id',
        a.associationId,
        '--role-arn',
        ROLE('app2'),
        '--disable-session-tags',
        '--policy',
        '{"Version":"2012-10-17"}',
        '--target-role-arn',
        'arn:aws:iam::999999999999:role/t',
      ),
    );
    expect(u).toEqual({
      ...a,
      roleArn: ROLE('app2'),
      disableSessionTags: true,
      policy: '{"Version":"2012-10-17"}',
      targetRoleArn: 'arn:aws:iam::999999999999:role/t',
      externalId: expect.stringMatching(UUID),
      modifiedAt: expect.any(Number),
    });
    expect(u.modifiedAt).toBeGreaterThan(a.modifiedAt);

    expect(
      (await aws(eksArgs('delete-pod-identity-association', 'c1', '--association-id', a.associationId))).association,
    ).toEqual(u);
    expect(
      await awsError(eksArgs('describe-pod-identity-association', 'c1', '--association-id', a.associationId)),
    ).toEqual({
      code: 'ResourceNotFoundException',
      operation: 'DescribePodIdentityAssociation',
      message: `No Pod Identity Association found with id: ${a.associationId}`,
    });
  });

  test('list filters by namespace and service account; summaries carry ownerArn', async () => {
    await emu.createCluster('c1');
    await podRole('app');
    for (const [ns, sa] of [
      ['ns1', 'a'],
      ['ns1', 'b'],
      ['ns2', 'a'],
    ] as const) {
      await aws(
        eksArgs(
          'create-pod-identity-association',
          'c1',
          '--namespace',
          ns,
          '--service-account',
          sa,
          '--role-arn',
          ROLE('app'),
        ),
      );
    }
    const owner = `arn:aws:eks:us-east-1:${ACCOUNT}:addon/c1/amazon-cloudwatch-observability/0000`;
    const owned = await emu.createOwnedAssociation({
      clusterName: 'c1',
      namespace: 'ns3',
      serviceAccount: 'cw',
      roleArn: ROLE('app'),
      ownerArn: owner,
    });
    const list = async (...filters: string[]) =>
      (await aws(eksArgs('list-pod-identity-associations', 'c1', ...filters))).associations.map(
        (x: any) => `${x.namespace}/${x.serviceAccount}`,
      );
    expect(
      await Promise.all([
        list(),
        list('--namespace', 'ns1'),
        list('--service-account', 'a'),
        list('--namespace', 'ns2', '--service-account', 'a'),
        list('--namespace', 'zz'),
      ]),
    ).toEqual([['ns1/a', 'ns1/b', 'ns2/a', 'ns3/cw'], ['ns1/a', 'ns1/b'], ['ns1/a', 'ns2/a'], ['ns2/a'], []]);
    const { associations } = await aws(eksArgs('list-pod-identity-associations', 'c1', '--namespace', 'ns3'));
    expect(associations).toEqual([
      {
        clusterName: 'c1',
        namespace: 'ns3',
        serviceAccount: 'cw',
        associationArn: owned.associationArn,
        associationId: owned.associationId,
        ownerArn: owner,
      },
    ]);
    expect(
      (await aws(eksArgs('describe-pod-identity-association', 'c1', '--association-id', String(owned.associationId))))
        .association.ownerArn,
    ).toBe(owner);
  });

  test('pagination with --page-size / --max-items / --starting-token', async () => {
    await emu.createCluster('c1');
    await emu.setRoleValidation(false);
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push(
        (
          await aws(
            eksArgs(
              'create-pod-identity-association',
              'c1',
              '--namespace',
              'ns',
              '--service-account',
              `sa${i}`,
              '--role-arn',
              ROLE('r'),
            ),
          )
        ).association.associationId,
      );
    }
    await emu.clearJournal();
    const first = await aws(eksArgs('list-pod-identity-associations', 'c1', '--page-size', '2', '--max-items', '3'));
    expect(first.associations.map((a: any) => a.associationId)).toEqual(ids.slice(0, 3));
    expect(first.NextToken).toEqual(expect.any(String));
    const rest = await aws(
      eksArgs('list-pod-identity-associations', 'c1', '--page-size', '2', '--starting-token', first.NextToken),
    );
    expect(rest.associations.map((a: any) => a.associationId)).toEqual(ids.slice(3));
    expect(rest.NextToken).toBeUndefined();
    expect((await ops('ListPodIdentityAssociations')).length).toBe(4); // pages of 2: [1,2] [3,4] then [3,4] [5]
  });

  test('errors: 409 with the existing id, 404 cluster/association, 400 id length/role ARN, role checks', async () => {
    await emu.createCluster('c1');
    await Promise.all([
      podRole('app'),
      podRole('irsa-only', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: 'x' }, Action: 'sts:AssumeRoleWithWebIdentity' }],
      }),
    ]);
    const { association } = await aws(
      eksArgs(
        'create-pod-identity-association',
        'c1',
        '--namespace',
        'ns',
        '--service-account',
        'sa',
        '--role-arn',
        ROLE('app'),
      ),
    );
    const create = (sa: string, role: string, cluster = 'c1') =>
      awsError(
        eksArgs(
          'create-pod-identity-association',
          cluster,
          '--namespace',
          'ns',
          '--service-account',
          sa,
          '--role-arn',
          role,
        ),
      );
    const bad = 'a-zzzzzzzzzzzzzzzzz';
    const results = await Promise.all([
      create('sa', ROLE('app')),
      create('sa', ROLE('app'), 'nope'),
      awsError(eksArgs('list-pod-identity-associations', 'nope')),
      awsError(eksArgs('describe-pod-identity-association', 'c1', '--association-id', bad)),
      awsError(eksArgs('update-pod-identity-association', 'c1', '--association-id', bad, '--role-arn', ROLE('app'))),
      awsError(eksArgs('delete-pod-identity-association', 'c1', '--association-id', bad)),
      awsError(eksArgs('delete-pod-identity-association', 'c1', '--association-id', 'a-123')),
      create('other', 'not-an-arn'),
      create('other', ROLE('missing')),
      create('other', ROLE('irsa-only')),
    ]);
    expect(results).toEqual([
      {
        code: 'ResourceInUseException',
        operation: 'CreatePodIdentityAssociation',
        message: `Association already exists: ${association.associationId}`,
      },
      {
        code: 'ResourceNotFoundException',
        operation: 'CreatePodIdentityAssociation',
        message: 'No cluster found for name: nope.',
      },
      {
        code: 'ResourceNotFoundException',
        operation: 'ListPodIdentityAssociations',
        message: 'No cluster found for name: nope.',
      },
      {
        code: 'ResourceNotFoundException',
        operation: 'DescribePodIdentityAssociation',
        message: `No Pod Identity Association found with id: ${bad}`,
      },
      {
        code: 'ResourceNotFoundException',
        operation: 'UpdatePodIdentityAssociation',
        message: `No Pod Identity Association found with id: ${bad}`,
      },
      {
        code: 'ResourceNotFoundException',
        operation: 'DeletePodIdentityAssociation',
        message: `No Pod Identity Association found with id: ${bad}`,
      },
      {
        code: 'InvalidParameterException',
        operation: 'DeletePodIdentityAssociation',
        message: 'The parameter associationId should be 19 characters long.',
      },
      {
        code: 'InvalidParameterException',
        operation: 'CreatePodIdentityAssociation',
        message: "Invalid Role Arn: 'not-an-arn'",
      },
      {
        code: 'InvalidParameterException',
        operation: 'CreatePodIdentityAssociation',
        message: 'Role provided in the request does not exist',
      },
      {
        code: 'InvalidParameterException',
        operation: 'CreatePodIdentityAssociation',
        message: 'Trust policy of the role provided is invalid',
      },
    ]);
    expect((await ops('CreatePodIdentityAssociation')).map((e) => e.status).sort()).toEqual([
      200, 400, 400, 400, 404, 409,
    ]);
  });

  test('propagation switch: next N creates/updates fail, then succeed; clientRequestToken is idempotent', async () => {
    await emu.createCluster('c1');
    await podRole('app');
    await emu.failNextAssociationWrites(2);
    const args = eksArgs(
      'create-pod-identity-association',
      'c1',
      '--namespace',
      'ns',
      '--service-account',
      'sa',
      '--role-arn',
      ROLE('app'),
      '--client-request-token',
      'tok-1',
    );
    const expected = {
      code: 'InvalidParameterException',
      operation: 'CreatePodIdentityAssociation',
      message: 'Role provided in the request does not exist',
    };
    expect(await awsError(args)).toEqual(expected);
    expect(await awsError(args)).toEqual(expected);
    const first = (await aws(args)).association;
    // same token: same association, no 409
    expect((await aws(args)).association.associationId).toBe(first.associationId);

    await emu.failNextAssociationWrites(1);
    const update = eksArgs(
      'update-pod-identity-association',
      'c1',
      '--association-id',
      first.associationId,
      '--disable-session-tags',
    );
    expect(await awsError(update)).toEqual({ ...expected, operation: 'UpdatePodIdentityAssociation' });
    expect((await aws(update)).association.disableSessionTags).toBe(true);
  });
});

describe('regions: Account ListRegions, associations per region, regions not enabled or refused (aws CLI)', () => {
  const listRegions = async (...args: string[]) =>
    ((await aws(['account', 'list-regions', ...args])).Regions as { RegionName: string; RegionOptStatus: string }[])
      .map((r) => `${r.RegionName}=${r.RegionOptStatus}`)
      .sort();

  test('ListRegions: the 17 regions enabled by default, the opt-in ones DISABLED; filter by status', async () => {
    const all = await listRegions();
    expect(all).toHaveLength(32);
    expect(all).toContain('us-east-1=ENABLED_BY_DEFAULT');
    expect(all).toContain('eu-west-1=ENABLED_BY_DEFAULT');
    expect(all).toContain('af-south-1=DISABLED');
    const enabled = await listRegions('--region-opt-status-contains', 'ENABLED', 'ENABLED_BY_DEFAULT');
    expect(enabled).toHaveLength(17);
    expect(enabled.filter((r) => !r.endsWith('=ENABLED_BY_DEFAULT'))).toEqual([]);
    // Pages: the CLI follows NextToken (a page of 5 here).
    expect(await listRegions('--page-size', '5')).toEqual(all);
  });

  test('clusters and associations are kept per region, even under the same cluster name', async () => {
    await emu.createCluster('shared', 'us-east-1');
    await emu.createCluster('shared', 'eu-west-1');
    const roleArn = await podRole('per-region');
    const create = (sa: string, region: string) =>
      aws(
        eksArgs(
          'create-pod-identity-association',
          'shared',
          '--namespace',
          'apps',
          '--service-account',
          sa,
          '--role-arn',
          roleArn,
        ),
        region,
      );
    await create('east', 'us-east-1');
    await create('west', 'eu-west-1');
    const sas = async (region: string) =>
      (await aws(eksArgs('list-pod-identity-associations', 'shared'), region)).associations.map(
        (a: { serviceAccount: string }) => a.serviceAccount,
      );
    expect([await sas('us-east-1'), await sas('eu-west-1')]).toEqual([['east'], ['west']]);
    expect((await aws(['eks', 'list-clusters'], 'us-west-2')).clusters).toEqual([]);
  });

  test('an association is tagged and untagged by its ARN (TagResource, UntagResource)', async () => {
    await emu.createCluster('tags', 'eu-west-1');
    const roleArn = await podRole('tagged');
    const { association } = await aws(
      eksArgs('create-pod-identity-association', 'tags', '--namespace', 'ns', '--service-account', 'sa').concat([
        '--role-arn',
        roleArn,
        '--tags',
        'keep=1,eks-pod-iam:irsa-role-arn=old',
      ]),
      'eu-west-1',
    );
    await aws(
      [
        'eks',
        'untag-resource',
        '--resource-arn',
        association.associationArn,
        '--tag-keys',
        'eks-pod-iam:irsa-role-arn',
      ],
      'eu-west-1',
    );
    await aws(['eks', 'tag-resource', '--resource-arn', association.associationArn, '--tags', 'more=2'], 'eu-west-1');
    const described = await aws(
      eksArgs('describe-pod-identity-association', 'tags', '--association-id', association.associationId),
      'eu-west-1',
    );
    expect(described.association.tags).toEqual({ keep: '1', more: '2' });
  });

  test('a region not enabled answers UnrecognizedClientException (403); ListRegions reflects it', async () => {
    await emu.setRegions({ enabled: ['us-east-1', 'eu-west-1', 'af-south-1'] });
    expect(await listRegions('--region-opt-status-contains', 'ENABLED', 'ENABLED_BY_DEFAULT')).toEqual([
      'af-south-1=ENABLED',
      'eu-west-1=ENABLED_BY_DEFAULT',
      'us-east-1=ENABLED_BY_DEFAULT',
    ]);
    expect(await listRegions()).toContain('us-west-2=DISABLED');
    await emu.clearJournal();
    expect(await awsError(['eks', 'list-clusters'], 'us-west-2')).toEqual({
      code: 'UnrecognizedClientException',
      operation: 'ListClusters',
      message: 'The security token included in the request is invalid.',
    });
    expect((await aws(['eks', 'list-clusters'], 'af-south-1')).clusters).toEqual([]);
    expect((await aws(['iam', 'list-roles'], 'us-west-2')).Roles).toBeDefined(); // IAM is global
    expect((await emu.journal()).map((j) => `${j.region} ${j.operation} ${j.status}`)).toEqual([
      'us-west-2 ListClusters 403',
      'af-south-1 ListClusters 200',
      'us-west-2 ListRoles 200', // signed for us-west-2 by the CLI, and answered
    ]);
    await emu.reset();
    expect((await aws(['eks', 'list-clusters'], 'us-west-2')).clusters).toEqual([]);
    expect(await listRegions()).toContain('af-south-1=DISABLED');
  });

  test('a refused region: its EKS calls answer AccessDeniedException, other regions and services answer', async () => {
    await emu.createCluster('c', 'eu-west-1');
    await emu.setRegions({ refused: ['eu-west-1'] });
    const denied = await awsError(['eks', 'list-clusters'], 'eu-west-1');
    expect(denied).toMatchObject({ code: 'AccessDeniedException', operation: 'ListClusters' });
    expect(denied.message).toContain('is not authorized to perform: eks:ListClusters');
    expect((await awsError(eksArgs('list-pod-identity-associations', 'c'), 'eu-west-1')).code).toBe(
      'AccessDeniedException',
    );
    expect((await aws(['eks', 'list-clusters'], 'us-east-1')).clusters).toEqual([]);
    expect(await listRegions()).toContain('eu-west-1=ENABLED_BY_DEFAULT');
    await emu.setRegions({ refused: [] });
    expect((await aws(['eks', 'list-clusters'], 'eu-west-1')).clusters).toEqual(['c']);
  });
});

describe('DescribeCluster endpoint, CA and OIDC issuer (aws CLI)', () => {
  test('the issuer is per cluster and stable; the endpoint/CA override applies to all clusters or one', async () => {
    const c1 = await emu.createCluster('c1', 'eu-west-1');
    const describe = async (name: string) =>
      (await aws(['eks', 'describe-cluster', '--name', name], 'eu-west-1')).cluster;
    const before = await describe('c1');
    expect(before.identity.oidc.issuer).toMatch(/^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(before.identity).toEqual(c1.identity);
    expect(before.endpoint).toBe(c1.endpoint);

    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    await emu.setClusterEndpoint({ endpoint: 'https://127.0.0.1:6443', caPem: ca });
    await emu.createCluster('c2', 'eu-west-1');
    await emu.setClusterEndpoint({ endpoint: 'https://127.0.0.1:7443', caData: 'Y2Ey' }, 'c2');
    const [d1, d2] = await Promise.all([describe('c1'), describe('c2')]);
    expect([d1.endpoint, Buffer.from(d1.certificateAuthority.data, 'base64').toString()]).toEqual([
      'https://127.0.0.1:6443',
      ca,
    ]);
    expect([d2.endpoint, d2.certificateAuthority.data]).toEqual(['https://127.0.0.1:7443', 'Y2Ey']);
    expect(d1.identity).toEqual(before.identity);
    expect(d2.identity.oidc.issuer).not.toBe(d1.identity.oidc.issuer);

    await emu.setClusterEndpoint(null);
    expect((await describe('c1')).endpoint).toBe(before.endpoint);
  });
});

describe('IAM gaps for IRSA (aws CLI)', () => {
  const issuer = 'oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
  const url = `https://${issuer}`;
  const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}`;

  test('OIDC provider, no thumbprint; idempotent client ID add/remove; NoSuchEntity; EntityAlreadyExists', async () => {
    expect(
      await aws(['iam', 'create-open-id-connect-provider', '--url', url, '--client-id-list', 'sts.amazonaws.com']),
    ).toEqual({ OpenIDConnectProviderArn: arn });
    await aws([
      'iam',
      'add-client-id-to-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      arn,
      '--client-id',
      'extra',
    ]);
    await aws([
      'iam',
      'add-client-id-to-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      arn,
      '--client-id',
      'extra',
    ]);
    const got = await aws(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', arn]);
    expect([got.Url, got.ClientIDList, got.ThumbprintList]).toEqual([url.slice(8), ['sts.amazonaws.com', 'extra'], []]);
    await aws([
      'iam',
      'remove-client-id-from-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      arn,
      '--client-id',
      'sts.amazonaws.com',
    ]);
    await aws([
      'iam',
      'remove-client-id-from-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      arn,
      '--client-id',
      'absent',
    ]);
    expect(
      (await aws(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', arn])).ClientIDList,
    ).toEqual(['extra']);
    expect(
      await Promise.all([
        awsError([
          'iam',
          'add-client-id-to-open-id-connect-provider',
          '--open-id-connect-provider-arn',
          `${arn}X`,
          '--client-id',
          'a',
        ]),
        awsError(['iam', 'create-open-id-connect-provider', '--url', url]),
      ]),
    ).toEqual([
      {
        code: 'NoSuchEntity',
        operation: 'AddClientIDToOpenIDConnectProvider',
        message: `OpenIDConnect Provider not found for arn ${arn}X`,
      },
      {
        code: 'EntityAlreadyExists',
        operation: 'CreateOpenIDConnectProvider',
        message: `Provider with url ${url} already exists.`,
      },
    ]);
  });

  test('AssumeRolePolicySizeQuota: default 2048, settable, enforced on CreateRole/UpdateAssumeRolePolicy', async () => {
    const quota = async () => (await aws(['iam', 'get-account-summary'])).SummaryMap.AssumeRolePolicySizeQuota;
    expect(await quota()).toBe(2048);
    await emu.setAssumeRolePolicySizeQuota(300);
    expect(await quota()).toBe(300);
    const big = JSON.stringify(
      { ...PODS_TRUST, Statement: [...PODS_TRUST.Statement, { Sid: 'x'.repeat(200), ...PODS_TRUST.Statement[0] }] },
      null,
      2,
    );
    const small = JSON.stringify(PODS_TRUST, null, 8); // white space is not counted
    expect(await awsError(['iam', 'create-role', '--role-name', 'big', '--assume-role-policy-document', big])).toEqual({
      code: 'LimitExceeded',
      operation: 'CreateRole',
      message: 'Cannot exceed quota for ACLSizePerRole: 300',
    });
    await aws(['iam', 'create-role', '--role-name', 'small', '--assume-role-policy-document', small]);
    expect(
      (await awsError(['iam', 'update-assume-role-policy', '--role-name', 'small', '--policy-document', big])).code,
    ).toBe('LimitExceeded');
  });

  test('AWS-managed policies exist', async () => {
    const { Policy } = await aws([
      'iam',
      'get-policy',
      '--policy-arn',
      'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    ]);
    expect([Policy.PolicyName, Policy.Arn]).toEqual([
      'AmazonS3ReadOnlyAccess',
      'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    ]);
  });
});

describe('SDK v3 against the emulator', () => {
  const fast = { maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 };

  test('waitUntilAddonActive succeeds after the configured reads', async () => {
    await emu.createCluster('c1');
    await eks.send(new CreateAddonCommand({ clusterName: 'c1', addonName: 'eks-pod-identity-agent' }));
    const result = await waitUntilAddonActive(
      { client: eks, ...fast },
      { clusterName: 'c1', addonName: 'eks-pod-identity-agent' },
    );
    expect(result.state).toBe('SUCCESS');
    expect((await ops('DescribeAddon')).length).toBe(3);
  });

  test('waitUntilAddonActive fails on DEGRADED and CREATE_FAILED', async () => {
    await emu.createCluster('c1');
    await emu.setAddonBehaviour({ addonName: 'a', outcome: 'DEGRADED' });
    await emu.setAddonBehaviour({ addonName: 'b', outcome: 'CREATE_FAILED', readsUntilActive: 0 });
    for (const addonName of ['a', 'b']) {
      await eks.send(new CreateAddonCommand({ clusterName: 'c1', addonName }));
      await expect(waitUntilAddonActive({ client: eks, ...fast }, { clusterName: 'c1', addonName })).rejects.toThrow(
        /"state":"FAILURE"/,
      );
    }
    const b = await eks.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'b' }));
    expect(b.addon?.health?.issues?.[0]?.code).toBe('InsufficientNumberOfReplicas');
  });

  test('paginateListPodIdentityAssociations walks every page', async () => {
    await emu.createCluster('c1');
    const roleArn = await podRole('app');
    for (let i = 0; i < 5; i++)
      await eks.send(
        new CreatePodIdentityAssociationCommand({
          clusterName: 'c1',
          namespace: 'ns',
          serviceAccount: `sa${i}`,
          roleArn,
        }),
      );
    const pages: string[][] = [];
    for await (const page of paginateListPodIdentityAssociations(
      { client: eks, pageSize: 2 },
      { clusterName: 'c1', namespace: 'ns' },
    )) {
      pages.push((page.associations ?? []).map((a) => a.serviceAccount!));
    }
    expect(pages).toEqual([['sa0', 'sa1'], ['sa2', 'sa3'], ['sa4']]);
  });

  test('modeled errors come back as the SDK exception classes', async () => {
    await emu.createCluster('c1');
    const roleArn = await podRole('app');
    const input = { clusterName: 'c1', namespace: 'ns', serviceAccount: 'sa', roleArn };
    const { association } = await eks.send(new CreatePodIdentityAssociationCommand(input));
    const err = await eks.send(new CreatePodIdentityAssociationCommand(input)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceInUseException);
    expect([(err as ResourceInUseException).message, (err as ResourceInUseException).$metadata.httpStatusCode]).toEqual(
      [`Association already exists: ${association!.associationId}`, 409],
    );
  });
});

describe('journal and faults', () => {
  test('each AWS call is journaled (service, operation, method, path, status); control routes are not', async () => {
    await emu.createCluster('c1'); // set-up helper: not journaled
    await iam.send(new ListRolesCommand({}));
    await new STSClient(emu.clientConfig()).send(new GetCallerIdentityCommand({}));
    await eks.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'x' })).catch(() => undefined);
    await aws(eksArgs('list-pod-identity-associations', 'c1'));
    await emu.setFaults({});
    const journal = await emu.journal();
    expect(journal.every((e) => typeof e.start === 'number' && e.end >= e.start)).toBe(true); // monotonic ms
    expect(journal.map(({ region, start, end, ...e }) => e)).toEqual([
      { service: 'iam', operation: 'ListRoles', method: 'POST', path: '/', status: 200 },
      { service: 'sts', operation: 'GetCallerIdentity', method: 'POST', path: '/', status: 200 },
      { service: 'eks', operation: 'DescribeAddon', method: 'GET', path: '/clusters/c1/addons/x', status: 404 },
      {
        service: 'eks',
        operation: 'ListPodIdentityAssociations',
        method: 'GET',
        path: '/clusters/c1/pod-identity-associations',
        status: 200,
      },
    ]);
    await emu.clearJournal();
    expect(await emu.journal()).toEqual([]);
    expect(
      [
        'CreateRole',
        'TagRole',
        'UpdateAssumeRolePolicy',
        'GetRole',
        'ListPodIdentityAssociations',
        'DescribeCluster',
      ].map(isMutating),
    ).toEqual([true, true, true, false, false, false]);
  });

  test('throttling speaks each protocol and the SDK retries it as throttling', async () => {
    await emu.createCluster('c1');
    await emu.setFaults({ throttleRate: 1 });
    const iamErr: any = await new IAMClient({ ...emu.clientConfig(), maxAttempts: 2 })
      .send(new ListRolesCommand({}))
      .catch((e) => e);
    const eksErr: any = await new EKSClient({ ...emu.clientConfig(), maxAttempts: 3 })
      .send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'x' }))
      .catch((e) => e);
    expect([iamErr.name, iamErr.$metadata.httpStatusCode, iamErr.$metadata.attempts]).toEqual(['Throttling', 400, 2]);
    expect([eksErr.name, eksErr.$metadata.httpStatusCode, eksErr.$metadata.attempts]).toEqual([
      'ThrottlingException',
      429,
      3,
    ]);
    expect((await emu.journal()).map((e) => `${e.operation}:${e.status}:${e.fault}`)).toEqual([
      'ListRoles:400:throttle',
      'ListRoles:400:throttle',
      'DescribeAddon:429:throttle',
      'DescribeAddon:429:throttle',
      'DescribeAddon:429:throttle',
    ]);
  });

  test('server errors (500/503), service and operation filters', async () => {
    await emu.createCluster('c1');
    await emu.setFaults({ errorRate: 1, services: ['iam'] });
    const one = { maxAttempts: 1 };
    const e500: any = await new IAMClient({ ...emu.clientConfig(), ...one })
      .send(new ListRolesCommand({}))
      .catch((e) => e);
    expect(await new STSClient({ ...emu.clientConfig(), ...one }).send(new GetCallerIdentityCommand({}))).toMatchObject(
      { Account: ACCOUNT },
    );
    await emu.setFaults({ errorRate: 1, errorStatus: 503, operations: ['DescribeAddon'] });
    const e503: any = await new EKSClient({ ...emu.clientConfig(), ...one })
      .send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'x' }))
      .catch((e) => e);
    const notFaulted: any = await eks.send(new CreateAddonCommand({ clusterName: 'c1', addonName: 'x' }));
    expect([
      e500.name,
      e500.$metadata.httpStatusCode,
      e503.name,
      e503.$metadata.httpStatusCode,
      notFaulted.addon.status,
    ]).toEqual(['InternalFailure', 500, 'ServiceUnavailableException', 503, 'CREATING']);
  });

  test('a seeded RNG repeats the same faults', async () => {
    const pattern = async () => {
      await emu.clearJournal();
      await emu.setFaults({ throttleRate: 0.3, errorRate: 0.3, seed: 42 });
      const client = new IAMClient({ ...emu.clientConfig(), maxAttempts: 1 });
      for (let i = 0; i < 20; i++) await client.send(new ListRolesCommand({})).catch(() => undefined);
      return (await emu.journal()).map((e) => e.fault ?? 'ok').join(',');
    };
    const first = await pattern();
    expect(await pattern()).toBe(first);
    for (const kind of ['ok', 'throttle', 'error']) expect(first.split(',')).toContain(kind);
  });

  test('delays, and the server is threaded (concurrent requests overlap)', async () => {
    await emu.setFaults({ delayMs: 400 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => iam.send(new ListRolesCommand({}))));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(1600); // 8 × 400 ms = 3.2 s if serialised
  });

  test("moto's reset also resets journal, faults, behaviours, endpoints and quota", async () => {
    await emu.createCluster('c1');
    await emu.setAssumeRolePolicySizeQuota(100);
    await emu.setAddonBehaviour({ readsUntilActive: 0 });
    await emu.setClusterEndpoint({ endpoint: 'https://127.0.0.1:6443' });
    await emu.failNextAssociationWrites(5);
    await iam.send(new ListRolesCommand({}));
    await emu.setFaults({ throttleRate: 1 });
    await emu.reset();
    expect(await emu.journal()).toEqual([]);
    expect(await aws(['eks', 'list-clusters'])).toEqual({ clusters: [] });
    await emu.createCluster('c1');
    const [summary, cluster, addon] = await Promise.all([
      aws(['iam', 'get-account-summary']),
      aws(['eks', 'describe-cluster', '--name', 'c1']),
      aws(eksArgs('create-addon', 'c1', '--addon-name', 'x')),
    ]);
    expect([
      summary.SummaryMap.AssumeRolePolicySizeQuota,
      cluster.cluster.endpoint.startsWith('https://127.0.0.1'),
      addon.addon.status,
    ]).toEqual([2048, false, 'CREATING']);
    await podRole('app');
    expect(
      (
        await eks.send(
          new CreatePodIdentityAssociationCommand({
            clusterName: 'c1',
            namespace: 'n',
            serviceAccount: 's',
            roleArn: ROLE('app'),
          }),
        )
      ).association?.roleArn,
    ).toBe(ROLE('app'));
  });
});

describe('latency and the IAM write rate limit (off by default)', () => {
  const took = (e: { start: number; end: number }) => e.end - e.start;

  test('per-service latency delays each answer; concurrent requests still overlap; reset() clears it', async () => {
    await emu.createCluster('c1');
    await emu.setLatency({ iam: 300, eks: 150 });
    await Promise.all([
      ...Array.from({ length: 6 }, () => iam.send(new ListRolesCommand({}))),
      aws(eksArgs('list-pod-identity-associations', 'c1')),
      new STSClient(emu.clientConfig()).send(new GetCallerIdentityCommand({})),
    ]);
    const journal = await emu.journal();
    const of = (service: string) => journal.filter((e) => e.service === service);
    expect([of('iam').length, of('eks').length, of('sts').length]).toEqual([6, 1, 1]);
    expect(of('iam').every((e) => took(e) >= 300)).toBe(true);
    expect(took(of('eks')[0]!)).toBeGreaterThanOrEqual(150);
    expect(took(of('sts')[0]!)).toBeLessThan(150); // no latency configured for it
    // Threaded: every IAM request arrived before the first one was answered (serialised, they would chain).
    const firstEnd = Math.min(...of('iam').map((e) => e.end));
    expect(of('iam').every((e) => e.start < firstEnd)).toBe(true);
    await emu.reset();
    await iam.send(new ListRolesCommand({}));
    expect(took((await emu.journal())[0]!)).toBeLessThan(300);
  });

  test('IAM write rate limit: writes beyond it get Throttling 400 (aws CLI); reads are not limited', async () => {
    await emu.setIamWriteRateLimit(3);
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push(
        await awsRaw([
          'iam',
          'create-role',
          '--role-name',
          `r${i}`,
          '--assume-role-policy-document',
          JSON.stringify(PODS_TRUST),
        ]),
      );
    const throttled = results.filter((r) => r.code !== 0);
    // 5 writes in well under a second; a slow machine may let one more window open
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    const rateExceeded = new RegExp(
      String.raw`An error occurred \(Throttling\) when calling the CreateRole operation ` +
        String.raw`\(reached max retries: 0\): Rate exceeded`,
    );
    for (const r of throttled) expect(r.stderr).toMatch(rateExceeded);
    for (let i = 0; i < 6; i++) await aws(['iam', 'list-roles']);
    const journal = await emu.journal();
    expect(journal.filter((e) => e.operation === 'ListRoles').map((e) => e.status)).toEqual([
      200, 200, 200, 200, 200, 200,
    ]);
    expect(journal.filter((e) => e.fault === 'throttle').map((e) => `${e.operation}:${e.status}`)).toEqual(
      throttled.map(() => 'CreateRole:400'),
    );
    await emu.setIamWriteRateLimit(0);
    await aws([
      'iam',
      'create-role',
      '--role-name',
      'after',
      '--assume-role-policy-document',
      JSON.stringify(PODS_TRUST),
    ]);
  });

  test('the SDK absorbs the rate limit: 8 parallel CreateRole at 2 writes/s all succeed after throttling', async () => {
    await emu.setIamWriteRateLimit(2);
    const client = new IAMClient({ ...emu.clientConfig(), maxAttempts: 10 });
    const out = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        client.send(
          new CreateRoleCommand({ RoleName: `sdk${i}`, AssumeRolePolicyDocument: JSON.stringify(PODS_TRUST) }),
        ),
      ),
    );
    expect(out.map((o) => o.Role?.RoleName)).toEqual(Array.from({ length: 8 }, (_, i) => `sdk${i}`));
    const creates = (await emu.journal()).filter((e) => e.operation === 'CreateRole');
    expect(creates.filter((e) => e.status === 200)).toHaveLength(8);
    expect(creates.filter((e) => e.fault === 'throttle').length).toBeGreaterThan(0);
    // Never more than 2 accepted writes in any 1 s window.
    const accepted = creates
      .filter((e) => e.status === 200)
      .map((e) => e.start)
      .sort((a, b) => a - b);
    for (let i = 2; i < accepted.length; i++) expect(accepted[i]! - accepted[i - 2]!).toBeGreaterThanOrEqual(1000 - 50);
  }, 60000);

  test('environment defaults (EMULATOR_LATENCY_MS, EMULATOR_IAM_WRITES_PER_SECOND), kept by reset()', async () => {
    const saved = { ...process.env };
    process.env.EMULATOR_LATENCY_MS = 'iam=200,kube=15';
    process.env.EMULATOR_IAM_WRITES_PER_SECOND = '1';
    const other = await startAwsEmulator().finally(() => {
      for (const k of ['EMULATOR_LATENCY_MS', 'EMULATOR_IAM_WRITES_PER_SECOND'])
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
    });
    try {
      const client = new IAMClient({ ...other.clientConfig(), maxAttempts: 1 });
      const create = (name: string) =>
        client.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(PODS_TRUST) }));
      await other.reset();
      const [a, b] = await Promise.allSettled([create('a'), create('b')]);
      expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
      expect(((a.status === 'rejected' ? a : b) as PromiseRejectedResult).reason.name).toBe('Throttling');
      expect((await other.journal()).every((e) => took(e) >= 200)).toBe(true);
    } finally {
      await other.stop();
    }
  });
});

describe('emulator process', () => {
  test('the kept-alive CLI driver answers exactly like the aws binary', async () => {
    await emu.createCluster('c1');
    for (const args of [
      ['eks', 'describe-cluster', '--name', 'c1'],
      ['eks', 'describe-addon', '--cluster-name', 'c1', '--addon-name', 'x'],
    ]) {
      const binary = await run('aws', cliArgs(args, 'us-east-1'), { env: CLI_ENV }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
      expect(await awsRaw(args)).toEqual(binary);
    }
  });

  const alive = (pid: number) => {
    try {
      return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie is not alive
    } catch {
      return false;
    }
  };

  test('a missing python3 or moto gives one clear error', async () => {
    await expect(startAwsEmulator({ python: '/nonexistent/python3' })).rejects.toThrow(
      /^python3 with moto is required: cannot run "\/nonexistent\/python3" \(ENOENT\)$/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'emu-'));
    const noSite = join(dir, 'python-without-moto');
    writeFileSync(noSite, '#!/bin/sh\nexec python3 -S "$@"\n'); // -S: no site-packages, so no moto
    chmodSync(noSite, 0o755);
    await expect(startAwsEmulator({ python: noSite })).rejects.toThrow(
      /^python3 with moto is required: moto is not importable: No module named '\w+'$/,
    );
  });

  test('stop() kills and reaps the process', async () => {
    const other = await startAwsEmulator();
    expect(alive(other.pid!)).toBe(true);
    await other.stop();
    expect(existsSync(`/proc/${other.pid}`)).toBe(false); // not even a zombie
    await other.stop(); // idempotent
  });

  test('the emulator dies with its parent process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-'));
    const script = join(dir, 'parent.mts');
    const emulatorModule = JSON.stringify(new URL('../emulators/aws/index.ts', import.meta.url).pathname);
    writeFileSync(
      script,
      `import { startAwsEmulator } from ${emulatorModule};\n` +
        `const e = await startAwsEmulator(); console.log('PID=' + e.pid); setInterval(() => {}, 1000);\n`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.on('data', (d) => {
        const m = /PID=(\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      }),
    );
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  });
});

// ---- Issues 12 and 13: removal, cross-account targets, session policies, add-on service accounts, Auto Mode.
// The installed aws CLI v1 (botocore 1.43) models every field used here (targetRoleArn, externalId,
// disableSessionTags, policy, podIdentityAssociations, podIdentityConfiguration, computeConfig), so the CLI checks
// them all; the SDK test at the end checks that @aws-sdk/client-eks reads the same answers.
describe('IAM deletions and policy versions (aws CLI, issue 12)', () => {
  const DOC = (action: string) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  const POLICY = `arn:aws:iam::${ACCOUNT}:policy/my-policy`;

  test('DeleteRole is refused while managed or inline policies are attached (moto already right)', async () => {
    await aws(['iam', 'create-role', '--role-name', 'r', '--assume-role-policy-document', JSON.stringify(PODS_TRUST)]);
    await aws(['iam', 'create-policy', '--policy-name', 'my-policy', '--policy-document', DOC('s3:GetObject')]);
    await aws(['iam', 'attach-role-policy', '--role-name', 'r', '--policy-arn', POLICY]);
    await aws([
      'iam',
      'put-role-policy',
      '--role-name',
      'r',
      '--policy-name',
      'inline',
      '--policy-document',
      DOC('s3:ListBucket'),
    ]);
    const refused = (message: string) => ({ code: 'DeleteConflict', operation: 'DeleteRole', message });
    expect(await awsError(['iam', 'delete-role', '--role-name', 'r'])).toEqual(
      refused('Cannot delete entity, must detach all policies first.'),
    );
    await aws(['iam', 'detach-role-policy', '--role-name', 'r', '--policy-arn', POLICY]);
    expect(await awsError(['iam', 'delete-role', '--role-name', 'r'])).toEqual(
      refused('Cannot delete entity, must delete policies first.'),
    );
    await aws(['iam', 'delete-role-policy', '--role-name', 'r', '--policy-name', 'inline']);
    await aws(['iam', 'delete-role', '--role-name', 'r']);
    const noRole = { code: 'NoSuchEntity', message: 'The role with name r cannot be found.' };
    expect(
      await Promise.all([
        awsError(['iam', 'get-role', '--role-name', 'r']),
        awsError(['iam', 'delete-role', '--role-name', 'r']),
      ]),
    ).toEqual([
      { ...noRole, operation: 'GetRole' },
      { ...noRole, operation: 'DeleteRole' },
    ]);
    expect((await ops('DeleteRole')).map((e) => e.status)).toEqual([409, 409, 200, 404]);
  });

  test('DeletePolicy: not if attached or with non-default versions; max 5 versions; default undeletable', async () => {
    await aws(['iam', 'create-role', '--role-name', 'r', '--assume-role-policy-document', JSON.stringify(PODS_TRUST)]);
    await aws(['iam', 'create-policy', '--policy-name', 'my-policy', '--policy-document', DOC('s3:GetObject')]);
    await aws(['iam', 'attach-role-policy', '--role-name', 'r', '--policy-arn', POLICY]);
    expect(await awsError(['iam', 'delete-policy', '--policy-arn', POLICY])).toEqual({
      code: 'DeleteConflict',
      operation: 'DeletePolicy',
      message: 'Cannot delete a policy attached to entities.',
    });
    const newVersion = (n: number) =>
      aws([
        'iam',
        'create-policy-version',
        '--policy-arn',
        POLICY,
        '--policy-document',
        DOC(`s3:Get${n}`),
        '--set-as-default',
      ]);
    for (const n of [2, 3, 4, 5])
      expect((await newVersion(n)).PolicyVersion).toMatchObject({ VersionId: `v${n}`, IsDefaultVersion: true });
    expect(
      await awsError([
        'iam',
        'create-policy-version',
        '--policy-arn',
        POLICY,
        '--policy-document',
        DOC('s3:Get6'),
        '--set-as-default',
      ]),
    ).toEqual({
      code: 'LimitExceeded',
      operation: 'CreatePolicyVersion',
      message:
        'A managed policy can have up to 5 versions. ' +
        'Before you create a new version, you must delete an existing version.',
    });
    expect(await awsError(['iam', 'delete-policy-version', '--policy-arn', POLICY, '--version-id', 'v5'])).toEqual({
      code: 'DeleteConflict',
      operation: 'DeletePolicyVersion',
      message: 'Cannot delete the default version of a policy.',
    });
    await aws(['iam', 'delete-policy-version', '--policy-arn', POLICY, '--version-id', 'v1']);
    expect((await newVersion(6)).PolicyVersion.VersionId).toBe('v6'); // room again after deleting one
    await aws(['iam', 'detach-role-policy', '--role-name', 'r', '--policy-arn', POLICY]);
    expect(await awsError(['iam', 'delete-policy', '--policy-arn', POLICY])).toEqual({
      code: 'DeleteConflict',
      operation: 'DeletePolicy',
      message:
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions.",
    });
    for (const v of ['v2', 'v3', 'v4', 'v5'])
      await aws(['iam', 'delete-policy-version', '--policy-arn', POLICY, '--version-id', v]);
    expect(
      (await aws(['iam', 'list-policy-versions', '--policy-arn', POLICY])).Versions.map((v: any) => [
        v.VersionId,
        v.IsDefaultVersion,
      ]),
    ).toEqual([['v6', true]]);
    expect(
      await Promise.all([
        awsError(['iam', 'get-policy-version', '--policy-arn', POLICY, '--version-id', 'v2']),
        awsError(['iam', 'delete-policy-version', '--policy-arn', POLICY, '--version-id', 'v2']),
      ]),
    ).toEqual(
      ['GetPolicyVersion', 'DeletePolicyVersion'].map((operation) => ({
        code: 'NoSuchEntity',
        operation,
        message: `Policy ${POLICY} version v2 does not exist or is not attachable.`,
      })),
    );
    await aws(['iam', 'delete-policy', '--policy-arn', POLICY]);
    const gone = { code: 'NoSuchEntity', message: `Policy ${POLICY} was not found.` };
    expect(
      await Promise.all([
        awsError(['iam', 'get-policy', '--policy-arn', POLICY]),
        awsError(['iam', 'delete-policy', '--policy-arn', POLICY]),
      ]),
    ).toEqual([
      { ...gone, operation: 'GetPolicy' },
      { ...gone, operation: 'DeletePolicy' },
    ]);
    expect((await ops('DeletePolicy')).map((e) => e.status)).toEqual([409, 409, 200, 404]);
  });

  test('CreatePolicy with tags: GetPolicy and ListPolicyTags show them; versions keep order and default', async () => {
    const tags = [
      { Key: 'eks-pod-iam:managed', Value: 'true' },
      { Key: 'eks-pod-iam:github-run', Value: 'https://github.com/acme/platform/actions/runs/1' },
    ];
    const made = await aws([
      'iam',
      'create-policy',
      '--policy-name',
      'my-policy',
      '--policy-document',
      DOC('s3:GetObject'),
      '--description',
      'Created by eks-pod-iam for role r',
      '--tags',
      JSON.stringify(tags),
    ]);
    expect(made.Policy).toMatchObject({ Arn: POLICY, DefaultVersionId: 'v1', Tags: tags });
    const got = (await aws(['iam', 'get-policy', '--policy-arn', POLICY])).Policy;
    expect(got).toMatchObject({
      Arn: POLICY,
      DefaultVersionId: 'v1',
      Description: 'Created by eks-pod-iam for role r',
    });
    expect(got.Tags).toEqual(tags);
    const listed = (await aws(['iam', 'list-policy-tags', '--policy-arn', POLICY])).Tags;
    expect(listed).toEqual(expect.arrayContaining(tags));
    // A policy made without tags (seed 001's `aws iam create-policy`) has none (moto: [], IAM: no Tags).
    await aws(['iam', 'create-policy', '--policy-name', 'plain', '--policy-document', DOC('s3:GetObject')]);
    const plain = (await aws(['iam', 'get-policy', '--policy-arn', `arn:aws:iam::${ACCOUNT}:policy/plain`])).Policy;
    expect(plain.Tags ?? []).toEqual([]);
    for (const n of [2, 3])
      await aws(['iam', 'create-policy-version', '--policy-arn', POLICY, '--policy-document', DOC(`s3:Get${n}`)]);
    const versions = (await aws(['iam', 'list-policy-versions', '--policy-arn', POLICY])).Versions;
    expect(versions.map((v: any) => [v.VersionId, v.IsDefaultVersion])).toEqual(
      expect.arrayContaining([
        ['v1', true],
        ['v2', false],
        ['v3', false],
      ]),
    );
    expect(
      (await aws(['iam', 'get-policy-version', '--policy-arn', POLICY, '--version-id', 'v1'])).PolicyVersion.Document,
    ).toEqual(JSON.parse(DOC('s3:GetObject')));
    expect(await awsError(['iam', 'get-policy', '--policy-arn', `arn:aws:iam::${ACCOUNT}:policy/none`])).toEqual({
      code: 'NoSuchEntity',
      operation: 'GetPolicy',
      message: `Policy arn:aws:iam::${ACCOUNT}:policy/none was not found.`,
    });
  });
});

describe('EKS pod identity: target roles, session policies, removal (aws CLI, issues 12 and 13)', () => {
  const TARGET = 'arn:aws:iam::999999999999:role/target';
  const SESSION = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });

  test('target role external ID: kept with the target and by updates, new for a new target, gone with it', async () => {
    await emu.createCluster('c1');
    await Promise.all([podRole('app'), podRole('app2')]);
    const { association: a } = await aws(
      eksArgs(
        'create-pod-identity-association',
        'c1',
        '--namespace',
        'ns',
        '--service-account',
        'sa',
        '--role-arn',
        ROLE('app'),
        '--target-role-arn',
        TARGET,
      ),
    );
    expect(a).toMatchObject({
      roleArn: ROLE('app'),
      targetRoleArn: TARGET,
      externalId: expect.stringMatching(UUID),
      disableSessionTags: false,
    });
    const update = async (...args: string[]) =>
      (await aws(eksArgs('update-pod-identity-association', 'c1', '--association-id', a.associationId, ...args)))
        .association;
    const roleChanged = await update('--role-arn', ROLE('app2'));
    const sameTarget = await update('--target-role-arn', TARGET, '--disable-session-tags');
    const newTarget = await update('--target-role-arn', `${TARGET}-2`);
    const cleared = await update('--target-role-arn', '');
    expect(
      [roleChanged, sameTarget, newTarget].map((x) => [
        x.associationId,
        x.roleArn,
        x.targetRoleArn,
        x.externalId === a.externalId,
        x.disableSessionTags,
      ]),
    ).toEqual([
      [a.associationId, ROLE('app2'), TARGET, true, false],
      [a.associationId, ROLE('app2'), TARGET, true, true],
      [a.associationId, ROLE('app2'), `${TARGET}-2`, false, true],
    ]);
    expect(newTarget.externalId).toMatch(UUID);
    expect(cleared).toEqual({
      ...newTarget,
      targetRoleArn: undefined,
      externalId: undefined,
      modifiedAt: expect.any(Number),
    });
    expect('targetRoleArn' in cleared || 'externalId' in cleared).toBe(false);
    expect(
      (await aws(eksArgs('describe-pod-identity-association', 'c1', '--association-id', a.associationId))).association,
    ).toEqual(cleared);
  });

  // What eks-pod-iam relies on for a target role: its trust takes the association's role (AWS principal) with the
  // external ID as read back; GetRole takes a NAME and answers for the caller's own account only (real IAM too:
  // NoSuchEntity when the caller's account has no role of that name, AccessDenied without iam:GetRole), so a target
  // role in another account is never readable with these credentials.
  test('target role trust: AWS principal with sts:ExternalId round-trips; GetRole sees only this account', async () => {
    const appArn = await podRole('app');
    const statement = {
      Sid: 'EksPodIamTarget1',
      Effect: 'Allow',
      Principal: { AWS: appArn },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'sts:ExternalId': '0f6c1a2e-1111-4222-8333-944445555666' } },
    };
    await podRole('target');
    const trust = { Version: '2012-10-17', Statement: [PODS_TRUST.Statement[0], statement] };
    await aws([
      'iam',
      'update-assume-role-policy',
      '--role-name',
      'target',
      '--policy-document',
      JSON.stringify(trust),
    ]);
    const { Role } = await aws(['iam', 'get-role', '--role-name', 'target']);
    expect([Role.Arn, Role.AssumeRolePolicyDocument]).toEqual([ROLE('target'), trust]);
    // The name of TARGET (account 999999999999) resolves in this account: here it is another role (hence the ARN
    // check), and a name this account lacks is NoSuchEntity.
    expect(Role.Arn).not.toBe(TARGET);
    expect(await awsError(['iam', 'get-role', '--role-name', 'data-reader'])).toMatchObject({
      code: 'NoSuchEntity',
      operation: 'GetRole',
    });
  });

  test('a session policy needs disableSessionTags true, valid JSON, at most 2,048 chars; "" removes it', async () => {
    await emu.createCluster('c1');
    await podRole('app');
    const create = (sa: string, ...args: string[]) =>
      eksArgs(
        'create-pod-identity-association',
        'c1',
        '--namespace',
        'ns',
        '--service-account',
        sa,
        '--role-arn',
        ROLE('app'),
        ...args,
      );
    const invalid = (operation: string, message: string) => ({ code: 'InvalidParameterException', operation, message });
    const needsNoTags = 'When policy is specified, disableSessionTags must be set to true';
    const long = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'x'.repeat(2000), Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    });
    expect(long.length).toBeGreaterThan(2048);
    expect(
      await Promise.all([
        awsError(create('a', '--policy', SESSION)),
        awsError(create('b', '--policy', SESSION, '--no-disable-session-tags')),
        awsError(create('c', '--policy', long, '--disable-session-tags')),
        awsError(create('d', '--policy', 'not json', '--disable-session-tags')),
      ]),
    ).toEqual([
      invalid('CreatePodIdentityAssociation', needsNoTags),
      invalid('CreatePodIdentityAssociation', needsNoTags),
      invalid('CreatePodIdentityAssociation', 'Policy must be at most 2048 characters long.'),
      invalid('CreatePodIdentityAssociation', 'Policy is not a valid JSON policy document.'),
    ]);
    expect((await aws(eksArgs('list-pod-identity-associations', 'c1'))).associations).toEqual([]);

    const { association: a } = await aws(create('e', '--policy', SESSION, '--disable-session-tags'));
    expect([a.policy, a.disableSessionTags]).toEqual([SESSION, true]);
    const update = (...args: string[]) =>
      eksArgs('update-pod-identity-association', 'c1', '--association-id', a.associationId, ...args);
    expect(await awsError(update('--no-disable-session-tags'))).toEqual(
      invalid('UpdatePodIdentityAssociation', needsNoTags),
    );
    expect(
      (await aws(eksArgs('describe-pod-identity-association', 'c1', '--association-id', a.associationId))).association,
    ).toEqual(a); // unchanged
    const withoutPolicy = (await aws(update('--policy', ''))).association;
    expect([withoutPolicy.associationId, 'policy' in withoutPolicy, withoutPolicy.disableSessionTags]).toEqual([
      a.associationId,
      false,
      true,
    ]);
    expect((await aws(update('--no-disable-session-tags'))).association.disableSessionTags).toBe(false);
    expect(await awsError(update('--policy', SESSION))).toEqual(invalid('UpdatePodIdentityAssociation', needsNoTags));
    expect((await aws(update('--policy', SESSION, '--disable-session-tags'))).association).toMatchObject({
      policy: SESSION,
      disableSessionTags: true,
    });
  });

  test('DeletePodIdentityAssociation: gone from List and Describe, a second delete is 404', async () => {
    await emu.createCluster('c1');
    await podRole('app');
    const ids: string[] = [];
    for (const sa of ['keep', 'drop']) {
      ids.push(
        (
          await aws(
            eksArgs(
              'create-pod-identity-association',
              'c1',
              '--namespace',
              'ns',
              '--service-account',
              sa,
              '--role-arn',
              ROLE('app'),
            ),
          )
        ).association.associationId,
      );
    }
    const deleted = (await aws(eksArgs('delete-pod-identity-association', 'c1', '--association-id', ids[1]!)))
      .association;
    expect(deleted).toMatchObject({ associationId: ids[1], serviceAccount: 'drop' });
    expect(
      (await aws(eksArgs('list-pod-identity-associations', 'c1'))).associations.map((x: any) => x.associationId),
    ).toEqual([ids[0]]);
    const gone = { code: 'ResourceNotFoundException', message: `No Pod Identity Association found with id: ${ids[1]}` };
    expect(
      await Promise.all([
        awsError(eksArgs('describe-pod-identity-association', 'c1', '--association-id', ids[1]!)),
        awsError(eksArgs('delete-pod-identity-association', 'c1', '--association-id', ids[1]!)),
      ]),
    ).toEqual([
      { ...gone, operation: 'DescribePodIdentityAssociation' },
      { ...gone, operation: 'DeletePodIdentityAssociation' },
    ]);
    // the service account is free again
    expect(
      (
        await aws(
          eksArgs(
            'create-pod-identity-association',
            'c1',
            '--namespace',
            'ns',
            '--service-account',
            'drop',
            '--role-arn',
            ROLE('app'),
          ),
        )
      ).association.associationId,
    ).not.toBe(ids[1]);
  });
});

describe('EKS add-ons with their own service accounts (aws CLI, issue 13)', () => {
  test('DescribeAddonConfiguration names the service account and the recommended managed policies', async () => {
    const config = (name: string) =>
      aws(['eks', 'describe-addon-configuration', '--addon-name', name, '--addon-version', 'v1.0.0-eksbuild.1']);
    const ebs = await config('aws-ebs-csi-driver');
    expect(ebs).toEqual({
      addonName: 'aws-ebs-csi-driver',
      addonVersion: 'v1.0.0-eksbuild.1',
      configurationSchema: expect.any(String),
      podIdentityConfiguration: [
        {
          serviceAccount: 'ebs-csi-controller-sa',
          recommendedManagedPolicies: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
        },
      ],
    });
    expect(JSON.parse(ebs.configurationSchema)).toMatchObject({ type: 'object' });
    const [efs, cni, cw, agent] = await Promise.all(
      ['aws-efs-csi-driver', 'vpc-cni', 'amazon-cloudwatch-observability', 'eks-pod-identity-agent'].map(config),
    );
    expect([efs, cni, cw, agent].map((c) => c.podIdentityConfiguration)).toEqual([
      [
        {
          serviceAccount: 'efs-csi-controller-sa',
          recommendedManagedPolicies: ['arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy'],
        },
        {
          serviceAccount: 'efs-csi-node-sa',
          recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess'],
        },
      ],
      [{ serviceAccount: 'aws-node', recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] }],
      [
        {
          serviceAccount: 'cloudwatch-agent',
          recommendedManagedPolicies: [
            'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
            'arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess',
          ],
        },
      ],
      [],
    ]);
    // the recommended policies exist as AWS-managed policies
    for (const arn of [
      ...ebs.podIdentityConfiguration,
      ...efs.podIdentityConfiguration,
      ...cni.podIdentityConfiguration,
    ].flatMap((p: any) => p.recommendedManagedPolicies)) {
      expect((await aws(['iam', 'get-policy', '--policy-arn', arn])).Policy.Arn).toBe(arn);
    }
    expect(
      await awsError(['eks', 'describe-addon-configuration', '--addon-name', 'no-such-addon', '--addon-version', 'v1']),
    ).toEqual({
      code: 'ResourceNotFoundException',
      operation: 'DescribeAddonConfiguration',
      message: 'Addon no-such-addon not found',
    });
  });

  test('DescribeAddonVersions: the default version per Kubernetes version; unknown add-on: empty list', async () => {
    const versions = (...args: string[]) => aws(['eks', 'describe-addon-versions', ...args]);
    const ebs = await versions('--addon-name', 'aws-ebs-csi-driver', '--kubernetes-version', '1.31');
    expect(ebs.addons).toHaveLength(1);
    expect(ebs.addons[0]).toMatchObject({ addonName: 'aws-ebs-csi-driver', owner: 'aws', publisher: 'eks' });
    const defaults = ebs.addons[0].addonVersions.filter((v: any) =>
      v.compatibilities.some((c: any) => c.clusterVersion === '1.31' && c.defaultVersion),
    );
    expect(defaults.map((v: any) => [v.addonVersion, v.requiresIamPermissions])).toEqual([['v1.3.4-eksbuild.1', true]]);
    expect(ebs.addons[0].addonVersions.length).toBeGreaterThan(1);
    expect(
      await Promise.all([
        versions('--addon-name', 'no-such-addon'),
        versions('--addon-name', 'aws-ebs-csi-driver', '--kubernetes-version', '1.10'),
      ]),
    ).toEqual([{ addons: [] }, { addons: [] }]);
    expect((await ops('DescribeAddonVersions')).map((e) => e.status)).toEqual([200, 200, 200]);
  });

  test('add-ons own associations in their namespace; UpdateAddon replaces the set; no direct changes', async () => {
    await emu.createCluster('c1');
    await Promise.all([podRole('r1'), podRole('r2')]);
    const list = async () =>
      (await aws(eksArgs('list-pod-identity-associations', 'c1'))).associations.map((x: any) => ({
        id: x.associationId,
        at: `${x.namespace}/${x.serviceAccount}`,
        owner: x.ownerArn,
      }));
    const describe = async (name: string) => (await aws(eksArgs('describe-addon', 'c1', '--addon-name', name))).addon;
    const pia = (sa: string, role: string) => `serviceAccount=${sa},roleArn=${ROLE(role)}`;

    // a service account the add-on does not use is refused, before anything is created
    expect(
      await awsError(
        eksArgs(
          'create-addon',
          'c1',
          '--addon-name',
          'aws-ebs-csi-driver',
          '--pod-identity-associations',
          pia('other', 'r1'),
        ),
      ),
    ).toEqual({
      code: 'InvalidParameterException',
      operation: 'CreateAddon',
      message: 'Service account other in pod identity configuration is not supported for addon aws-ebs-csi-driver',
    });
    expect([await list(), (await aws(eksArgs('list-addons', 'c1'))).addons]).toEqual([[], []]);

    const cw = (
      await aws(
        eksArgs(
          'create-addon',
          'c1',
          '--addon-name',
          'amazon-cloudwatch-observability',
          '--pod-identity-associations',
          pia('cloudwatch-agent', 'r1'),
        ),
      )
    ).addon;
    const custom = (
      await aws(
        eksArgs(
          'create-addon',
          'c1',
          '--addon-name',
          'my-addon',
          '--pod-identity-associations',
          pia('a', 'r1'),
          pia('b', 'r1'),
        ),
      )
    ).addon;
    const before = await list();
    expect(before).toEqual([
      { id: expect.stringMatching(ASSOCIATION_ID), at: 'amazon-cloudwatch/cloudwatch-agent', owner: cw.addonArn },
      { id: expect.stringMatching(ASSOCIATION_ID), at: 'kube-system/a', owner: custom.addonArn },
      { id: expect.stringMatching(ASSOCIATION_ID), at: 'kube-system/b', owner: custom.addonArn },
    ]);
    expect((await describe('my-addon')).podIdentityAssociations).toEqual(
      before.slice(1).map((x: any) => `arn:aws:eks:us-east-1:${ACCOUNT}:podidentityassociation/c1/${x.id}`),
    );

    // UpdateAddon: b keeps its id with the new role, a is removed, c is new; the other add-on's association stays
    const { update } = await aws(
      eksArgs(
        'update-addon',
        'c1',
        '--addon-name',
        'my-addon',
        '--pod-identity-associations',
        pia('b', 'r2'),
        pia('c', 'r1'),
      ),
    );
    expect(update.params.map((p: any) => p.type)).toEqual(['PodIdentityAssociations']);
    const after = await list();
    expect(after.map((x: any) => x.at)).toEqual([
      'amazon-cloudwatch/cloudwatch-agent',
      'kube-system/b',
      'kube-system/c',
    ]);
    expect([after[0].id, after[1].id]).toEqual([before[0].id, before[2].id]);
    // the association left out of the list is deleted, not merely detached from the add-on
    expect(
      await awsError(eksArgs('describe-pod-identity-association', 'c1', '--association-id', before[1].id)),
    ).toEqual({
      code: 'ResourceNotFoundException',
      operation: 'DescribePodIdentityAssociation',
      message: `No Pod Identity Association found with id: ${before[1].id}`,
    });
    expect(
      (await aws(eksArgs('describe-pod-identity-association', 'c1', '--association-id', after[1].id))).association,
    ).toMatchObject({ roleArn: ROLE('r2'), ownerArn: custom.addonArn });
    expect((await describe('my-addon')).podIdentityAssociations).toHaveLength(2);
    // leaving the list out changes nothing; an empty list removes them all
    await aws(eksArgs('update-addon', 'c1', '--addon-name', 'my-addon', '--addon-version', 'v2'));
    expect((await list()).length).toBe(3);

    // an owned association is changed through its add-on only
    const owned = after[1].id;
    const ownedByAddon = `it is owned by ${custom.addonArn}; change it through the addon.`;
    expect(
      await Promise.all([
        awsError(eksArgs('update-pod-identity-association', 'c1', '--association-id', owned, '--role-arn', ROLE('r1'))),
        awsError(eksArgs('delete-pod-identity-association', 'c1', '--association-id', owned)),
      ]),
    ).toEqual([
      {
        code: 'InvalidRequestException',
        operation: 'UpdatePodIdentityAssociation',
        message: `Cannot update Pod Identity Association ${owned}: ${ownedByAddon}`,
      },
      {
        code: 'InvalidRequestException',
        operation: 'DeletePodIdentityAssociation',
        message: `Cannot delete Pod Identity Association ${owned}: ${ownedByAddon}`,
      },
    ]);

    await aws(eksArgs('update-addon', 'c1', '--addon-name', 'my-addon', '--pod-identity-associations', '[]'));
    expect((await list()).map((x: any) => x.at)).toEqual(['amazon-cloudwatch/cloudwatch-agent']);
    expect('podIdentityAssociations' in (await describe('my-addon'))).toBe(false);
    await aws(eksArgs('delete-addon', 'c1', '--addon-name', 'amazon-cloudwatch-observability'));
    expect(await list()).toEqual([]);
  });

  test('an add-on cannot take over a service account that has an association: 409, nothing changes', async () => {
    await emu.createCluster('c1');
    await podRole('r1');
    const { association } = await aws(
      eksArgs(
        'create-pod-identity-association',
        'c1',
        '--namespace',
        'kube-system',
        '--service-account',
        'aws-node',
        '--role-arn',
        ROLE('r1'),
      ),
    );
    expect(
      await awsError(
        eksArgs(
          'create-addon',
          'c1',
          '--addon-name',
          'vpc-cni',
          '--pod-identity-associations',
          `serviceAccount=aws-node,roleArn=${ROLE('r1')}`,
        ),
      ),
    ).toEqual({
      code: 'ResourceInUseException',
      operation: 'CreateAddon',
      message: `Association already exists: ${association.associationId}`,
    });
    expect([
      (await aws(eksArgs('list-addons', 'c1'))).addons,
      (await aws(eksArgs('list-pod-identity-associations', 'c1'))).associations.length,
    ]).toEqual([[], 1]);
  });

  test('secondsUntilActive: CREATING/UPDATING that long after the write, however many reads, then ACTIVE', async () => {
    await emu.createCluster('c1');
    await emu.setAddonBehaviour({ addonName: 'slow', secondsUntilActive: 1.5 });
    const status = async (name: string) =>
      (await aws(eksArgs('describe-addon', 'c1', '--addon-name', name))).addon.status;
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    expect((await aws(eksArgs('create-addon', 'c1', '--addon-name', 'slow'))).addon.status).toBe('CREATING');
    // default: 2 reads
    expect((await aws(eksArgs('create-addon', 'c1', '--addon-name', 'fast'))).addon.status).toBe('CREATING');
    const early = [await status('slow'), await status('slow'), await status('slow'), await status('slow')];
    expect(early).toEqual(['CREATING', 'CREATING', 'CREATING', 'CREATING']);
    expect([await status('fast'), await status('fast'), await status('fast')]).toEqual([
      'CREATING',
      'CREATING',
      'ACTIVE',
    ]);
    await pause(1600);
    expect(await status('slow')).toBe('ACTIVE');
    await aws(eksArgs('update-addon', 'c1', '--addon-name', 'slow', '--addon-version', 'v2'));
    expect([await status('slow'), await status('slow'), await status('slow')]).toEqual([
      'UPDATING',
      'UPDATING',
      'UPDATING',
    ]);
    await pause(1600);
    expect(await status('slow')).toBe('ACTIVE');
  });
});

describe('EKS Auto Mode clusters: computeConfig (aws CLI and SDK, issue 13)', () => {
  test('CreateCluster keeps computeConfig and DescribeCluster returns it; other clusters have none', async () => {
    const node = ROLE('AmazonEKSAutoNodeRole');
    const created = await aws([
      'eks',
      'create-cluster',
      '--name',
      'auto',
      '--role-arn',
      ROLE('cluster'),
      '--resources-vpc-config',
      'subnetIds=subnet-1',
      '--compute-config',
      `enabled=true,nodePools=general-purpose,system,nodeRoleArn=${node}`,
      '--storage-config',
      'blockStorage={enabled=true}',
      '--kubernetes-network-config',
      'elasticLoadBalancing={enabled=true}',
    ]);
    const compute = { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn: node };
    expect(created.cluster.computeConfig).toEqual(compute);
    const described = (await aws(['eks', 'describe-cluster', '--name', 'auto'])).cluster;
    expect([described.computeConfig, described.storageConfig]).toEqual([compute, { blockStorage: { enabled: true } }]);
    await emu.createCluster('classic');
    expect('computeConfig' in (await aws(['eks', 'describe-cluster', '--name', 'classic'])).cluster).toBe(false);
    // the control API makes one too, and the SDK reads it
    await emu.createCluster('auto2', 'us-east-1', { computeConfig: { enabled: true } });
    expect((await eks.send(new DescribeClusterCommand({ name: 'auto2' }))).cluster?.computeConfig).toEqual({
      enabled: true,
      nodePools: [],
    });
  });
});

describe('SDK v3 reads the newer fields the same way (issue 13)', () => {
  test('associations with target role, external ID, session policy; add-on configuration', async () => {
    await emu.createCluster('c1');
    const roleArn = await podRole('app');
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    });
    const { association } = await eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'c1',
        namespace: 'ns',
        serviceAccount: 'sa',
        roleArn,
        targetRoleArn: 'arn:aws:iam::999999999999:role/t',
        disableSessionTags: true,
        policy,
      }),
    );
    expect(association).toMatchObject({
      targetRoleArn: 'arn:aws:iam::999999999999:role/t',
      externalId: expect.stringMatching(UUID),
      disableSessionTags: true,
      policy,
    });
    const err = await eks
      .send(
        new UpdatePodIdentityAssociationCommand({
          clusterName: 'c1',
          associationId: association!.associationId!,
          disableSessionTags: false,
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toBe('When policy is specified, disableSessionTags must be set to true');
    const config = await eks.send(
      new DescribeAddonConfigurationCommand({ addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1' }),
    );
    expect(config.podIdentityConfiguration).toEqual([
      { serviceAccount: 'aws-node', recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] },
    ]);
    await eks.send(
      new DeletePodIdentityAssociationCommand({ clusterName: 'c1', associationId: association!.associationId! }),
    );
    const gone = await eks
      .send(
        new DescribePodIdentityAssociationCommand({ clusterName: 'c1', associationId: association!.associationId! }),
      )
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
  });
});
