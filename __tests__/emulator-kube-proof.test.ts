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
    await emu.kube.denyVerbs([{ verb: 'get', resource: 'pods', subresource: 'log' }]);
    await emu.kube.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'apps' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    expect((await kubectl(['logs', 'p', '-n', 'apps'])).stderr).toContain(
      'pods "p" is forbidden: User "kubernetes-admin" cannot get resource "pods/log" in API group "" ' +
        'in the namespace "apps"',
    );
    await emu.reset();
    await emu.createCluster(CLUSTER);
    expect((await kubectl(['auth', 'can-i', 'create', 'serviceaccounts', '--subresource', 'token'])).stdout).toBe(
      'yes\n',
    );
  });
});

describe('simulated kubelet: probe pods run `aws sts get-caller-identity` against the AWS emulator', () => {
  const ACCOUNT = '123456789012';
  const POD_TRUST = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ],
  };
  const createRole = (name: string, trust: unknown) =>
    awsCli(emu, ['iam', 'create-role', '--role-name', name, '--assume-role-policy-document', JSON.stringify(trust)])
      .Role.Arn as string;
  const probe = (name: string, over: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'apps' },
    spec: {
      serviceAccountName: 'api',
      restartPolicy: 'Never',
      containers: [
        {
          name: 'probe',
          image: 'amazon/aws-cli:2.17.0',
          command: ['aws', 'sts', 'get-caller-identity', '--output', 'json'],
        },
      ],
      ...over,
    },
  });
  const createPod = (pod: unknown) => ok(['create', '--validate=false', '-f', '-'], CLUSTER, JSON.stringify(pod));
  /** Polls the pod (as a client would) until its phase is one of `phases`. */
  async function phaseOf(name: string, phases: string[], timeoutMs = 10_000): Promise<any> {
    for (const end = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 100))) {
      const pod = JSON.parse(await ok(['get', 'pod', name, '-n', 'apps', '-o', 'json']));
      if (phases.includes(pod.status.phase) || Date.now() > end) return pod;
    }
  }
  const logs = (name: string) => kubectl(['logs', name, '-n', 'apps']);
  const exitCode = (pod: any) => pod.status.containerStatuses[0].state.terminated?.exitCode;

  test('Pod Identity: association → env injected, EKS Auth exchange with a pod token, the role answered', async () => {
    const roleArn = createRole('probe-pi', POD_TRUST);
    awsCli(emu, [
      'eks',
      'create-pod-identity-association',
      '--cluster-name',
      CLUSTER,
      '--namespace',
      'apps',
      '--service-account',
      'api',
      '--role-arn',
      roleArn,
    ]);
    await emu.aws.clearJournal();
    await createPod(probe('pi'));
    const pod = await phaseOf('pi', ['Succeeded', 'Failed']);
    const env = Object.fromEntries(pod.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
        '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
    });
    expect(pod.spec.nodeName).toBe('emulator-node');
    const out = await logs('pi');
    expect({ phase: pod.status.phase, exit: exitCode(pod), out: out.stdout }).toMatchObject({
      phase: 'Succeeded',
      exit: 0,
    });
    expect(JSON.parse(out.stdout)).toEqual({
      UserId: expect.stringMatching(/^AROA/),
      Account: ACCOUNT,
      Arn: expect.stringMatching(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/probe-pi/eks-${CLUSTER}-pi-`)),
    });
    expect(out.stdout).toMatch(/^\{\n {4}"UserId"/); // the CLI's 4-space JSON
    const calls = (await emu.aws.journal()).map((j) => `${j.operation} ${j.status}`);
    expect(calls).toEqual(
      expect.arrayContaining([
        'ListPodIdentityAssociations 200',
        'AssumeRoleForPodIdentity 200',
        'GetCallerIdentity 200',
      ]),
    );
  });

  test('Pod Identity refused by the trust: the CLI error, exit 254, phase Failed', async () => {
    const roleArn = createRole('probe-deny', {
      ...POD_TRUST,
      Statement: [...POD_TRUST.Statement, { ...POD_TRUST.Statement[0], Effect: 'Deny' }],
    });
    awsCli(emu, [
      'eks',
      'create-pod-identity-association',
      '--cluster-name',
      CLUSTER,
      '--namespace',
      'apps',
      '--service-account',
      'api',
      '--role-arn',
      roleArn,
    ]);
    await createPod(probe('denied'));
    const pod = await phaseOf('denied', ['Succeeded', 'Failed']);
    expect({ phase: pod.status.phase, exit: exitCode(pod) }).toEqual({ phase: 'Failed', exit: 254 });
    expect((await logs('denied')).stdout).toBe(
      '\nAn error occurred (AccessDeniedException) when calling the AssumeRoleForPodIdentity operation: ' +
        'Unauthorized Exception! EKS does not have permissions to assume the associated role.\n',
    );
  });

  test('IRSA: annotated service account → web identity exchange; a trust without the grant refused', async () => {
    const provider = awsCli(emu, [
      'iam',
      'create-open-id-connect-provider',
      '--url',
      issuer,
      '--client-id-list',
      'sts.amazonaws.com',
      '--thumbprint-list',
      '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
    ]).OpenIDConnectProviderArn as string;
    const host = issuer.replace(/^https:\/\//, '');
    const irsaTrust = (sub: string) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: provider },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${host}:sub`]: sub, [`${host}:aud`]: 'sts.amazonaws.com' } },
        },
      ],
    });
    const good = createRole('probe-irsa', irsaTrust('system:serviceaccount:apps:api'));
    await ok(['annotate', 'sa', 'api', '-n', 'apps', `eks.amazonaws.com/role-arn=${good}`]);
    await createPod(probe('irsa'));
    const pod = await phaseOf('irsa', ['Succeeded', 'Failed']);
    expect(pod.spec.containers[0].env).toContainEqual({ name: 'AWS_ROLE_ARN', value: good });
    const out = (await logs('irsa')).stdout;
    expect({ phase: pod.status.phase, out }).toMatchObject({ phase: 'Succeeded' });
    expect(JSON.parse(out).Arn).toMatch(
      new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/probe-irsa/botocore-session-`),
    );

    const other = createRole('probe-other', irsaTrust('system:serviceaccount:apps:someone-else'));
    await ok(['annotate', '--overwrite', 'sa', 'api', '-n', 'apps', `eks.amazonaws.com/role-arn=${other}`]);
    await createPod(probe('irsa-refused'));
    const refused = await phaseOf('irsa-refused', ['Succeeded', 'Failed']);
    expect({ phase: refused.status.phase, exit: exitCode(refused) }).toEqual({ phase: 'Failed', exit: 254 });
    expect((await logs('irsa-refused')).stdout).toBe(
      '\nAn error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: ' +
        'Not authorized to perform sts:AssumeRoleWithWebIdentity\n',
    );
  });

  test('nothing injected (webhook not installed): the node role answers', async () => {
    await ok(['annotate', 'sa', 'api', '-n', 'apps', `eks.amazonaws.com/role-arn=arn:aws:iam::${ACCOUNT}:role/x`]);
    await emu.kube.setWebhookInstalled(false);
    expect((await kubectl(['get', 'mutatingwebhookconfiguration', 'pod-identity-webhook'])).code).not.toBe(0);
    await createPod(probe('bare'));
    const pod = await phaseOf('bare', ['Succeeded', 'Failed']);
    expect(pod.spec.containers[0].env).toBeUndefined();
    expect(pod.status.phase).toBe('Succeeded');
    expect(JSON.parse((await logs('bare')).stdout)).toEqual({
      UserId: expect.stringMatching(/^AROA[A-Z0-9]+:i-0123456789abcdef0$/),
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/eks-node-role/i-0123456789abcdef0`,
    });
  });

  test('an image that cannot be pulled: Pending, ErrImagePull then ImagePullBackOff; logs refused', async () => {
    await emu.kube.setUnpullableImages(['private.example/probe:1']);
    const pod = probe('nopull');
    (pod.spec.containers[0] as { image: string }).image = 'private.example/probe:1';
    await createPod(pod);
    const first = JSON.parse(await ok(['get', 'pod', 'nopull', '-n', 'apps', '-o', 'json']));
    expect(first.status.phase).toBe('Pending');
    expect(first.status.containerStatuses[0].state.waiting).toEqual({
      reason: 'ErrImagePull',
      message: expect.stringContaining('failed to pull and unpack image "private.example/probe:1"'),
    });
    await new Promise((r) => setTimeout(r, 500));
    const later = JSON.parse(await ok(['get', 'pod', 'nopull', '-n', 'apps', '-o', 'json']));
    expect(later.status.containerStatuses[0].state.waiting).toEqual({
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "private.example/probe:1"',
    });
    expect((await logs('nopull')).stderr).toContain(
      'container "probe" in pod "nopull" is waiting to start: trying and failing to pull image',
    );
    await createPod({
      ...probe('missing'),
      spec: { ...probe('missing').spec, containers: [{ name: 'c', image: 'does-not-exist' }] },
    });
    expect((await phaseOf('missing', ['Pending'])).status.containerStatuses[0].state.waiting.reason).toMatch(
      /ImagePull/,
    );
  });

  test('activeDeadlineSeconds: a pod still not done fails with DeadlineExceeded', async () => {
    await createPod(
      probe('late', { activeDeadlineSeconds: 1, containers: [{ name: 'c', image: 'does-not-exist:1' }] }),
    );
    const pod = await phaseOf('late', ['Failed'], 5000);
    expect(pod.status).toMatchObject({
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
  });

  test('other pods keep starting at once (Running), with an empty log', async () => {
    await createPod(probe('plain', { containers: [{ name: 'c', image: 'busybox' }] }));
    const pod = JSON.parse(await ok(['get', 'pod', 'plain', '-n', 'apps', '-o', 'json']));
    expect(pod.status.phase).toBe('Running');
    expect(await ok(['logs', 'plain', '-n', 'apps'])).toBe('');
  });
});
