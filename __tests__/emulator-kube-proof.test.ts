// Self-tests of what the Kubernetes emulator offers for the proof of credentials (issue 20), with kubectl as the
// independent client: the TokenRequest API (RS256 JWTs with kube-apiserver's claims, per-cluster issuer, bound pod
// tokens), the issuer's JWKS and discovery document, RBAC denials of subresources.
import { createPublicKey, verify } from 'node:crypto';
import { execFile } from 'node:child_process';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { awsCli } from './helpers/clients.js';

const CLUSTER = 'proof';
const OTHER = 'proof-other';
let emu: Emulators;
let issuer: string;

type Run = { code: number; stdout: string; stderr: string };
/** kubectl as the given cluster's client (its EKS token names the cluster); never throws. */
function kubectl(args: string[], cluster = CLUSTER, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const p = execFile('kubectl', ['--kubeconfig', emu.kubeconfigFor(cluster), ...args], (err, so, se) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: so, stderr: se }),
    );
    p.stdin?.end(input ?? '');
  });
}
async function ok(args: string[], cluster = CLUSTER, input?: string): Promise<string> {
  const r = await kubectl(args, cluster, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const part = (jwt: string, i: number) => JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString('utf8'));
/** Verifies an RS256 JWT with a key of the JWKS kubectl reads from the server; returns its claims. */
async function verified(jwt: string): Promise<any> {
  const jwks = JSON.parse(await ok(['get', '--raw', '/openid/v1/jwks']));
  const header = part(jwt, 0);
  expect(header.alg).toBe('RS256');
  const jwk = jwks.keys.find((k: { kid: string }) => k.kid === header.kid);
  expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  const [h, p, s] = jwt.split('.');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  expect(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s!, 'base64url'))).toBe(true);
  return part(jwt, 1);
}

beforeAll(async () => {
  emu = await connectEmulators();
});
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.createCluster(OTHER, 'eu-west-1');
  const described = awsCli(emu, ['eks', 'describe-cluster', '--name', CLUSTER]);
  issuer = described.cluster.identity.oidc.issuer;
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'apps' } });
});

describe('TokenRequest (kubectl create token)', () => {
  test('an RS256 JWT with the claims of kube-apiserver, iss the issuer DescribeCluster reports', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = (await ok(['create', 'token', 'api', '-n', 'apps', '--audience', 'sts.amazonaws.com'])).trim();
    const claims = await verified(token);
    const sa = await emu.kube.get('serviceaccounts', 'apps', 'api');
    expect(issuer).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]+$/);
    expect(claims).toEqual({
      aud: ['sts.amazonaws.com'],
      exp: expect.any(Number),
      iat: expect.any(Number),
      nbf: expect.any(Number),
      iss: issuer,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sub: 'system:serviceaccount:apps:api',
      'kubernetes.io': { namespace: 'apps', serviceaccount: { name: 'api', uid: sa!.metadata.uid } },
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp - claims.iat).toBe(3600); // the API's default expirationSeconds
    // No TokenRequest is stored: it is not a write.
    const entry = (await emu.kube.journal()).find((j) => j.subresource === 'token')!;
    expect(entry).toMatchObject({ method: 'POST', status: 201, verb: 'create', isWrite: false });
  });

  test('each cluster its own issuer; without audiences the API audiences; --duration sets exp', async () => {
    const other = (await ok(['create', 'token', 'default', '-n', 'default', '--duration', '20m'], OTHER)).trim();
    const claims = await verified(other);
    expect(claims.iss).toMatch(/^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\//);
    expect(claims.iss).not.toBe(issuer);
    expect(claims.aud).toEqual(['https://kubernetes.default.svc']);
    expect(claims.exp - claims.iat).toBe(1200);
  });

  test('shorter than 10 minutes: 422 Invalid; a missing service account: 404', async () => {
    const short = await kubectl(['create', 'token', 'api', '-n', 'apps', '--duration', '9m']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain(
      'TokenRequest.authentication.k8s.io "api" is invalid: spec.expirationSeconds: Invalid value: 540: ' +
        'may not specify a duration less than 10 minutes',
    );
    const missing = await kubectl(['create', 'token', 'nobody', '-n', 'apps']);
    expect(missing.stderr).toContain('serviceaccounts "nobody" not found');
  });

  test('bound to a pod: pod and node claims; another service account or a missing pod refused', async () => {
    const pod = (name: string, sa: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'apps' },
      spec: { serviceAccountName: sa, containers: [{ name: 'c', image: 'busybox' }] },
    });
    // Created through the API (admission schedules them), not seeded.
    await ok(
      ['create', '--validate=false', '-f', '-'],
      CLUSTER,
      JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [pod('p1', 'api'), pod('p2', 'default')] }),
    );
    const p = (await emu.kube.get('pods', 'apps', 'p1'))!;
    const bound = (name: string) => [
      'create',
      'token',
      'api',
      '-n',
      'apps',
      '--audience',
      'pods.eks.amazonaws.com',
      '--bound-object-kind',
      'Pod',
      '--bound-object-name',
      name,
    ];
    const claims = await verified((await ok(bound('p1'))).trim());
    expect(claims['kubernetes.io']).toMatchObject({
      namespace: 'apps',
      pod: { name: 'p1', uid: p.metadata.uid },
      node: { name: 'emulator-node', uid: expect.any(String) },
      serviceaccount: { name: 'api' },
    });
    expect((await kubectl(bound('p2'))).stderr).toContain(
      'cannot bind token for serviceaccount "api" to pod running with different serviceaccount name.',
    );
    expect((await kubectl(bound('gone'))).stderr).toContain('pods "gone" not found');
  });
});

describe('issuer discovery', () => {
  test('/openid/v1/jwks and /.well-known/openid-configuration; KubeControl.jwks() is the same key set', async () => {
    const jwks = JSON.parse(await ok(['get', '--raw', '/openid/v1/jwks']));
    expect(jwks).toEqual(await emu.kube.jwks());
    expect(jwks.keys).toEqual([
      { kty: 'RSA', use: 'sig', alg: 'RS256', kid: expect.any(String), n: expect.any(String), e: 'AQAB' },
    ]);
    const config = JSON.parse(await ok(['get', '--raw', '/.well-known/openid-configuration']));
    expect(config).toEqual({
      issuer,
      jwks_uri: `${issuer}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });
});

describe('RBAC denials (denyVerbs)', () => {
  test('create serviceaccounts/token and create pods refused with the API server message', async () => {
    await emu.kube.denyVerbs([
      { verb: 'create', resource: 'serviceaccounts', subresource: 'token' },
      { verb: 'create', resource: 'pods' },
    ]);
    const token = await kubectl(['create', 'token', 'api', '-n', 'apps']);
    expect(token.stderr).toContain(
      'serviceaccounts "api" is forbidden: User "kubernetes-admin" cannot create resource "serviceaccounts/token" ' +
        'in API group "" in the namespace "apps"',
    );
    const pod = await kubectl(['run', 'x', '-n', 'apps', '--image', 'busybox', '--restart', 'Never']);
    expect(pod.stderr).toContain(
      'pods is forbidden: User "kubernetes-admin" cannot create resource "pods" in API group "" ' +
        'in the namespace "apps"',
    );
    // The subresource rule leaves the service account itself, and can-i sees the same rules.
    expect(await ok(['get', 'sa', 'api', '-n', 'apps', '-o', 'name'])).toBe('serviceaccount/api\n');
    expect(
      (await kubectl(['auth', 'can-i', 'create', 'serviceaccounts', '--subresource', 'token', '-n', 'apps'])).stdout,
    ).toBe('no\n');
    expect((await kubectl(['auth', 'can-i', 'create', 'serviceaccounts', '-n', 'apps'])).stdout).toBe('yes\n');
    await emu.reset();
    await emu.createCluster(CLUSTER);
    expect((await kubectl(['auth', 'can-i', 'create', 'serviceaccounts', '--subresource', 'token'])).stdout).toBe(
      'yes\n',
    );
  });
});
