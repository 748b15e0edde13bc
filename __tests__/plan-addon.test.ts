// The plan of a binding through its add-on (`addon`), over the cases an end-to-end run does not easily reach:
// what the add-on's associations cannot express, a service account bound some other way, an add-on mid-update.
import { parseInputs } from '../src/inputs/parse.js';
import type { InputName } from '../src/inputs/spec.js';
import { plan, PlanError } from '../src/run/plan.js';
import { verify, failed, advisories } from '../src/run/verify.js';
import { statementFor, podIdentityBinding } from '../src/resources/role-trust/trust.js';
import type { Observed, ObservedAssociation, ObservedOwnerAddon } from '../src/core/types.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ebs`;
const ADDON_ARN = `arn:aws:eks:us-east-1:${ACCOUNT}:addon/demo/aws-ebs-csi-driver/x`;
const EBS_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';

function config(over: Partial<Record<InputName, string>> = {}) {
  const values: Partial<Record<InputName, string>> = {
    'cluster-name': 'demo',
    'aws-region': 'us-east-1',
    namespace: 'kube-system',
    'service-account': 'ebs-csi-controller-sa',
    'role-name': 'ebs',
    addon: 'aws-ebs-csi-driver',
    ...over,
  };
  return parseInputs((n) => values[n], { env: {} }).config;
}

const association = (over: Partial<ObservedAssociation> = {}): ObservedAssociation => ({
  associationId: 'a-aaaaaaaaaaaaaaaaa',
  associationArn: `arn:aws:eks:us-east-1:${ACCOUNT}:podidentityassociation/demo/a-aaaaaaaaaaaaaaaaa`,
  roleArn: ROLE_ARN,
  targetRoleArn: undefined,
  disableSessionTags: false,
  policy: undefined,
  ownerArn: ADDON_ARN,
  tags: {},
  ...over,
});

function addon(over: Partial<NonNullable<ObservedOwnerAddon['installed']>> | null = {}): ObservedOwnerAddon {
  return {
    name: 'aws-ebs-csi-driver',
    installed:
      over === null
        ? null
        : {
            arn: ADDON_ARN,
            status: 'ACTIVE',
            healthIssues: [],
            associations: [{ serviceAccount: 'ebs-csi-controller-sa', namespace: 'kube-system', roleArn: ROLE_ARN }],
            ...over,
          },
    version: 'v1.3.4-eksbuild.1',
    serviceAccounts: { 'ebs-csi-controller-sa': [EBS_POLICY] },
  };
}

function observed(over: Partial<Observed> = {}): Observed {
  return {
    accountId: ACCOUNT,
    cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: undefined },
    role: {
      arn: ROLE_ARN,
      name: 'ebs',
      trust: encodeURIComponent(
        JSON.stringify({ Version: '2012-10-17', Statement: [statementFor(podIdentityBinding())] }),
      ),
      tags: {},
      permissionsBoundaryArn: undefined,
      attachedPolicyArns: [EBS_POLICY],
      inlinePolicy: undefined,
    },
    addon: { status: 'ACTIVE', healthIssues: [] },
    associations: [association()],
    ownerAddon: addon(),
    ...over,
  };
}

const kinds = (p: ReturnType<typeof plan>) => p.changes.map((c) => c.op.kind);

test('bound already: nothing to change, no service account created even if missing', () => {
  expect(kinds(plan(config(), observed({ serviceAccount: null, namespaceExists: false })))).toEqual([]);
});

test('not installed: CreateAddon carrying the association; the recommended policy attached first', () => {
  const p = plan(config(), observed({ ownerAddon: addon(null), associations: [], role: null }));
  expect(kinds(p)).toEqual(['create-role', 'attach-policy', 'addon-associations']);
  expect(p.changes[2]!.op).toEqual({
    kind: 'addon-associations',
    addonName: 'aws-ebs-csi-driver',
    install: true,
    associations: [{ serviceAccount: 'ebs-csi-controller-sa', roleArn: ROLE_ARN }],
  });
  expect(p.changes[2]!.after).toEqual([p.changes[0]!.id]);
});

test('a policy input replaces the recommended policies', () => {
  const p = plan(
    config({
      'inline-policy': '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
    }),
    observed({ ownerAddon: addon({ associations: [] }), associations: [] }),
  );
  expect(kinds(p)).toEqual(['put-inline-policy', 'addon-associations']);
});

test('another role: UpdateAddon with the whole list, the other service accounts as they are', () => {
  const other = { serviceAccount: 'ebs-csi-node-sa', namespace: 'kube-system', roleArn: 'arn:aws:iam::1:role/node' };
  const current = {
    serviceAccount: 'ebs-csi-controller-sa',
    namespace: 'kube-system',
    roleArn: 'arn:aws:iam::1:role/old',
  };
  const p = plan(
    config(),
    observed({
      ownerAddon: addon({ associations: [other, current] }),
      associations: [association({ roleArn: current.roleArn })],
    }),
  );
  expect(p.changes.map((c) => [c.op, c.detail])).toEqual([
    [
      {
        kind: 'addon-associations',
        addonName: 'aws-ebs-csi-driver',
        install: false,
        associations: [
          { serviceAccount: 'ebs-csi-node-sa', roleArn: other.roleArn },
          { serviceAccount: 'ebs-csi-controller-sa', roleArn: ROLE_ARN },
        ],
      },
      'associate through add-on aws-ebs-csi-driver in cluster demo: kube-system/ebs-csi-controller-sa → ' +
        `${ROLE_ARN} (was ${current.roleArn}); its 1 other association(s) kept`,
    ],
  ]);
});

test.each([
  [
    'an add-on mid-update',
    observed({ ownerAddon: addon({ status: 'UPDATING', associations: [] }), associations: [] }),
    {},
    /is UPDATING; rerun once it has settled/,
  ],
  [
    'an association made directly',
    observed({ associations: [association({ ownerArn: undefined })] }),
    {},
    /already has the association a-a+, not made by the add-on; EKS refuses a second one/,
  ],
  [
    'an association of another add-on',
    observed({ associations: [association({ ownerArn: 'arn:aws:eks:us-east-1:1:addon/demo/other/y' })] }),
    {},
    /owned by arn:aws:eks:us-east-1:1:addon\/demo\/other\/y/,
  ],
  [
    'another namespace',
    observed(),
    { namespace: 'storage' },
    /runs in namespace kube-system, not storage: check "namespace"/,
  ],
  [
    'a service account it does not take',
    observed(),
    { 'service-account': 'x' },
    /takes no Pod Identity association for service account x \(its service accounts: ebs-csi-controller-sa\)/,
  ],
  [
    'session tags off',
    observed(),
    { 'disable-session-tags': 'true' },
    /"disable-session-tags" cannot be set through add-on aws-ebs-csi-driver/,
  ],
  [
    'no such add-on',
    observed({ ownerAddon: { ...addon(null), version: undefined } }),
    {},
    /EKS has no add-on named aws-ebs-csi-driver for cluster demo/,
  ],
] as const)('refused: %s', (_, o, over, message) => {
  expect(() => plan(config(over), o)).toThrow(PlanError);
  expect(() => plan(config(over), o)).toThrow(message);
});

test('verify: the association owned by the add-on, the add-on ACTIVE; still updating is only reported', () => {
  const names = (cs: { name: string }[]) => cs.map((c) => c.name);
  expect(failed(verify(config(), observed()))).toEqual([]);
  const updating = verify(config(), observed({ ownerAddon: addon({ status: 'UPDATING' }) }));
  expect([names(failed(updating)), names(advisories(updating))]).toEqual([[], ['add-on']]);
  const degraded = verify(config(), observed({ ownerAddon: addon({ status: 'DEGRADED' }) }));
  expect(names(failed(degraded))).toEqual(['add-on']);
  const direct = verify(config(), observed({ associations: [association({ ownerArn: undefined })] }));
  expect(failed(direct).map((c) => c.detail)).toEqual(['a-aaaaaaaaaaaaaaaaa is owned by no add-on']);
});
