import { parsePolicy, statementsOf } from '../src/core/policy-doc.js';
import { irsaBinding, mergeTrustAll, podIdentityBinding, statementFor } from '../src/resources/role-trust/trust.js';
import { hasStatements, unmergeTrust, unmergeTrustAll } from '../src/resources/role-trust/unmerge.js';

const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC';
const OTHER_PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/XYZ';
const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/ABC';
const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const irsa = (sa: string, aud = 'sts.amazonaws.com') => irsaBinding(PROVIDER, ISSUER, 'ns', sa, aud);
const scope = (sa: string) => ({
  clusterArn: 'arn:aws:eks:us-east-1:123456789012:cluster/c',
  namespace: 'ns',
  serviceAccount: sa,
});
const subjects = (d: unknown) =>
  statementsOf(parsePolicy(d as never)).map(
    (s) => (s.Condition as { StringEquals?: Record<string, unknown> })?.StringEquals?.[`${ISSUER}:sub`],
  );

describe('unmergeTrust takes back exactly one binding', () => {
  test('IRSA: one subject of a shared statement goes, the others and foreign statements stay', () => {
    const merged = mergeTrustAll(doc(ec2), [irsa('a'), irsa('b'), irsa('c')]).document;
    const { document, changed } = unmergeTrust(merged, irsa('b'));
    expect(changed).toBe(true);
    expect(statementsOf(document)[0]).toEqual(ec2);
    expect(subjects(document)[1]).toEqual(['system:serviceaccount:ns:a', 'system:serviceaccount:ns:c']);
  });

  test('IRSA: the last subject takes its statement with it; again is no change', () => {
    const merged = mergeTrustAll(doc(ec2), [irsa('a')]).document;
    const once = unmergeTrust(merged, irsa('a'));
    expect(statementsOf(once.document)).toEqual([ec2]);
    expect(unmergeTrust(once.document, irsa('a')).changed).toBe(false);
  });

  test("IRSA: a statement another tool wrote (eksctl's, a string subject, another audience) loses the subject", () => {
    const eksctl = {
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:ns:a', [`${ISSUER}:aud`]: 'other' } },
    };
    expect(statementsOf(unmergeTrust(doc(ec2, eksctl), irsa('a')).document)).toEqual([ec2]);
  });

  test("IRSA: another provider's statement, a StringLike subject and a Deny stay", () => {
    const like = {
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:ns:*' } },
    };
    const other = { ...statementFor(irsa('a')), Principal: { Federated: OTHER_PROVIDER } };
    const deny = { ...statementFor(irsa('a')), Effect: 'Deny' };
    const d = doc(like, other, deny);
    expect(unmergeTrust(d, irsa('a'))).toEqual({ document: d, changed: false });
  });

  test("Pod Identity: the scoped statement of this binding goes, another binding's stays", () => {
    const [a, b] = [podIdentityBinding(scope('a')), podIdentityBinding(scope('b'))];
    const merged = mergeTrustAll(doc(ec2), [a, b]).document;
    const { document } = unmergeTrust(merged, a);
    expect(statementsOf(document)).toEqual([ec2, statementFor(b)]);
  });

  test('Pod Identity: the plain statement goes whatever its Sid; a conditioned foreign one stays', () => {
    const plain = {
      ...statementFor(podIdentityBinding()),
      Sid: 'SomeoneElse',
      Action: ['sts:TagSession', 'sts:AssumeRole'],
    };
    const conditioned = { ...plain, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } };
    const { document } = unmergeTrust(doc(plain, conditioned), podIdentityBinding());
    expect(statementsOf(document)).toEqual([conditioned]);
  });

  test('all removals of a role in one document; hasStatements tells when nothing is left', () => {
    const merged = mergeTrustAll(doc(), [irsa('a'), podIdentityBinding()]).document;
    const { document, changed } = unmergeTrustAll(merged, [irsa('a'), podIdentityBinding()]);
    expect(changed).toBe(true);
    expect(hasStatements(document)).toBe(false);
    expect(hasStatements(merged)).toBe(true);
  });

  test('reads the URL-encoded document IAM returns', () => {
    const merged = mergeTrustAll(doc(ec2), [irsa('a')]).document;
    const encoded = encodeURIComponent(JSON.stringify(merged));
    expect(statementsOf(unmergeTrust(encoded, irsa('a')).document)).toEqual([ec2]);
  });
});
