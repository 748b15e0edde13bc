// migrate-from-irsa in the plan (pure): what is removed, after what, and behind which read-back; the end state the
// checks want; and where the role comes from when none is given.
import type { Observed } from '../src/core/types.js';
import { plan } from './helpers/plan-one.js';
import { verify } from '../src/run/verify.js';
import { irsaBinding, podIdentityBinding, statementFor } from '../src/resources/role-trust/trust.js';
import { roleFromServiceAccount } from '../src/resources/service-account/migrate.js';
import { configOf, type Inputs } from './helpers/config.js';
import { observedAssociation, observedRole } from './helpers/observed.js';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/legacy`;
const HOST = 'oidc.eks.us-east-1.amazonaws.com/id/ABC';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const ANNOTATION = 'eks.amazonaws.com/role-arn';

const config = (over: Inputs = {}) =>
  configOf({
    'role-arn': ROLE_ARN,
    'migrate-from-irsa': 'true',
    'role-name': undefined,
    ...over,
  });

const irsa = (sa: string) => irsaBinding(PROVIDER, HOST, 'ns', sa, 'sts.amazonaws.com');
const trust = (...sas: string[]) => {
  const statements = [statementFor(podIdentityBinding())];
  if (sas.length) {
    const s = statementFor(irsa(sas[0]!));
    (s.Condition as any).StringEquals[`${HOST}:sub`] = sas.map((x) => `system:serviceaccount:ns:${x}`);
    statements.push(s);
  }
  return { Version: '2012-10-17', Statement: statements };
};
const association = (roleArn = ROLE_ARN) => observedAssociation({ roleArn, createdAt: '2026-01-01T00:00:00Z' });

function observed(over: Partial<Observed> = {}): Observed {
  return {
    accountId: ACCOUNT,
    cluster: { arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`, issuer: `https://${HOST}` },
    role: observedRole({ arn: ROLE_ARN, name: 'legacy', trust: trust('app', 'other') }),
    addon: { status: 'ACTIVE', healthIssues: [] },
    associations: [],
    serviceAccount: { annotations: { [ANNOTATION]: ROLE_ARN, team: 'x' }, labels: {} },
    namespaceExists: true,
    pods: [],
    workloads: [{ kind: 'Deployment', name: 'app' }],
    ...over,
  };
}

test('the removals come after the association, behind its read-back; the subject goes after the restarts', () => {
  const p = plan(config({ 'restart-workloads': 'true' }), observed());
  const byKind = Object.fromEntries(p.changes.map((c) => [c.op.kind + (c.guard ? ' (guarded)' : ''), c]));
  expect(p.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
    'pod-identity-association create',
    'service-account remove',
    'workload restart',
    'iam-role-trust remove',
  ]);
  const create = byKind['create-association']!;
  const unannotate = byKind['unannotate-service-account (guarded)']!;
  const restart = byKind['restart-workload']!;
  const untrust = byKind['update-trust (guarded)']!;
  const guard = [{ binding: 'demo/ns/app', roleArn: ROLE_ARN }];
  expect(unannotate.guard).toEqual(guard);
  expect(unannotate.after).toContain(create.id);
  expect(unannotate.op).toEqual({ kind: 'unannotate-service-account', annotations: { [ANNOTATION]: ROLE_ARN } });
  expect(restart.after).toEqual(expect.arrayContaining([create.id, unannotate.id]));
  expect(untrust.guard).toEqual(guard);
  expect(untrust.after).toEqual(expect.arrayContaining([create.id, unannotate.id, restart.id]));
  expect(untrust.op).toMatchObject({ kind: 'update-trust', roleName: 'legacy', bindings: [], removed: [irsa('app')] });
  // Only this subject leaves; the other stays, and so does the Pod Identity statement.
  expect(JSON.stringify(untrust.op.kind === 'update-trust' && untrust.op.trust)).toContain(
    'system:serviceaccount:ns:other',
  );
  expect(JSON.stringify(untrust.op.kind === 'update-trust' && untrust.op.trust)).not.toContain(
    'system:serviceaccount:ns:app',
  );
});

test('stopped after the association: only the removals are left, still behind the read-back', () => {
  const p = plan(config(), observed({ associations: [association()] }));
  expect(p.changes.map((c) => [c.op.kind, c.after, !!c.guard])).toEqual([
    ['unannotate-service-account', [], true],
    ['update-trust', [p.changes[0]!.id], true],
  ]);
});

test('stopped after the annotation went: the subject is still taken out', () => {
  const sa = { annotations: { team: 'x' }, labels: {} };
  const p = plan(config(), observed({ associations: [association()], serviceAccount: sa }));
  expect(p.changes.map((c) => `${c.resource} ${c.action}`)).toEqual(['iam-role-trust remove']);
});

test('done: nothing to change, and the checks pass', () => {
  const sa = { annotations: { team: 'x' }, labels: {} };
  const done = observed({
    associations: [association()],
    serviceAccount: sa,
    role: { ...observed().role!, trust: trust('other') },
  });
  expect(plan(config(), done).changes).toEqual([]);
  const checks = verify(config(), done).filter((c) => c.name.startsWith('IRSA'));
  expect(checks.map((c) => [c.name, c.ok])).toEqual([
    ['IRSA annotation removed', true],
    ['IRSA subject removed', true],
  ]);
  const before = verify(config(), observed()).filter((c) => c.name.startsWith('IRSA'));
  expect(before.map((c) => c.ok)).toEqual([false, false]);
});

test('without the flag the annotation stays and a warning says Pod Identity takes precedence', () => {
  const p = plan(config({ 'migrate-from-irsa': 'false' }), observed({ associations: [association()] }));
  expect(p.changes).toEqual([]);
  expect(p.warnings).toEqual([
    `Service account ns/app keeps its IRSA annotation ${ANNOTATION}=${ROLE_ARN}: Pod Identity takes precedence ` +
      'for new pods; set migrate-from-irsa: true to remove it (and its web-identity trust) once the association is ' +
      'verified.',
  ]);
  expect(verify(config({ 'migrate-from-irsa': 'false' }), observed()).some((c) => c.name.startsWith('IRSA'))).toBe(
    false,
  );
});

describe('a role given that is not the annotated one', () => {
  const NEW_ARN = `arn:aws:iam::${ACCOUNT}:role/new`;
  const TAG = 'eks-pod-iam:irsa-role-arn';
  const newRole = { ...observed().role!, arn: NEW_ARN, name: 'new', trust: trust() };
  const oldRole = observed().role!;
  const sa = { annotations: { team: 'x' }, labels: {} };
  const given = (over: Partial<Observed> = {}) =>
    observed({ role: newRole, irsaRole: { arn: ROLE_ARN, readable: true, role: oldRole }, ...over });
  const recorded = (tags: Record<string, string> = { [TAG]: ROLE_ARN }) => ({ ...association(NEW_ARN), tags });

  test('the association (recording the annotated role) first; the annotated role gives up the subject last', () => {
    const p = plan(config({ 'role-arn': NEW_ARN, 'restart-workloads': 'true' }), given());
    expect(p.roleArn).toBe(NEW_ARN);
    expect(p.warnings).toEqual([]);
    expect(p.changes.map((c) => `${c.resource} ${c.action}`)).toEqual([
      'pod-identity-association create',
      'service-account remove',
      'workload restart',
      'pod-identity-association untag',
      'iam-role-trust remove',
    ]);
    const [create, unannotate, restart, untag, untrust] = p.changes;
    // The record goes once the subject is out: after the trust write, the move being complete.
    expect(untag!.op).toEqual({ kind: 'untag-association', associationArn: undefined, tagKeys: [TAG] });
    expect(untag!.after).toEqual(expect.arrayContaining([untrust!.id, create!.id, unannotate!.id]));
    expect(create!.op).toMatchObject({ kind: 'create-association', roleArn: NEW_ARN, tags: { [TAG]: ROLE_ARN } });
    const guard = [{ binding: 'demo/ns/app', roleArn: NEW_ARN }];
    expect(unannotate!.guard).toEqual(guard);
    expect(untrust!.guard).toEqual(guard);
    expect(untrust!.after).toEqual(expect.arrayContaining([create!.id, unannotate!.id, restart!.id]));
    // The old role's trust, not the new one's: only this subject leaves, the other stays.
    expect(untrust!.op).toMatchObject({ kind: 'update-trust', roleName: 'legacy', removed: [irsa('app')] });
    const written = JSON.stringify(untrust!.op.kind === 'update-trust' && untrust!.op.trust);
    expect(written).toContain('system:serviceaccount:ns:other');
    expect(written).not.toContain('system:serviceaccount:ns:app');
    expect(untrust!.id).toContain('@role:legacy');
    // Before: the check looks at the old role (the new one never had the subject).
    const before = verify(config({ 'role-arn': NEW_ARN }), given()).find((c) => c.name === 'IRSA subject removed');
    expect(before).toMatchObject({ ok: false, detail: expect.stringMatching(/^legacy still trusts/) });
  });

  test('an association already there is tagged with the annotated role before the annotation goes', () => {
    const p = plan(config({ 'role-arn': NEW_ARN }), given({ associations: [recorded({})] }));
    expect(p.changes.map((c) => [c.op.kind, c.after.length > 0, !!c.guard])).toEqual([
      ['tag-association', false, false],
      ['unannotate-service-account', true, true],
      ['untag-association', true, false],
      ['update-trust', true, true],
    ]);
    expect(p.changes[0]!.op).toEqual({
      kind: 'tag-association',
      associationArn: association().associationArn,
      tags: { [TAG]: ROLE_ARN },
    });
    expect(p.changes[1]!.after).toEqual([p.changes[0]!.id]);
  });

  test('stopped after the annotation went: the association says which role still has the subject', () => {
    const p = plan(config({ 'role-arn': NEW_ARN }), given({ associations: [recorded()], serviceAccount: sa }));
    expect(p.changes.map((c) => `${c.resource} ${c.action} ${c.op.kind === 'update-trust' && c.op.roleName}`)).toEqual([
      'pod-identity-association untag false',
      'iam-role-trust remove legacy',
    ]);
    expect(p.changes[0]!.after).toEqual([p.changes[1]!.id]);
  });

  test('done: only the record leaves the association (then nothing); the checks pass against the old role', () => {
    const done = given({
      associations: [recorded()],
      serviceAccount: sa,
      irsaRole: { arn: ROLE_ARN, readable: true, role: { ...oldRole, trust: trust('other') } },
    });
    expect(plan(config({ 'role-arn': NEW_ARN }), done).changes.map((c) => [c.op, c.after])).toEqual([
      [{ kind: 'untag-association', associationArn: association().associationArn, tagKeys: [TAG] }, []],
    ]);
    expect(plan(config({ 'role-arn': NEW_ARN }), { ...done, associations: [recorded({})] }).changes).toEqual([]);
    const checks = verify(config({ 'role-arn': NEW_ARN }), done).filter((c) => c.name.startsWith('IRSA'));
    expect(checks.map((c) => [c.name, c.ok, c.detail])).toEqual([
      ['IRSA annotation removed', true, 'ns/app has no eks.amazonaws.com/role-arn'],
      ['IRSA subject removed', true, 'legacy no longer trusts system:serviceaccount:ns:app through ' + PROVIDER],
    ]);
  });

  test('not readable: no write, the check is not verifiable and names the subject to remove', () => {
    const why = 'iam:GetRole is denied (AccessDenied)';
    const denied = given({ irsaRole: { arn: ROLE_ARN, readable: false, why } });
    const p = plan(config({ 'role-arn': NEW_ARN }), denied);
    expect(p.changes.map((c) => c.op.kind)).toEqual(['create-association', 'unannotate-service-account']);
    const c = verify(config({ 'role-arn': NEW_ARN }), denied).find((x) => x.name === 'IRSA subject removed')!;
    expect(c.ok).toBeUndefined();
    expect(c.detail).toBe(`not verifiable: ${ROLE_ARN} cannot be read (${why})`);
    expect(c.todo).toBe(
      `Remove system:serviceaccount:ns:app from the web-identity (${PROVIDER}) trust of ${ROLE_ARN}: ` +
        'the service account no longer uses that role.',
    );
  });

  test('the annotated role does not exist: nothing to remove, and the check passes', () => {
    const missing = given({ irsaRole: { arn: ROLE_ARN, readable: true, role: null } });
    const p = plan(config({ 'role-arn': NEW_ARN }), missing);
    expect(p.changes.map((c) => c.op.kind)).toEqual(['create-association', 'unannotate-service-account']);
    const c = verify(config({ 'role-arn': NEW_ARN }), missing).find((x) => x.name === 'IRSA subject removed')!;
    expect(c.ok).toBe(true);
  });

  test("the subject is the old role's last statement: no write (IAM refuses it), no deletion, a todo", () => {
    const only = { Version: '2012-10-17', Statement: [statementFor(irsa('app'))] };
    const last = given({ irsaRole: { arn: ROLE_ARN, readable: true, role: { ...oldRole, trust: only } } });
    const p = plan(config({ 'role-arn': NEW_ARN }), last);
    expect(p.changes.map((c) => c.op.kind)).toEqual(['create-association', 'unannotate-service-account']);
    const c = verify(config({ 'role-arn': NEW_ARN }), last).find((x) => x.name === 'IRSA subject removed')!;
    expect(c.ok).toBeUndefined();
    expect(c.detail).toMatch(/^not done: the web-identity trust of legacy keeps system:serviceaccount:ns:app: it is/);
    expect(c.todo).toBe(
      `Delete role ${ROLE_ARN} once nothing uses it: its trust still lets system:serviceaccount:ns:app in.`,
    );
  });

  test('the annotated role is the given one (by name): no other role', () => {
    const p = plan(config({ 'role-arn': '', 'role-name': 'legacy' }), observed());
    expect(p.changes.filter((c) => c.op.kind === 'update-trust').map((c) => c.id)).toEqual([
      expect.stringContaining('@role:legacy'),
    ]);
    expect(p.changes.find((c) => c.op.kind === 'create-association')!.op).not.toHaveProperty(['tags', TAG]);
  });
});

describe('the role of a migrating binding that gives none', () => {
  const b = { ...config({ 'role-arn': '' }), index: undefined };
  const sa = (annotations: Record<string, string>) => ({ annotations, labels: {} });

  test("is the annotated one, else the association's", () => {
    expect(roleFromServiceAccount(b, sa({ [ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/team/legacy` }), [])).toEqual({
      kind: 'arn',
      arn: `arn:aws:iam::${ACCOUNT}:role/team/legacy`,
      name: 'legacy',
      path: '/team/',
      accountId: ACCOUNT,
      annotated: true,
    });
    expect(roleFromServiceAccount(b, sa({}), [association()]).arn).toBe(ROLE_ARN);
  });

  test('none, or not a role ARN: one line naming the inputs', () => {
    expect(() => roleFromServiceAccount(b, sa({}), [])).toThrow(
      /^Input "migrate-from-irsa" takes the role from .* but ns\/app has none .*: give "role-name" or "role-arn"\.$/,
    );
    expect(() => roleFromServiceAccount(b, null, undefined)).toThrow(/service account ns\/app does not exist/);
    expect(() => roleFromServiceAccount(b, sa({ [ANNOTATION]: 'legacy' }), [])).toThrow(/not an IAM role ARN/);
  });
});
