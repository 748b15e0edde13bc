// The building blocks of removal (issue 12) and migration, against the emulators over real HTTP with the real
// clients: annotations taken off a service account (only while they still have the value we saw), a service
// account deleted only while it is the object we read, and one trust write that adds some bindings and takes
// others out, into the freshly read trust.
import { IAMClient } from '@aws-sdk/client-iam';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import * as k8s from '../src/kube/client.js';
import { mergeBindings, updateTrust } from '../src/resources/role-trust/apply.js';
import { irsaBinding, podIdentityBinding } from '../src/resources/role-trust/trust.js';
import { trustTarget } from '../src/resources/target-role/apply.js';
import type { BindingKey } from '../src/inputs/config.js';
import type { Log } from '../src/platform/types.js';
import { aws, clearJournals, trustOf, writes } from './helpers/judge.js';

const CLUSTER = 'ops';
let emu: Emulators;
let kube: k8s.Kube;

const silent: Log = {
  info: () => {},
  notice: () => {},
  warn: () => {},
  debug: () => {},
  group: (_title, fn) => fn(),
};

beforeAll(async () => {
  emu = await connectEmulators();
  process.env.EKS_POD_IAM_TIME_SCALE = '0.01';
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  kube = await k8s.connect({ kind: 'kubeconfig-file', path: emu.kubeconfigFor(CLUSTER) }, undefined, undefined);
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await clearJournals(emu);
});
afterEach(() => kube.close());

const ROLE_ARN = 'arn:aws:iam::123456789012:role/app';
const seedSa = (annotations: Record<string, string>, labels: Record<string, string> = {}) =>
  emu.kube.seed({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'api', namespace: 'apps', annotations, labels },
  });

describe('service account', () => {
  test('removeAnnotations takes off the role and audience, every other annotation and label stays', async () => {
    await seedSa(
      {
        'eks.amazonaws.com/role-arn': ROLE_ARN,
        'eks.amazonaws.com/audience': 'sts.example.com',
        'eks.amazonaws.com/token-expiration': '3600',
        'example.com/owner': 'payments',
      },
      { team: 'payments' },
    );
    await k8s.removeAnnotations(kube, 'apps', 'api', {
      'eks.amazonaws.com/role-arn': ROLE_ARN,
      'eks.amazonaws.com/audience': 'sts.example.com',
    });
    const sa = await k8s.readServiceAccount(kube, 'apps', 'api');
    expect(sa!.annotations).toEqual({
      'eks.amazonaws.com/token-expiration': '3600',
      'example.com/owner': 'payments',
    });
    expect(sa!.labels).toEqual({ team: 'payments' });
    expect((await writes(emu)).kube).toEqual(['PATCH /api/v1/namespaces/apps/serviceaccounts/api']);
  });

  test('removeAnnotations refuses (and changes nothing) when the annotation names another role by now', async () => {
    await seedSa({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/other' });
    await expect(
      k8s.removeAnnotations(kube, 'apps', 'api', { 'eks.amazonaws.com/role-arn': ROLE_ARN }),
    ).rejects.toThrow(/remove annotations from service account apps\/api.*changed since they were read/);
    const sa = await k8s.readServiceAccount(kube, 'apps', 'api');
    expect(sa!.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/other' });
  });

  test('deleteServiceAccount deletes the object read; a second delete (already gone) is fine', async () => {
    await seedSa({}, { 'app.kubernetes.io/created-by': 'eks-pod-iam' });
    const sa = await k8s.readServiceAccount(kube, 'apps', 'api');
    expect(sa!.uid).toBeTruthy();
    expect(sa!.resourceVersion).toBeTruthy();
    await k8s.deleteServiceAccount(kube, 'apps', 'api', { uid: sa!.uid, resourceVersion: sa!.resourceVersion });
    expect(await emu.kube.get('serviceaccounts', 'apps', 'api')).toBeUndefined();
    await k8s.deleteServiceAccount(kube, 'apps', 'api', { uid: sa!.uid, resourceVersion: sa!.resourceVersion });
    const kubeWrites = (await writes(emu)).kube;
    expect(kubeWrites).toEqual([
      'DELETE /api/v1/namespaces/apps/serviceaccounts/api',
      'DELETE /api/v1/namespaces/apps/serviceaccounts/api',
    ]);
  });

  test('deleteServiceAccount leaves one recreated (or changed) since it was read, without retrying', async () => {
    await seedSa({}, { 'app.kubernetes.io/created-by': 'eks-pod-iam' });
    const read = await k8s.readServiceAccount(kube, 'apps', 'api');
    await k8s.deleteServiceAccount(kube, 'apps', 'api', { uid: read!.uid, resourceVersion: read!.resourceVersion });
    await seedSa({ 'example.com/owner': 'someone-else' }); // recreated by someone else: a new uid
    await clearJournals(emu);
    await expect(
      k8s.deleteServiceAccount(kube, 'apps', 'api', { uid: read!.uid, resourceVersion: read!.resourceVersion }),
    ).rejects.toThrow(/apps\/api was recreated or changed since it was read/);
    expect(await emu.kube.get('serviceaccounts', 'apps', 'api')).toBeDefined();
    expect((await writes(emu)).kube).toHaveLength(1); // refused once, not retried
  });
});

describe('trust: one write adds and removes', () => {
  const iam = () => new IAMClient(emu.aws.clientConfig());
  const provider = 'arn:aws:iam::123456789012:oidc-provider/oidc.example.com/id/ABC';
  const sa = (name: string) => irsaBinding(provider, 'oidc.example.com/id/ABC', 'apps', name, 'sts.amazonaws.com');
  const EC2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };

  test('removed subject out, added statement in, foreign statement kept; a second run writes nothing', async () => {
    const client = iam();
    await aws(emu, [
      'iam',
      'create-role',
      '--role-name',
      'shared',
      '--assume-role-policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [EC2] }),
    ]);
    await (
      await mergeBindings(client, 'shared', [sa('a'), sa('b')], silent)
    ).settled;
    await clearJournals(emu);
    const op = {
      kind: 'update-trust' as const,
      roleName: 'shared',
      trust: { Version: '2012-10-17', Statement: [] },
      bindings: [podIdentityBinding()],
      removed: [sa('a')],
    };
    await (
      await updateTrust(client, op, silent)
    ).settled;
    const statements = (await trustOf(emu, 'shared')).Statement;
    expect(statements).toHaveLength(3);
    expect(statements[0]).toEqual(EC2);
    expect(statements[1].Condition.StringEquals['oidc.example.com/id/ABC:sub']).toEqual([
      'system:serviceaccount:apps:b',
    ]);
    expect(statements[2].Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
    expect((await writes(emu)).aws).toEqual(['UpdateAssumeRolePolicy']);
    await clearJournals(emu);
    await (
      await updateTrust(client, op, silent)
    ).settled;
    expect((await writes(emu)).aws).toEqual([]);
    client.destroy();
  });

  test("observe's read is merged into while 100 ms old, else the trust is read again first", async () => {
    const client = iam();
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [EC2] });
    await aws(emu, ['iam', 'create-role', '--role-name', 'seen', '--assume-role-policy-document', trust]);
    const observed = (answeredAgo: number) => ({
      arn: 'arn:aws:iam::123456789012:role/seen',
      name: 'seen',
      trust,
      tags: {},
      permissionsBoundaryArn: undefined,
      attachedPolicyArns: [],
      inlinePolicy: undefined,
      answeredAt: performance.now() - answeredAgo,
    });
    const op = (name: string) => ({
      kind: 'update-trust' as const,
      roleName: 'seen',
      trust: { Version: '2012-10-17', Statement: [] },
      bindings: [sa(name)],
    });
    await clearJournals(emu);
    // At full time scale: a read 10 ms old is fresh (the bound is 100 ms), one 5 s old is not.
    process.env.EKS_POD_IAM_TIME_SCALE = '1';
    await (
      await updateTrust(client, op('a'), silent, [observed(10)])
    ).settled;
    // No read before the write; the watch's two re-reads after it.
    expect((await emu.aws.journal()).map((j) => j.operation)).toEqual(['UpdateAssumeRolePolicy', 'GetRole', 'GetRole']);
    await clearJournals(emu);
    // Older than 100 ms: read again (a's statement, written since, stays).
    await (
      await updateTrust(client, op('b'), silent, [observed(5000)])
    ).settled;
    process.env.EKS_POD_IAM_TIME_SCALE = '0.01';
    const operations = (await emu.aws.journal()).map((j) => j.operation);
    expect(operations.slice(0, 2)).toEqual(['GetRole', 'UpdateAssumeRolePolicy']);
    const subjects = (await trustOf(emu, 'seen')).Statement.flatMap(
      (s: { Condition?: { StringEquals: Record<string, string[]> } }) =>
        s.Condition?.StringEquals['oidc.example.com/id/ABC:sub'] ?? [],
    );
    expect(subjects).toEqual(['system:serviceaccount:apps:a', 'system:serviceaccount:apps:b']);
    client.destroy();
  });

  test('a target grant is in effect once written and settles once watched (the run waits for that)', async () => {
    const client = iam();
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [EC2] });
    await aws(emu, ['iam', 'create-role', '--role-name', 'target', '--assume-role-policy-document', trust]);
    await clearJournals(emu);
    const grant = { binding: 'k' as BindingKey, roleArn: ROLE_ARN, externalId: 'ext-1' };
    const op = { kind: 'trust-target' as const, roleName: 'target', grants: [grant] };
    const { settling } = await trustTarget(client, op, new Map(), silent);
    await settling;
    // The read, the write, and the watch's two re-reads, all before the change settles.
    expect((await emu.aws.journal()).map((j) => j.operation)).toEqual([
      'GetRole',
      'UpdateAssumeRolePolicy',
      'GetRole',
      'GetRole',
    ]);
    client.destroy();
  });

  test('a removal that would leave no statement is refused, nothing written', async () => {
    const client = iam();
    await aws(emu, [
      'iam',
      'create-role',
      '--role-name',
      'alone',
      '--assume-role-policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [] }),
    ]);
    await (
      await mergeBindings(client, 'alone', [sa('a')], silent)
    ).settled;
    await clearJournals(emu);
    await expect(mergeBindings(client, 'alone', [], silent, [sa('a')])).rejects.toThrow(/without any statement/);
    expect((await writes(emu)).aws).toEqual([]);
    client.destroy();
  });
});
