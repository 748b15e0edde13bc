// The plan of a binding through its add-on (`addon`), over the cases an end-to-end run does not easily reach:
// what the add-on's associations cannot express, a service account bound some other way, an add-on mid-update.
import type { InputName } from '../src/inputs/spec.js';
import { PlanError } from '../src/core/changes.js';
import { plan } from './helpers/plan-one.js';
import { verify, failed, advisories } from '../src/run/verify.js';
import { statementFor, podIdentityBinding } from '../src/resources/role-trust/trust.js';
import type { Observed, ObservedAssociation, ObservedOwnerAddon } from '../src/core/types.js';
import { configOf, type Inputs } from './helpers/config.js';
import { observedAssociation, observedRole } from './helpers/observed.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ebs`;
const ADDON_ARN = `arn:aws:eks:us-east-1:${ACCOUNT}:addon/demo/aws-ebs-csi-driver/x`;
const EBS_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';

const config = (over: Inputs = {}) =>
  configOf({
    namespace: 'kube-system',
    'service-account': 'ebs-csi-controller-sa',
    'role-name': 'ebs',
    addon: 'aws-ebs-csi-driver',
    ...over,
  });

const association = (over: Partial<ObservedAssociation> = {}) =>
  observedAssociation({
    associationArn: `arn:aws:eks:us-east-1:${ACCOUNT}:podidentityassociation/demo/a-aaaaaaaaaaaaaaaaa`,
    roleArn: ROLE_ARN,
    ownerArn: ADDON_ARN,
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
    role: observedRole({ arn: ROLE_ARN, name: 'ebs', attachedPolicyArns: [EBS_POLICY] }),
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

describe('state: absent', () => {
  const absent = (over: Partial<Record<InputName, string>> = {}) => config({ state: 'absent', ...over });
  const OWNED = { 'eks-pod-iam:managed': 'true' };
  const NODE = { serviceAccount: 'ebs-csi-node-sa', namespace: 'kube-system', roleArn: 'arn:aws:iam::1:role/node' };
  const ours = { serviceAccount: 'ebs-csi-controller-sa', namespace: 'kube-system', roleArn: ROLE_ARN };
  const removal = (over: Partial<Observed> = {}) =>
    observed({
      role: { ...observed().role!, tags: OWNED, inlinePolicyNames: [], associatedElsewhere: [] },
      ownerAddon: addon({ associations: [NODE, ours] }),
      ...over,
    });

  test('UpdateAddon without our service account, the others as they are; then the role goes, after it', () => {
    const p = plan(absent(), removal());
    expect(p.changes.map((c) => `${c.resource} ${c.action}: ${c.detail}`)).toEqual([
      `eks-addon remove: remove from add-on aws-ebs-csi-driver in cluster demo: kube-system/ebs-csi-controller-sa ` +
        `(→ ${ROLE_ARN}); its 1 other association(s) kept`,
      `iam-role-policy detach: detach ${EBS_POLICY} from ebs`,
      'iam-role delete: delete role ebs (created by eks-pod-iam; no trust statement left)',
    ]);
    const [write, detach, del] = p.changes;
    expect(write!.op).toEqual({
      kind: 'addon-associations',
      addonName: 'aws-ebs-csi-driver',
      install: false,
      associations: [{ serviceAccount: 'ebs-csi-node-sa', roleArn: NODE.roleArn }],
    });
    // no DeletePodIdentityAssociation: the add-on owns it
    expect(kinds(p)).not.toContain('delete-association');
    expect(detach!.after).toEqual([write!.id]);
    expect(del!.after).toEqual(expect.arrayContaining([write!.id, detach!.id]));
  });

  test('its last association: the list goes empty (EKS then removes them all); the add-on stays', () => {
    const p = plan(absent(), removal({ ownerAddon: addon() }));
    expect(p.changes[0]!.op).toMatchObject({ kind: 'addon-associations', install: false, associations: [] });
    expect(p.changes[0]!.detail).not.toContain('kept');
  });

  test('a role not made by eks-pod-iam keeps its policies; only its trust statement goes, after the write', () => {
    const trust = encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          statementFor(podIdentityBinding()),
          { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    );
    const o = removal();
    const p = plan(absent(), { ...o, role: { ...o.role!, tags: {}, trust } });
    expect(p.changes.map((c) => `${c.resource} ${c.action}`)).toEqual(['eks-addon remove', 'iam-role-trust remove']);
    expect(p.changes[1]!.after).toEqual([p.changes[0]!.id]);
  });

  test.each([
    ['the add-on is not installed', { ownerAddon: addon(null), associations: [] }],
    [
      'it has no association for the service account',
      { ownerAddon: addon({ associations: [NODE] }), associations: [] },
    ],
    ['no such add-on', { ownerAddon: { ...addon(null), version: undefined }, associations: [] }],
  ])('nothing to take out of the add-on when %s', (_, over) => {
    const p = plan(absent(), removal(over));
    expect(kinds(p)).not.toContain('addon-associations');
    expect(kinds(p)).toEqual(['detach-policy', 'delete-role']);
  });

  test('an association naming another role: warned about and left; so is one in another namespace', () => {
    const other = { ...ours, roleArn: 'arn:aws:iam::1:role/someone-else' };
    const p = plan(
      absent(),
      removal({
        ownerAddon: addon({ associations: [NODE, other] }),
        associations: [association({ roleArn: other.roleArn })],
      }),
    );
    expect(kinds(p)).not.toContain('addon-associations');
    expect(p.warnings).toEqual([
      'The association of kube-system/ebs-csi-controller-sa in add-on aws-ebs-csi-driver names ' +
        `${other.roleArn}, not ${ROLE_ARN}: it is left as it is.`,
    ]);
    const elsewhere = plan(absent({ namespace: 'storage' }), removal());
    expect(kinds(elsewhere)).not.toContain('addon-associations');
  });

  test('an add-on mid-update is not written to', () => {
    expect(() => plan(absent(), removal({ ownerAddon: addon({ status: 'UPDATING', associations: [ours] }) }))).toThrow(
      /is UPDATING; rerun once it has settled/,
    );
  });

  test('verify: the association gone, the add-on still there with its other associations', () => {
    const intent = {
      roleDeleted: true,
      roleKept: false,
      trustKept: false,
      serviceAccountDeleted: false,
      addonKept: [{ serviceAccount: NODE.serviceAccount, roleArn: NODE.roleArn }],
    };
    const after = (associations: (typeof NODE)[], over: Partial<Observed> = {}) =>
      verify(
        absent(),
        observed({ role: null, associations: [], ownerAddon: addon({ associations }), ...over }),
        intent,
      );
    const names = (cs: { name: string }[]) => cs.map((c) => c.name);
    expect(failed(after([NODE]))).toEqual([]);
    expect(names(after([NODE]))).toContain('add-on associations kept');
    expect(failed(after([])).map((c) => c.detail)).toEqual(['ebs-csi-node-sa no longer as it was']);
    expect(failed(after([NODE], { ownerAddon: addon(null) })).map((c) => c.detail)).toEqual([
      'aws-ebs-csi-driver is not installed',
    ]);
    expect(names(failed(after([NODE], { associations: [association()] })))).toEqual(['association removed']);
  });
});
