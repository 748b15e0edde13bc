// Guarantee (design/interface.md): no credential, session token or generated cluster token is ever printed,
// even on failure or with debug logging. Checked on everything a user can see — stdout, stderr, GITHUB_OUTPUT,
// the job summary, and Octopus service messages decoded from base64 — in the three shells, on success and on
// failures. The cluster token looked for is the one the Kubernetes emulator actually received from the program.
// Each shell's first scenario runs the bundle; the others run src/main.ts's run() in process (helpers/run-in-process.ts
// runShell), with the shell it selects, as the bundle would.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEmulators, type Emulators } from '../emulators/index.js';
import { runAction, type ActionRun } from './helpers/run-action.js';
import { runShell } from './helpers/run-in-process.js';

const CLUSTER = 'secrets';
// Distinctive fake credentials (moto accepts any); '/', '+' and '=' make the
// URL-encoded forms differ from the raw ones.
const ACCESS_KEY = 'AKIAEKSPODIAMLEAK7QX';
const SECRET_KEY = 'leak/Test+Secret=Key0123456789abcdefghijKLMN';
const SESSION_TOKEN = `IQoJb3JpZ2luX2VjELEAK/session+token=${'Zq9'.repeat(30)}`;
// Every debug switch a user can turn on: the GitHub shell prints ::debug::
// lines with these, the other shells their own.
const DEBUG = { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true', EKS_POD_IAM_DEBUG: 'true' };

type Shell = 'github' | 'octopus' | 'cli';
const SHELLS: Shell[] = ['github', 'octopus', 'cli'];

let emu: Emulators;
beforeAll(async () => {
  emu = await connectEmulators();
});
afterAll(() => rmSync(KUBECONFIG_FILE, { force: true }));
beforeEach(async () => {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 }); // the add-on is ACTIVE at once: no waiting
});

/** In this process through the shell's own code (runShell), or `spawned`: the bundle as each shell starts it. */
function runIn(shell: Shell, over: Record<string, string>, spawned: boolean): Promise<ActionRun> {
  const inputs: Record<string, string> = {
    'cluster-name': CLUSTER,
    namespace: 'apps',
    'service-account': 'api',
    'role-name': 'leak-test',
    ...over,
  };
  const env = {
    ...emu.programEnv(),
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    ...DEBUG,
    EKS_POD_IAM_TIME_SCALE: '0.01',
    ...(shell === 'octopus' ? { EKS_POD_IAM_PLATFORM: 'octopus' } : {}),
  };
  const runner = spawned ? runAction : runShell;
  if (shell !== 'cli') return runner(inputs, { env });
  return runner(
    {},
    {
      env,
      args: Object.entries(inputs)
        .filter(([, v]) => v)
        .flatMap(([k, v]) => [`--${k}`, v]),
    },
  );
}

/** All a user sees, with Octopus service-message attributes decoded: a secret inside one is only there in base64. */
function visible(r: Pick<ActionRun, 'stdout' | 'stderr' | 'outputs' | 'summary'>): string {
  const decoded = [...r.stdout.matchAll(/##octopus\[[^\]]*\]/g)]
    .flatMap((m) => [...m[0].matchAll(/='([A-Za-z0-9+/=]*)'/g)])
    .map((a) => Buffer.from(a[1]!, 'base64').toString('utf8'));
  return [r.stdout, r.stderr, ...Object.entries(r.outputs).flat(), r.summary, ...decoded].join('\n');
}

/** A printed piece of a key is a leak too (e.g. a YAML error quoting a cut line): any 16 characters of one count. */
const PIECE = 16;
const pieces = (s: string) =>
  Array.from({ length: Math.max(1, s.length - PIECE + 1) }, (_, i) => s.slice(i, i + PIECE));

/**
 * Which secrets appear, in any of the forms a leak could take (raw, URL-encoded,
 * base64, base64url); `keys` also in pieces.
 */
function leaks(text: string, secrets: Record<string, string>, keys: Record<string, string> = {}): string[] {
  const forms = (s: string) => [
    s,
    encodeURIComponent(s),
    Buffer.from(s).toString('base64'),
    Buffer.from(s).toString('base64url'),
  ];
  // Any cluster token at all, not just this run's (the prefix is never printed on
  // purpose; `::add-mask::<token>` would be one).
  const found = text.includes('k8s-aws-v1.') ? ['a k8s-aws-v1. token'] : [];
  for (const [what, s] of Object.entries(secrets)) if (forms(s).some((f) => text.includes(f))) found.push(what);
  for (const [what, s] of Object.entries(keys))
    if (pieces(s).some((p) => text.includes(p))) found.push(`part of the ${what}`);
  return found;
}

test('the leak check finds secrets in every form, even in a base64 Octopus message or an ::add-mask:: line', () => {
  const token = 'k8s-aws-v1.aHR0cHM6Ly9zdHM';
  const msg = (m: string) => `##octopus[resultMessage message='${Buffer.from(m).toString('base64')}']`;
  const run = (stdout: string, stderr = '') => ({ stdout, stderr, outputs: {}, summary: '' });
  expect(leaks(visible(run(msg(`failed with ${SECRET_KEY} inside`))), { secret: SECRET_KEY })).toEqual(['secret']);
  expect(leaks(visible(run(`::add-mask::${token}`)), { token })).toEqual(['a k8s-aws-v1. token', 'token']);
  expect(
    leaks(visible(run('', `X-Amz-Security-Token=${encodeURIComponent(SESSION_TOKEN)}`)), { session: SESSION_TOKEN }),
  ).toEqual(['session']);
  expect(leaks(visible(run(`    token: ${SECRET_KEY.slice(3, 20)} ...`)), {}, { secret: SECRET_KEY })).toEqual([
    'part of the secret',
  ]);
  expect(
    leaks(visible(run('all clean')), { secret: SECRET_KEY, session: SESSION_TOKEN }, { secret: SECRET_KEY }),
  ).toEqual([]);
});

interface Scenario {
  inputs: Record<string, string>;
  setup?: () => Promise<void>;
  code: number;
  /** What the failure must name, so a failure of another kind does not pass for this one. */
  cause?: RegExp;
  /**
   * The user gave the cluster access (a kubeconfig holding USER_KUBE_TOKEN): no
   * token is generated, that one must not leak.
   */
  userKubeconfig?: boolean;
}
// A kubeconfig as users keep it in a CI secret: its bearer token is a credential too.
const USER_KUBE_TOKEN = 'user-kube-token-LEAK-4f1c9e2a7b';
const KUBECONFIG_FILE = join(tmpdir(), `eks-pod-iam-secrets-${process.pid}.kubeconfig`);
const kubeconfig = (server = 'https://127.0.0.1:1') => ({
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'c',
  clusters: [{ name: 'c', cluster: { server } }],
  users: [{ name: 'u', user: { token: USER_KUBE_TOKEN } }],
  contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
});
const SCENARIOS: Record<string, Scenario> = {
  'pod-identity succeeds': { inputs: {}, code: 0 },
  'irsa succeeds': { inputs: { mode: 'irsa' }, code: 0 },
  // EKS answers 401 to a valid token whose principal has no access entry.
  'Kubernetes refuses the token (401)': {
    inputs: { mode: 'irsa' },
    setup: () => emu.kube.setForbidden([{ code: 401 }]),
    code: 1,
    cause: /401 Unauthorized/,
  },
  'Kubernetes forbids the writes (403)': {
    inputs: {},
    setup: () => emu.kube.setForbidden([{ verbs: ['create', 'patch'], resources: ['namespaces', 'serviceaccounts'] }]),
    code: 1,
    cause: /forbids it \(403\)/,
  },
  // An AWS error after the token was made: attaching a policy that does not exist.
  'AWS refuses a call': {
    inputs: { 'policy-arns': 'arn:aws:iam::aws:policy/EksPodIamDoesNotExist' },
    code: 1,
    cause: /EksPodIamDoesNotExist/,
  },
  // kubeconfig content in forms a user may paste: one-line JSON, base64 (common
  // for CI secrets), YAML that does not parse.
  'kubeconfig input as one-line JSON': {
    inputs: { mode: 'irsa', kubeconfig: JSON.stringify(kubeconfig()) },
    code: 1,
    userKubeconfig: true,
  },
  'kubeconfig input in base64': {
    inputs: { mode: 'irsa', kubeconfig: Buffer.from(JSON.stringify(kubeconfig())).toString('base64') },
    code: 1,
    userKubeconfig: true,
  },
  'kubeconfig file whose token the cluster refuses (401)': {
    inputs: { mode: 'irsa', kubeconfig: KUBECONFIG_FILE },
    setup: async () => void emu.kube.kubeconfig(KUBECONFIG_FILE, { token: USER_KUBE_TOKEN }),
    code: 1,
    cause: /401 Unauthorized/,
    userKubeconfig: true,
  },
  'kubeconfig input with broken YAML': {
    inputs: {
      mode: 'irsa',
      kubeconfig: `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${USER_KUBE_TOKEN}\n  bad: [unclosed\n`,
    },
    code: 1,
    userKubeconfig: true,
  },
};

describe.each(SHELLS)('%s shell, debug logging on', (shell) => {
  test.each(Object.keys(SCENARIOS))('%s: nothing secret is printed', async (name) => {
    const s = SCENARIOS[name]!;
    await s.setup?.();
    // The bundle for the first scenario of each shell; the others in process, through the same shell code.
    const r = await runIn(shell, s.inputs, name === 'pod-identity succeeds');
    const text = visible(r);
    expect({ code: r.code, cause: s.cause ? s.cause.test(text) : true }).toEqual({ code: s.code, cause: true });
    const keys: Record<string, string> = {
      'secret access key': SECRET_KEY,
      'session token': SESSION_TOKEN,
      'access key id': ACCESS_KEY,
    };
    const secrets: Record<string, string> = {};
    if (s.userKubeconfig) {
      keys['kubeconfig token'] = USER_KUBE_TOKEN;
      // Its content, not a path.
      if (s.inputs.kubeconfig !== KUBECONFIG_FILE) secrets['kubeconfig input'] = s.inputs.kubeconfig!;
    } else {
      // The run reached Kubernetes with a token it generated from these credentials, so there was something to leak.
      const used = await emu.kube.lastEksToken();
      expect(used?.accessKeyId).toBe(ACCESS_KEY);
      expect(used!.params['X-Amz-Security-Token']).toBe(SESSION_TOKEN);
      Object.assign(secrets, { 'cluster token': used!.token, 'its presigned URL': used!.url });
      keys['cluster token signature'] = used!.params['X-Amz-Signature']!;
    }
    expect(leaks(text, secrets, keys)).toEqual([]);
  });
});
