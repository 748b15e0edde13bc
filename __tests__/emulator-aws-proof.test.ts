// Self-tests of the AWS emulator's credential exchanges (emulators/aws/exchanges.py and friends): EKS Auth
// AssumeRoleForPodIdentity and STS AssumeRoleWithWebIdentity, checked with independent clients — the aws CLI v1
// (`aws eks-auth assume-role-for-pod-identity`, `aws sts assume-role-with-web-identity`, then
// `aws sts get-caller-identity` with the credentials they returned). The tokens are RS256 JWTs shaped like
// kube-apiserver's, signed here with a key pair whose public half the emulator is given as a JWKS.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { CreatePodIdentityAssociationCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws/index.js';
import { connectEmulators } from '../emulators/index.js';

const run = promisify(execFile);
const ACCOUNT = '123456789012';
const KID = 'test-key-1';
const POD_AUDIENCE = 'pods.eks.amazonaws.com';
const PODS = { Service: POD_AUDIENCE };
const POD_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];
const trust = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const PODS_TRUST = trust({ Effect: 'Allow', Principal: PODS, Action: POD_ACTIONS });

let emu: AwsEmulator;
let eks: EKSClient;
let iam: IAMClient;
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

beforeAll(async () => {
  startCli();
  emu = await startAwsEmulator();
  eks = new EKSClient(emu.clientConfig());
  iam = new IAMClient(emu.clientConfig());
  await emu.setServiceAccountKeys({
    keys: [{ ...signer.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256' }],
  });
});
afterAll(async () => {
  cli?.kill();
  await emu?.stop();
});
beforeEach(async () => {
  await emu.reset();
});

// ---- the aws CLI, kept alive in one python process (a call ~30 ms instead of ~0.7 s); one driver per
// environment (credentials), since a driver resolves its credentials once.
const CLI_RUNNER = `
import sys, json, io, os, contextlib
from awscli.clidriver import create_clidriver
base, drivers = dict(os.environ), {}
for line in sys.stdin:
    req = json.loads(line)
    os.environ.clear(); os.environ.update({**base, **req["env"]})
    key = json.dumps(req["env"], sort_keys=True)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = drivers.setdefault(key, create_clidriver()).main(req["args"])
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
function awsRaw(args: string[], env: Record<string, string> = {}, endpoint = emu.endpoint): Promise<CliResult> {
  return new Promise((resolve) => {
    pending.push(resolve); // the runner answers in order
    const full = ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args];
    cli.stdin!.write(JSON.stringify({ args: full, env }) + '\n');
  });
}
async function aws(args: string[], env: Record<string, string> = {}, endpoint = emu.endpoint): Promise<any> {
  const r = await awsRaw(args, env, endpoint);
  if (r.code !== 0) throw Object.assign(new Error(`aws ${args.join(' ')} failed: ${r.stderr}`), r);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}
async function awsError(args: string[]): Promise<{ code: string; operation: string; message: string }> {
  const r = await awsRaw(args);
  const m = /An error occurred \((\w+)\) when calling the (\w+) operation: (.*)/.exec(r.stderr);
  if (r.code === 0 || !m)
    throw new Error(`expected aws ${args.join(' ')} to fail with an AWS error, got ${r.code}: ${r.stdout}${r.stderr}`);
  return { code: m[1]!, operation: m[2]!, message: m[3]!.trim() };
}

// ---- tokens as kube-apiserver issues them (TokenRequest bound to a pod)
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(claims: object, key: KeyObject = signer.privateKey, kid = KID): string {
  const signed = `${b64url({ alg: 'RS256', kid })}.${b64url(claims)}`;
  return `${signed}.${createSign('RSA-SHA256').update(signed).sign(key, 'base64url')}`;
}
function saToken(issuer: string, over: Record<string, unknown> = {}, ns = 'apps', sa = 'api'): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt({
    aud: [POD_AUDIENCE],
    exp: now + 3600,
    iat: now,
    nbf: now,
    iss: issuer,
    jti: randomUUID(),
    sub: `system:serviceaccount:${ns}:${sa}`,
    'kubernetes.io': {
      namespace: ns,
      serviceaccount: { name: sa, uid: randomUUID() },
      pod: { name: `${sa}-7d4b9c-x2x9z`, uid: randomUUID() },
      node: { name: 'ip-10-0-1-23.ec2.internal', uid: randomUUID() },
    },
    ...over,
  });
}

// ---- fixtures (set up with the SDK; the exchanges are what the CLI checks)
async function cluster(name = 'c1'): Promise<{ issuer: string; arn: string }> {
  const c = await emu.createCluster(name);
  return { issuer: c.identity.oidc.issuer, arn: c.arn };
}
async function role(name: string, policy: unknown = PODS_TRUST): Promise<string> {
  const out = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(policy) }),
  );
  return out.Role!.Arn!;
}
async function associate(roleArn: string, extra: Record<string, unknown> = {}, ns = 'apps', sa = 'api') {
  const input = { clusterName: 'c1', namespace: ns, serviceAccount: sa, roleArn, ...extra };
  return (await eks.send(new CreatePodIdentityAssociationCommand(input))).association!;
}
const exchange = (token: string, clusterName = 'c1') =>
  aws(['eks-auth', 'assume-role-for-pod-identity', '--cluster-name', clusterName, '--token', token]);
const exchangeError = (token: string, clusterName = 'c1') =>
  awsError(['eks-auth', 'assume-role-for-pod-identity', '--cluster-name', clusterName, '--token', token]);
async function callerWith(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) {
  return aws(['sts', 'get-caller-identity'], {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  });
}
const DENIED = 'Unauthorized Exception! EKS does not have permissions to assume the associated role.';
const denied = { code: 'AccessDeniedException', operation: 'AssumeRoleForPodIdentity', message: DENIED };

describe('trust policy evaluator (python checks)', () => {
  test('its own checks pass', async () => {
    const { stderr } = await run('python3', ['emulators/aws/trust_policy_checks.py']);
    expect(stderr).toMatch(/Ran [1-9]\d* tests/);
    expect(stderr).toMatch(/\nOK\n?$/);
  });
});

describe('EKS Auth AssumeRoleForPodIdentity (aws CLI)', () => {
  test('allowed: the answer as the service model says, and the credentials are the role', async () => {
    const { issuer, arn: clusterArn } = await cluster();
    const roleArn = await role('app');
    const association = await associate(roleArn);
    const answer = await exchange(saToken(issuer));
    expect(answer).toEqual({
      subject: { namespace: 'apps', serviceAccount: 'api' },
      audience: POD_AUDIENCE,
      podIdentityAssociation: {
        associationArn: association.associationArn,
        associationId: association.associationId,
      },
      assumedRoleUser: {
        arn: expect.stringMatching(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/app/eks-c1-api-7d4b9c-x2x9z-`)),
        assumeRoleId: expect.stringMatching(/^AROA[A-Z0-9]+:eks-c1-/),
      },
      credentials: {
        accessKeyId: expect.stringMatching(/^ASIA/),
        secretAccessKey: expect.any(String),
        sessionToken: expect.any(String),
        expiration: expect.any(Number), // rest-json timestamps: epoch seconds on the wire, printed as is
      },
    });
    expect(answer.credentials.expiration * 1000).toBeGreaterThan(Date.now() + 3600_000);
    const caller = await callerWith(answer.credentials);
    expect(caller).toEqual({
      UserId: answer.assumedRoleUser.assumeRoleId,
      Account: ACCOUNT,
      Arn: answer.assumedRoleUser.arn,
    });
    const journal = await emu.journal();
    expect(journal.map(({ service, operation, status, path }) => ({ service, operation, status, path }))).toEqual(
      expect.arrayContaining([
        {
          service: 'eks-auth',
          operation: 'AssumeRoleForPodIdentity',
          status: 200,
          path: '/clusters/c1/assume-role-for-pod-identity',
        },
        { service: 'sts', operation: 'GetCallerIdentity', status: 200, path: '/' },
      ]),
    );
    expect(clusterArn).toBe(`arn:aws:eks:us-east-1:${ACCOUNT}:cluster/c1`);
  });

  test('the token: wrong audience, expired, foreign signature, unknown key, other issuer, not a JWT', async () => {
    const { issuer } = await cluster();
    const { issuer: otherIssuer } = await cluster('c2');
    await associate(await role('app'));
    const now = Math.floor(Date.now() / 1000);
    const results = await Promise.all([
      exchangeError(saToken(issuer, { aud: ['sts.amazonaws.com'] })),
      exchangeError(saToken(issuer, { exp: now - 1, iat: now - 3601, nbf: now - 3601 })),
      exchangeError(
        jwt(
          { ...JSON.parse(Buffer.from(saToken(issuer).split('.')[1]!, 'base64url').toString()) },
          stranger.privateKey,
        ),
      ),
      exchangeError(
        jwt(
          { iss: issuer, aud: [POD_AUDIENCE], exp: now + 600, sub: 'system:serviceaccount:apps:api' },
          signer.privateKey,
          'other-kid',
        ),
      ),
      exchangeError(saToken(otherIssuer)),
      exchangeError('not-a-jwt'),
    ]);
    const invalid = (message: string) => ({
      code: 'InvalidTokenException',
      operation: 'AssumeRoleForPodIdentity',
      message,
    });
    expect(results).toEqual([
      invalid(`Service account token audience must include ${POD_AUDIENCE}`),
      {
        code: 'ExpiredTokenException',
        operation: 'AssumeRoleForPodIdentity',
        message: expect.stringMatching(/^Service account token has expired: current date\/time \d+ must be before/),
      },
      invalid("Service account token cannot be verified: the token's signature does not verify"),
      invalid("Service account token cannot be verified: no key of the issuer matches the token's key ID"),
      invalid('Service account token was not issued by the cluster c1'),
      invalid('Service account token cannot be verified: the token is not a JWT'),
    ]);
  });

  test('no association for the service account, or no such cluster: ResourceNotFoundException', async () => {
    const { issuer } = await cluster();
    await associate(await role('app'));
    expect(await exchangeError(saToken(issuer, {}, 'apps', 'other'))).toEqual({
      code: 'ResourceNotFoundException',
      operation: 'AssumeRoleForPodIdentity',
      message: 'No Pod Identity Association found for service account other in namespace apps of cluster c1',
    });
    expect(await exchangeError(saToken(issuer), 'nope')).toEqual({
      code: 'ResourceNotFoundException',
      operation: 'AssumeRoleForPodIdentity',
      message: 'No cluster found for name: nope.',
    });
  });

  test('trust: a foreign Deny wins; TagSession is needed unless session tags are disabled', async () => {
    const { issuer } = await cluster();
    await emu.setRoleValidation(false); // EKS itself refuses an association to the ec2-only role
    const foreignDeny = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:*' };
    await associate(await role('denied', trust(PODS_TRUST.Statement[0]!, foreignDeny)));
    await associate(
      await role('no-tags', trust({ Effect: 'Allow', Principal: PODS, Action: 'sts:AssumeRole' })),
      {},
      'apps',
      'untagged',
    );
    await associate(
      await role('tags-off', trust({ Effect: 'Allow', Principal: PODS, Action: 'sts:AssumeRole' })),
      { disableSessionTags: true },
      'apps',
      'off',
    );
    await associate(
      await role('ec2', trust({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: POD_ACTIONS })),
      {},
      'apps',
      'ec2',
    );
    expect(await exchangeError(saToken(issuer))).toEqual(denied);
    expect(await exchangeError(saToken(issuer, {}, 'apps', 'untagged'))).toEqual(denied);
    expect((await exchange(saToken(issuer, {}, 'apps', 'off'))).assumedRoleUser.arn).toMatch(
      /:assumed-role\/tags-off\//,
    );
    expect(await exchangeError(saToken(issuer, {}, 'apps', 'ec2'))).toEqual(denied);
  });

  test('scoped trust: session-tag and source conditions match only the named namespace and cluster', async () => {
    const { issuer, arn: clusterArn } = await cluster();
    const scoped = trust({
      Effect: 'Allow',
      Principal: PODS,
      Action: POD_ACTIONS,
      Condition: {
        StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'apps', 'aws:SourceAccount': ACCOUNT },
        StringLike: { 'aws:RequestTag/kubernetes-service-account': 'api*' },
        ArnEquals: { 'aws:SourceArn': clusterArn },
        'ForAllValues:StringLike': { 'aws:TagKeys': ['kubernetes-*', 'eks-*'] },
      },
    });
    const roleArn = await role('scoped', scoped);
    await associate(roleArn);
    await associate(roleArn, {}, 'apps', 'api-v2');
    await associate(roleArn, {}, 'other', 'api');
    await associate(roleArn, {}, 'apps', 'worker');
    expect((await exchange(saToken(issuer))).assumedRoleUser.arn).toMatch(/:assumed-role\/scoped\//);
    expect((await exchange(saToken(issuer, {}, 'apps', 'api-v2'))).subject).toEqual({
      namespace: 'apps',
      serviceAccount: 'api-v2',
    });
    expect(await exchangeError(saToken(issuer, {}, 'other', 'api'))).toEqual(denied);
    expect(await exchangeError(saToken(issuer, {}, 'apps', 'worker'))).toEqual(denied);
  });

  test('target role: chained only when its trust names the association role and the right external ID', async () => {
    const { issuer } = await cluster();
    const first = await role('first');
    const targetTrust = (externalId: string) =>
      trust({
        Effect: 'Allow',
        Principal: { AWS: first },
        Action: POD_ACTIONS,
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      });
    const target = await role('target', targetTrust('placeholder'));
    const association = await associate(first, { targetRoleArn: target });
    expect(association.externalId).toBeTruthy();
    expect(await exchangeError(saToken(issuer))).toEqual({
      ...denied,
      message: 'Unauthorized Exception! EKS does not have permissions to assume the target role.',
    });
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'target',
        PolicyDocument: JSON.stringify(targetTrust(association.externalId!)),
      }),
    );
    const answer = await exchange(saToken(issuer));
    expect(answer.assumedRoleUser.arn).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/target/eks-c1-`));
    expect((await callerWith(answer.credentials)).Arn).toBe(answer.assumedRoleUser.arn);
  });

  test('requirePodBoundTokens: a token without a pod is refused as AWS does; off again after reset', async () => {
    const { issuer } = await cluster();
    await associate(await role('app'));
    const claims = JSON.parse(Buffer.from(saToken(issuer).split('.')[1]!, 'base64url').toString());
    const unbound = jwt({
      ...claims,
      'kubernetes.io': { namespace: 'apps', serviceaccount: { name: 'api', uid: 'u' } },
    });
    expect((await exchange(unbound)).subject.serviceAccount).toBe('api'); // default: accepted
    await emu.requirePodBoundTokens(true);
    expect(await exchangeError(unbound)).toEqual({
      code: 'InvalidTokenException',
      operation: 'AssumeRoleForPodIdentity',
      message: 'Service account token is not bound to a pod',
    });
    expect((await exchange(saToken(issuer))).subject.serviceAccount).toBe('api'); // a pod-bound one still is
    await emu.reset();
    const { issuer: again } = await cluster();
    await associate(await role('app'));
    const claimsAgain = { ...claims, iss: again };
    expect((await exchange(jwt({ ...claimsAgain, 'kubernetes.io': {} }))).subject.serviceAccount).toBe('api');
  });

  test('latency: EKS Auth takes the eks figure unless it has its own; journaled as eks-auth', async () => {
    const { issuer } = await cluster();
    await associate(await role('app'));
    const took = async () => {
      await emu.clearJournal();
      await exchange(saToken(issuer));
      const [entry] = (await emu.journal()).filter((e) => e.service === 'eks-auth');
      return entry!.end - entry!.start;
    };
    await emu.setLatency({ eks: 400 });
    expect(await took()).toBeGreaterThanOrEqual(400);
    await emu.setLatency({ eks: 400, 'eks-auth': 0 });
    expect(await took()).toBeLessThan(300);
  });

  test('denyOperations: AccessDeniedException naming the action, until reset', async () => {
    const { issuer } = await cluster();
    await associate(await role('app'));
    await emu.denyOperations(['AssumeRoleForPodIdentity']);
    expect(await exchangeError(saToken(issuer))).toEqual({
      code: 'AccessDeniedException',
      operation: 'AssumeRoleForPodIdentity',
      message:
        `User: arn:aws:sts::${ACCOUNT}:user/moto is not authorized to perform: eks-auth:AssumeRoleForPodIdentity ` +
        `on resource: arn:aws:eks:us-east-1:${ACCOUNT}:cluster/c1 because no identity-based policy allows the ` +
        'eks-auth:AssumeRoleForPodIdentity action',
    });
    await emu.reset();
    const { issuer: again } = await cluster();
    await associate(await role('app'));
    expect((await exchange(saToken(again))).subject.serviceAccount).toBe('api');
  });
});

describe('denyOperations on a query-protocol service', () => {
  test('STS GetCallerIdentity: AccessDenied naming sts:GetCallerIdentity; other operations unaffected', async () => {
    await emu.denyOperations(['sts:GetCallerIdentity']);
    expect(await awsError(['sts', 'get-caller-identity'])).toEqual({
      code: 'AccessDenied',
      operation: 'GetCallerIdentity',
      message: expect.stringMatching(/is not authorized to perform: sts:GetCallerIdentity on resource: \*/),
    });
    expect((await emu.journal()).map((e) => [e.operation, e.status])).toEqual([['GetCallerIdentity', 403]]);
    expect(await aws(['iam', 'list-roles'])).toEqual({ Roles: [] });
    await emu.denyOperations([]);
    expect((await aws(['sts', 'get-caller-identity'])).Account).toBe(ACCOUNT);
  });
});

describe('STS AssumeRoleWithWebIdentity (aws CLI)', () => {
  async function irsaSetup(withProvider = true) {
    const { issuer } = await cluster();
    const hostPath = issuer.replace(/^https:\/\//, '');
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}`;
    if (withProvider)
      await iam.send(
        new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com', 'other-client'] }),
      );
    const allow = {
      Effect: 'Allow',
      Principal: { Federated: provider },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${hostPath}:sub`]: 'system:serviceaccount:apps:api',
          [`${hostPath}:aud`]: 'sts.amazonaws.com',
        },
      },
    };
    const roleArn = await role('irsa', trust(allow));
    const token = (over: Record<string, unknown> = {}, ns = 'apps', sa = 'api') =>
      saToken(issuer, { aud: ['sts.amazonaws.com'], ...over }, ns, sa);
    return { issuer, provider, roleArn, allow, token };
  }
  const assume = (roleArn: string, token: string) => [
    'sts',
    'assume-role-with-web-identity',
    '--role-arn',
    roleArn,
    '--role-session-name',
    'proof',
    '--web-identity-token',
    token,
  ];
  const refused = (code: string, message: string) => ({ code, operation: 'AssumeRoleWithWebIdentity', message });
  const NOT_AUTHORIZED = refused('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');

  test('allowed: the assumed role, and GetCallerIdentity with its credentials answers it', async () => {
    const { provider, roleArn, token } = await irsaSetup();
    const answer = await aws(assume(roleArn, token()));
    expect(answer).toMatchObject({
      SubjectFromWebIdentityToken: 'system:serviceaccount:apps:api',
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/irsa/proof` },
      Provider: provider,
      Audience: 'sts.amazonaws.com',
    });
    const { AccessKeyId, SecretAccessKey, SessionToken } = answer.Credentials;
    const caller = await callerWith({
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: SessionToken,
    });
    expect(caller).toEqual({
      UserId: answer.AssumedRoleUser.AssumedRoleId,
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/irsa/proof`,
    });
  });

  test('refused: subject, audience, expiry, signature, foreign Deny, no role: STS codes and status', async () => {
    const { roleArn, allow, token } = await irsaSetup();
    const now = Math.floor(Date.now() / 1000);
    const payload = JSON.parse(Buffer.from(token().split('.')[1]!, 'base64url').toString()) as object;
    const denyRole = await role('irsa-denied', trust(allow, { Effect: 'Deny', Principal: '*', Action: 'sts:*' }));
    await emu.clearJournal();
    const results = await Promise.all([
      awsError(assume(roleArn, token({}, 'apps', 'other'))),
      awsError(assume(roleArn, token({ aud: ['unknown-client'] }))),
      awsError(assume(roleArn, token({ aud: ['other-client'] }))), // a client ID of the provider, not in the trust
      awsError(assume(roleArn, token({ exp: now - 5 }))),
      awsError(assume(roleArn, jwt(payload, stranger.privateKey))),
      awsError(assume(denyRole, token())),
      awsError(assume(`arn:aws:iam::${ACCOUNT}:role/missing`, token())),
    ]);
    expect(results).toEqual([
      NOT_AUTHORIZED,
      refused('InvalidIdentityToken', 'Incorrect token audience'),
      NOT_AUTHORIZED,
      refused('ExpiredTokenException', expect.stringMatching(/^Token expired: current date\/time \d+ must be before/)),
      refused(
        'InvalidIdentityToken',
        "The web identity token could not be validated: the token's signature does not verify",
      ),
      NOT_AUTHORIZED,
      NOT_AUTHORIZED,
    ]);
    const statuses = (await emu.journal()).map((e) => `${e.service} ${e.operation} ${e.status}`).sort();
    expect(statuses).toEqual(
      [403, 403, 403, 403, 400, 400, 400].map((s) => `sts AssumeRoleWithWebIdentity ${s}`).sort(),
    );
  });

  test('no IAM OIDC provider for the issuer: InvalidIdentityToken naming it', async () => {
    const { issuer, roleArn, token } = await irsaSetup(false);
    expect(await awsError(assume(roleArn, token()))).toEqual(
      refused('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${issuer}`),
    );
  });

  test('propagation delay: a new role is refused until N seconds have passed, then allowed', async () => {
    await emu.setPropagationDelay(1);
    const made = Date.now();
    const { roleArn, token } = await irsaSetup();
    expect(await awsError(assume(roleArn, token()))).toEqual(NOT_AUTHORIZED);
    await new Promise((r) => setTimeout(r, Math.max(0, 1100 - (Date.now() - made))));
    expect((await aws(assume(roleArn, token()))).AssumedRoleUser.Arn).toMatch(/:assumed-role\/irsa\/proof$/);
  });
});

describe('propagation delay', () => {
  const waitFor = async <T>(attempt: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await attempt();
      if (result !== undefined) return result;
      if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  test('a new association (and role) is refused for N seconds, then allowed; EKS API shows it at once', async () => {
    const { issuer } = await cluster();
    await emu.setPropagationDelay(1.5);
    const made = Date.now();
    await associate(await role('app'));
    const token = saToken(issuer);
    expect((await exchangeError(token)).code).toBe('ResourceNotFoundException');
    expect(await emu.effectiveAssociation({ clusterName: 'c1', namespace: 'apps', serviceAccount: 'api' })).toBeNull();
    const listed = await aws(['eks', 'list-pod-identity-associations', '--cluster-name', 'c1']);
    expect(listed.associations).toHaveLength(1);
    const answer = await waitFor(async () => {
      const r = await awsRaw(['eks-auth', 'assume-role-for-pod-identity', '--cluster-name', 'c1', '--token', token]);
      return r.code === 0 ? JSON.parse(r.stdout) : undefined;
    }, 5000);
    const took = Date.now() - made;
    expect(took).toBeGreaterThanOrEqual(1500);
    expect(took).toBeLessThan(3500);
    expect(answer.subject).toEqual({ namespace: 'apps', serviceAccount: 'api' });
    expect(
      await emu.effectiveAssociation({ clusterName: 'c1', namespace: 'apps', serviceAccount: 'api' }),
    ).toMatchObject({ namespace: 'apps', serviceAccount: 'api', roleArn: `arn:aws:iam::${ACCOUNT}:role/app` });
  });

  test('a trust change and a deleted association: the previous state holds until N seconds have passed', async () => {
    const { issuer } = await cluster();
    const association = await associate(await role('app'));
    await associate(await role('other'), {}, 'apps', 'worker');
    const token = saToken(issuer);
    expect((await exchange(token)).subject.serviceAccount).toBe('api');
    await emu.setPropagationDelay(1.5);
    // (moto's UpdateAssumeRolePolicy accepts only the STS action names, no wildcard)
    const denyAll = trust(PODS_TRUST.Statement[0]!, { Effect: 'Deny', Principal: '*', Action: POD_ACTIONS });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app', PolicyDocument: JSON.stringify(denyAll) }));
    await aws([
      'eks',
      'delete-pod-identity-association',
      '--cluster-name',
      'c1',
      '--association-id',
      (await aws(['eks', 'list-pod-identity-associations', '--cluster-name', 'c1', '--service-account', 'worker']))
        .associations[0].associationId,
    ]);
    const changed = Date.now();
    const worker = saToken(issuer, {}, 'apps', 'worker');
    expect((await exchange(token)).subject.serviceAccount).toBe('api'); // the old trust still allows
    expect((await exchange(worker)).subject.serviceAccount).toBe('worker'); // the deleted association still works
    await new Promise((r) => setTimeout(r, Math.max(0, 1600 - (Date.now() - changed))));
    expect(await exchangeError(token)).toEqual(denied);
    expect((await exchangeError(worker)).code).toBe('ResourceNotFoundException');
    expect(association.associationId).toBeTruthy();
  });

  test('EMULATOR_PROPAGATION_SECONDS is the default, and reset() goes back to it', async () => {
    const saved = process.env.EMULATOR_PROPAGATION_SECONDS;
    process.env.EMULATOR_PROPAGATION_SECONDS = '2.5';
    const other = await startAwsEmulator().finally(() => {
      if (saved === undefined) delete process.env.EMULATOR_PROPAGATION_SECONDS;
      else process.env.EMULATOR_PROPAGATION_SECONDS = saved;
    });
    try {
      const delay = async () =>
        ((await (await fetch(`${other.endpoint}/_emulator/propagation-delay`)).json()) as any).seconds;
      expect(await delay()).toBe(2.5);
      await other.setPropagationDelay(0);
      expect(await delay()).toBe(0);
      await other.reset();
      expect(await delay()).toBe(2.5);
    } finally {
      await other.stop();
    }
  });
});

describe('service-account keys', () => {
  test('kept across reset(); a JWKS that is not RSA public keys is refused', async () => {
    const keys = async () =>
      ((await (await fetch(`${emu.endpoint}/_emulator/service-account-keys`)).json()) as any).keys;
    expect(await keys()).toEqual([expect.objectContaining({ kid: KID, kty: 'RSA' })]);
    await emu.reset();
    expect(await keys()).toHaveLength(1);
    await expect(emu.setServiceAccountKeys({ keys: [{ kty: 'EC', crv: 'P-256' }] })).rejects.toThrow(
      /400 .*keys\[0\]: only RSA keys with n and e are supported/,
    );
    expect(await keys()).toHaveLength(1);
  });
});

describe('EKS Fargate profiles (aws CLI)', () => {
  test('create, list, describe; unknown cluster and profile are ResourceNotFoundException', async () => {
    await cluster();
    const created = await aws([
      'eks',
      'create-fargate-profile',
      '--cluster-name',
      'c1',
      '--fargate-profile-name',
      'apps',
      '--pod-execution-role-arn',
      `arn:aws:iam::${ACCOUNT}:role/fargate`,
      '--subnets',
      'subnet-00000001',
      '--selectors',
      'namespace=apps,labels={tier=web}',
      'namespace=batch',
    ]);
    expect(created.fargateProfile).toMatchObject({
      fargateProfileName: 'apps',
      clusterName: 'c1',
      status: 'ACTIVE',
      selectors: [{ namespace: 'apps', labels: { tier: 'web' } }, { namespace: 'batch' }],
    });
    expect(await aws(['eks', 'list-fargate-profiles', '--cluster-name', 'c1'])).toEqual({
      fargateProfileNames: ['apps'],
    });
    const described = await aws([
      'eks',
      'describe-fargate-profile',
      '--cluster-name',
      'c1',
      '--fargate-profile-name',
      'apps',
    ]);
    expect(described).toEqual(created);
    expect(await awsError(['eks', 'list-fargate-profiles', '--cluster-name', 'nope'])).toEqual({
      code: 'ResourceNotFoundException',
      operation: 'ListFargateProfiles',
      message: 'No cluster found for name: nope.',
    });
    expect(
      (await awsError(['eks', 'describe-fargate-profile', '--cluster-name', 'c1', '--fargate-profile-name', 'x'])).code,
    ).toBe('ResourceNotFoundException');
  });
});

describe('wired to the Kubernetes emulator (jest globalSetup): kubectl create token, then the aws CLI', () => {
  const kubectl = (kubeconfig: string, args: string[]) =>
    run('kubectl', ['--kubeconfig', kubeconfig, ...args]).then((r) => r.stdout.trim());

  test("a token kubectl gets for the pods' audience is exchanged by EKS Auth and STS", async () => {
    const emus = await connectEmulators();
    await emus.reset();
    await emus.createCluster('wired');
    const kubeconfig = emus.kubeconfigFor('wired');
    await kubectl(kubeconfig, ['create', 'namespace', 'apps']);
    await kubectl(kubeconfig, ['create', 'serviceaccount', 'api', '-n', 'apps']);
    const config = emus.aws.clientConfig();
    const roleArn = (
      await new IAMClient(config).send(
        new CreateRoleCommand({ RoleName: 'wired', AssumeRolePolicyDocument: JSON.stringify(PODS_TRUST) }),
      )
    ).Role!.Arn!;
    await new EKSClient(config).send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'wired',
        namespace: 'apps',
        serviceAccount: 'api',
        roleArn,
      }),
    );
    const podToken = await kubectl(kubeconfig, ['create', 'token', 'api', '-n', 'apps', '--audience', POD_AUDIENCE]);
    const args = ['eks-auth', 'assume-role-for-pod-identity', '--cluster-name', 'wired', '--token', podToken];
    const answer = await aws(args, {}, emus.aws.endpoint);
    expect(answer.assumedRoleUser.arn).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/wired/eks-wired-`));
    const defaultAudience = await kubectl(kubeconfig, ['create', 'token', 'api', '-n', 'apps']);
    const refused = await awsRaw([...args.slice(0, -1), defaultAudience], {}, emus.aws.endpoint);
    expect(refused.stderr).toMatch(/\(InvalidTokenException\).*audience must include pods\.eks\.amazonaws\.com/);

    // IRSA: the cluster's issuer as an IAM OIDC provider, a token for sts.amazonaws.com
    const cluster = (await aws(['eks', 'describe-cluster', '--name', 'wired'], {}, emus.aws.endpoint)).cluster;
    const issuer: string = cluster.identity.oidc.issuer;
    const hostPath = issuer.replace(/^https:\/\//, '');
    const iamClient = new IAMClient(config);
    await iamClient.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com'] }));
    const irsaTrust = trust({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${hostPath}:sub`]: 'system:serviceaccount:apps:api' } },
    });
    await iamClient.send(
      new CreateRoleCommand({ RoleName: 'wired-irsa', AssumeRolePolicyDocument: JSON.stringify(irsaTrust) }),
    );
    const stsToken = await kubectl(kubeconfig, [
      'create',
      'token',
      'api',
      '-n',
      'apps',
      '--audience',
      'sts.amazonaws.com',
    ]);
    const irsaRole = `arn:aws:iam::${ACCOUNT}:role/wired-irsa`;
    const assumed = await aws(
      [
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        irsaRole,
        '--role-session-name',
        'wired',
        '--web-identity-token',
        stsToken,
      ],
      {},
      emus.aws.endpoint,
    );
    const { AccessKeyId, SecretAccessKey, SessionToken } = assumed.Credentials;
    const creds = {
      AWS_ACCESS_KEY_ID: AccessKeyId,
      AWS_SECRET_ACCESS_KEY: SecretAccessKey,
      AWS_SESSION_TOKEN: SessionToken,
    };
    expect((await aws(['sts', 'get-caller-identity'], creds, emus.aws.endpoint)).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/wired-irsa/wired`,
    );
  });
});
