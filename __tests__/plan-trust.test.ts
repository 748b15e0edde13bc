import { parsePolicy, samePolicy, statementsOf } from '../src/core/policy-doc.js';
import {
  allows,
  irsaBinding,
  mergeTrust,
  podIdentityBinding,
  statementFor,
  targetBinding,
} from '../src/resources/role-trust/trust.js';

const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC';
const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/ABC';
const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const pi = podIdentityBinding();
const irsa = (sa: string, aud = 'sts.amazonaws.com') => irsaBinding(PROVIDER, ISSUER, 'ns', sa, aud);

describe('samePolicy compares meaning, not text', () => {
  test('URL-encoded (as IAM returns it) equals the parsed document', () => {
    const d = doc(ec2);
    expect(samePolicy(encodeURIComponent(JSON.stringify(d)), d)).toBe(true);
  });
  test('string vs one-element list, order of statements, keys and actions', () => {
    const a = doc({ Effect: 'Allow', Action: ['s3:B', 's3:A'], Resource: '*' }, ec2);
    const b = {
      Statement: [
        { ...ec2, Action: ['sts:AssumeRole'] },
        { Resource: ['*'], Action: ['s3:A', 's3:B'], Effect: 'Allow' },
      ],
      Version: '2012-10-17',
    };
    expect(samePolicy(a, b)).toBe(true);
  });
  test('condition values as string or list', () => {
    const a = doc({ ...ec2, Condition: { StringEquals: { 'aws:SourceAccount': '1' } } });
    const b = doc({ ...ec2, Condition: { StringEquals: { 'aws:SourceAccount': ['1'] } } });
    expect(samePolicy(a, b)).toBe(true);
  });
  test('a different action, resource or effect is different', () => {
    const base = { Effect: 'Allow', Action: 's3:A', Resource: '*' };
    expect(samePolicy(doc(base), doc({ ...base, Action: 's3:B' }))).toBe(false);
    expect(samePolicy(doc(base), doc({ ...base, Resource: 'arn:aws:s3:::b' }))).toBe(false);
    expect(samePolicy(doc(base), doc({ ...base, Effect: 'Deny' }))).toBe(false);
  });
});

describe('allows: does a statement already grant the binding?', () => {
  test('our own statement does', () => {
    expect(allows(statementFor(pi), pi)).toBe(true);
    expect(allows(statementFor(irsa('a')), irsa('a'))).toBe(true);
  });
  test('single action string, wildcard actions, several principals', () => {
    expect(
      allows(
        { Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'pods.eks.amazonaws.com'] }, Action: 'sts:*' },
        pi,
      ),
    ).toBe(true);
    expect(
      allows({ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }, pi),
    ).toBe(false);
  });
  test('Deny, NotAction, other principal, AWS principal do not', () => {
    const s = statementFor(pi);
    expect(allows({ ...s, Effect: 'Deny' }, pi)).toBe(false);
    expect(allows({ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, NotAction: 'iam:*' }, pi)).toBe(
      false,
    );
    expect(allows(ec2, pi)).toBe(false);
    expect(allows({ ...s, Principal: { AWS: 'pods.eks.amazonaws.com' } }, pi)).toBe(false);
  });
  test('a scoped statement does not allow an unscoped binding, the reverse does', () => {
    const scoped = podIdentityBinding({
      clusterArn: 'arn:aws:eks:us-east-1:1:cluster/c',
      namespace: 'ns',
      serviceAccount: 'sa',
    });
    expect(allows(statementFor(scoped), pi)).toBe(false);
    expect(allows(statementFor(pi), scoped)).toBe(true);
    expect(allows(statementFor(scoped), scoped)).toBe(true);
  });
  test('IRSA: subject lists, StringLike wildcards, other audience, extra conditions', () => {
    const base = statementFor(irsa('a')) as { Condition: { StringEquals: Record<string, unknown> } };
    const listed = {
      ...base,
      Condition: {
        StringEquals: {
          [`${ISSUER}:sub`]: ['system:serviceaccount:ns:x', 'system:serviceaccount:ns:a'],
          [`${ISSUER}:aud`]: 'sts.amazonaws.com',
        },
      },
    };
    expect(allows(listed, irsa('a'))).toBe(true);
    expect(allows(listed, irsa('b'))).toBe(false);
    const like = { ...base, Condition: { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:ns:*' } } };
    expect(allows(like, irsa('anything'))).toBe(true);
    expect(allows(base, irsa('a', 'other'))).toBe(false);
    const extra = { ...base, Condition: { ...base.Condition, StringNotEquals: { 'aws:x': 'y' } } };
    expect(allows(extra, irsa('a'))).toBe(false);
    const noAud = { ...base, Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:ns:a' } } };
    expect(allows(noAud, irsa('a'))).toBe(true);
  });
});

describe('mergeTrust keeps everything and adds only what is missing', () => {
  test('pod identity added next to a foreign statement, which stays exactly', () => {
    const existing = encodeURIComponent(JSON.stringify(doc(ec2)));
    const { document, changed } = mergeTrust(existing, pi);
    expect(changed).toBe(true);
    expect(document.Statement).toEqual([
      ec2,
      {
        Sid: 'EksPodIamPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ]);
  });

  test('already allowed (any Sid, any form) → unchanged, same document', () => {
    const hand = {
      Effect: 'Allow',
      Principal: { Service: ['pods.eks.amazonaws.com'] },
      Action: ['sts:TagSession', 'sts:AssumeRole'],
    };
    const { changed, document } = mergeTrust(doc(ec2, hand), pi);
    expect(changed).toBe(false);
    expect(document.Statement).toEqual([ec2, hand]);
  });

  test('a single Statement object (not a list) is kept', () => {
    const { document } = mergeTrust({ Version: '2012-10-17', Statement: ec2 }, pi);
    expect((document.Statement as unknown[])[0]).toEqual(ec2);
    expect((document.Statement as unknown[]).length).toBe(2);
  });

  test('an empty trust gets our statement', () => {
    const { document } = mergeTrust({ Version: '2012-10-17', Statement: [] }, pi);
    expect(document.Statement).toHaveLength(1);
  });

  test('IRSA: a second subject joins our statement; the first stays', () => {
    const first = mergeTrust(doc(ec2), irsa('a'));
    const second = mergeTrust(first.document, irsa('b'));
    expect(second.changed).toBe(true);
    const statements = second.document.Statement as {
      Sid?: string;
      Condition?: { StringEquals: Record<string, unknown> };
    }[];
    expect(statements).toHaveLength(2);
    expect(statements[0]).toEqual(ec2);
    expect(statements[1]!.Condition!.StringEquals).toEqual({
      [`${ISSUER}:sub`]: ['system:serviceaccount:ns:a', 'system:serviceaccount:ns:b'],
      [`${ISSUER}:aud`]: 'sts.amazonaws.com',
    });
    expect(mergeTrust(second.document, irsa('a')).changed).toBe(false);
    expect(mergeTrust(second.document, irsa('b')).changed).toBe(false);
  });

  test('IRSA: another audience or another cluster gets its own statement', () => {
    const a = mergeTrust(doc(), irsa('a')).document;
    const otherAud = mergeTrust(a, irsa('a', 'custom')).document;
    expect(otherAud.Statement).toHaveLength(2);
    const otherCluster = mergeTrust(
      otherAud,
      irsaBinding(PROVIDER.replace('ABC', 'DEF'), ISSUER.replace('ABC', 'DEF'), 'ns', 'a', 'sts.amazonaws.com'),
    ).document;
    expect(otherCluster.Statement).toHaveLength(3);
  });

  test('a foreign statement holding our Sid is not touched; ours gets a fresh Sid', () => {
    const sid = statementFor(pi).Sid as string;
    const squatter = { Sid: sid, ...ec2 };
    const { document } = mergeTrust(doc(squatter), pi);
    const statements = document.Statement as { Sid: string }[];
    expect(statements[0]).toEqual(squatter);
    expect(statements[1]!.Sid).toBe(`${sid}N2`);
  });

  test('the merged document is valid JSON IAM accepts (Version kept)', () => {
    const { document } = mergeTrust(JSON.stringify({ Version: '2008-10-17', Statement: [ec2] }), pi);
    expect(document.Version).toBe('2008-10-17');
    expect(parsePolicy(JSON.stringify(document))).toEqual(document);
  });
});

describe('target role trust: the association role, with its external ID', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/app-role';
  const t = targetBinding(ROLE, 'ext-1');

  test('our statement: the role as AWS principal, both actions, sts:ExternalId', () => {
    expect(statementFor(t)).toEqual({
      Sid: expect.stringMatching(/^EksPodIamTarget[0-9a-f]{8}$/),
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
    });
    expect(allows(statementFor(t), t)).toBe(true);
  });

  test('allowed by a statement naming the role in a list, the key in another case, StringLike', () => {
    const s = {
      Effect: 'Allow',
      Principal: { AWS: [ROLE, 'arn:aws:iam::123456789012:role/other'] },
      Action: 'sts:*',
      Condition: { StringLike: { 'STS:EXTERNALID': 'ext-*' } },
    };
    expect(allows(s, t)).toBe(true);
  });

  test('not allowed: another external ID, no condition key, another role, the account root, one action only', () => {
    const ours = statementFor(t);
    expect(allows(statementFor(targetBinding(ROLE, 'ext-2')), t)).toBe(false);
    expect(allows({ ...ours, Principal: { AWS: 'arn:aws:iam::123456789012:role/other' } }, t)).toBe(false);
    // Conservative: the account root lets the role in only if its own policies allow it; not evaluated.
    expect(allows({ ...ours, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }, t)).toBe(false);
    expect(allows({ ...ours, Action: 'sts:AssumeRole' }, t)).toBe(false);
    // A pod identity or IRSA statement never stands for it, nor it for them.
    expect(allows(statementFor(pi), t)).toBe(false);
    expect(allows(ours, pi)).toBe(false);
  });

  test('merged: foreign statements kept, once; another association of the same role gets its own statement', () => {
    const first = mergeTrust(doc(ec2), t);
    expect(first.changed).toBe(true);
    expect(statementsOf(first.document)).toEqual([ec2, statementFor(t)]);
    expect(mergeTrust(first.document, t).changed).toBe(false);
    const other = targetBinding(ROLE, 'ext-2');
    const second = mergeTrust(first.document, other);
    expect(statementsOf(second.document)).toEqual([ec2, statementFor(t), statementFor(other)]);
    expect(statementFor(other).Sid).not.toBe(statementFor(t).Sid);
  });
});
