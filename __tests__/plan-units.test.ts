// What a change is about (its typed owner) decides where it is listed, which unit is read back after it, and which
// add-on waits it belongs to — never the text of its id. Pure.
import { ChangeList, type Owner, type Scope } from '../src/core/changes.js';
import type { Op } from '../src/core/types.js';
import { inReadingOrder } from '../src/run/plan-order.js';
import { addonUnit, unitOf } from '../src/run/reread.js';

const scope = (owner: Owner, binding?: string): Scope => ({
  owner,
  binding: binding ?? 'demo',
  serves: ['demo/ns/app'],
  target: { clusterKey: 'us-east-1/demo', ...(binding ? { binding: binding as never } : {}) },
});
const op = (kind: Op['kind']) => ({ kind }) as unknown as Op;

function plan(...entries: [Owner, Op['kind'], string?][]) {
  const out = new ChangeList();
  for (const [owner, kind, binding] of entries)
    out
      .in(scope(owner, binding))
      .push({ id: kind, resource: 'x' as never, action: 'a', detail: '', after: [], op: op(kind) });
  return out.changes;
}

test('listed by owner: providers, roles and policies, the cluster, then bindings', () => {
  const changes = plan(
    [{ kind: 'binding', binding: 'demo/ns/app' }, 'create-association', 'demo/ns/app'],
    [{ kind: 'cluster', cluster: 'us-east-1/demo' }, 'create-addon'],
    [{ kind: 'role', role: 'app-role' }, 'update-trust'],
    [{ kind: 'provider', arn: 'arn:aws:iam::1:oidc-provider/x' }, 'create-oidc-provider'],
    [{ kind: 'policy', arn: 'arn:aws:iam::1:policy/p@v2' }, 'create-managed-policy'],
  );
  expect(inReadingOrder(changes).map((c) => c.owner.kind)).toEqual([
    'provider',
    'role',
    'policy',
    'cluster',
    'binding',
  ]);
});

test('read back by unit: the role, the cluster add-on, the binding part', () => {
  const changes = plan(
    [{ kind: 'role', role: 'app-role' }, 'attach-policy'],
    [{ kind: 'cluster', cluster: 'us-east-1/demo' }, 'create-addon'],
    [{ kind: 'binding', binding: 'demo/ns/app' }, 'create-association', 'demo/ns/app'],
    [{ kind: 'namespace', cluster: 'us-east-1/demo', name: 'ns' }, 'create-namespace', 'demo/ns/app'],
    [{ kind: 'binding', binding: 'demo/ns/app' }, 'restart-workload', 'demo/ns/app'],
  );
  expect(changes.map(unitOf)).toEqual([
    'role:app-role',
    addonUnit('us-east-1/demo'),
    'association:demo/ns/app',
    'sa:demo/ns/app',
    'other:demo/ns/app',
  ]);
});

test("a local id holding an '@' (a policy's name may) is still its scope's own: two roles never share an id", () => {
  const arn = 'arn:aws:iam::123456789012:policy/team@data';
  const changes = plan([{ kind: 'role', role: 'a' }, 'attach-policy'], [{ kind: 'role', role: 'b' }, 'attach-policy']);
  const out = new ChangeList();
  const ids = ['a', 'b'].map((role) =>
    out.in(scope({ kind: 'role', role })).push({
      id: `policy:${arn}`,
      resource: 'x' as never,
      action: 'a',
      detail: '',
      after: [],
      op: op('attach-policy'),
    }),
  );
  expect(new Set(ids).size).toBe(2);
  expect(ids[0]).toBe('policy:arn:aws:iam::123456789012:policy/team%40data@role:a');
  expect(changes.map((c) => c.id)).toEqual(['attach-policy@role:a', 'attach-policy@role:b']);
});
