// The committed bundle, run as GitHub, as the CLI, on Node 20 and Node 24: bad input fails fast,
// names every bad input, and makes no network call.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { BUNDLE, NODE24, runAction, SYSTEM_NODE } from './helpers/run-action.js';

const NODES: [string, string][] = [
  ['node 20 (this machine)', SYSTEM_NODE],
  ['node 24 (GitHub runners)', NODE24],
];

let sentinel: Server;
let connections = 0;
let sentinelUrl = '';

beforeAll(async () => {
  sentinel = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => sentinel.listen(0, '127.0.0.1', r));
  const port = (sentinel.address() as { port: number }).port;
  sentinelUrl = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((r) => sentinel.close(() => r())));

test('the bundle and a Node 24 binary are present', () => {
  expect(existsSync(BUNDLE)).toBe(true);
  expect(existsSync(NODE24)).toBe(true);
});

describe.each(NODES)('%s', (_label, node) => {
  // Every AWS and Kubernetes address points at a sentinel that counts connections.
  const env = () => ({
    AWS_ENDPOINT_URL: sentinelUrl,
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'y',
    AWS_REGION: 'us-east-1',
    HTTPS_PROXY: sentinelUrl,
  });

  test('runs on this Node version', async () => {
    const { spawnSync } = await import('node:child_process');
    const v = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(v).toMatch(node === NODE24 ? /^v24\./ : /^v20\./);
  });

  test('GitHub shell: several bad inputs → exit 1, one ::error:: line naming each, no network call', async () => {
    const before = connections;
    const run = await runAction(
      { 'cluster-name': 'bad name', 'service-account': 'app', 'role-name': 'r', mode: 'nope', 'wait-timeout': 'soon' },
      { node, env: env() },
    );
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    for (const input of ['cluster-name', 'mode', 'wait-timeout']) expect(errors[0]).toContain(`Input "${input}"`);
    expect(run.outputs).toEqual({});
    expect(connections).toBe(before);
  });

  test('GitHub shell: missing required inputs are named', async () => {
    const run = await runAction({}, { node, env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        '::error::.*Input "cluster-name" is required.*Input "service-account" is required' +
          '.*Input "role-name" is required unless "role-arn"',
      ),
    );
  });

  test('CLI shell: bad input → exit 1 on stderr, outputs nothing on stdout', async () => {
    const before = connections;
    const run = await runAction(
      {},
      {
        node,
        env: env(),
        args: ['--cluster-name', 'c', '--service-account', 'Bad_SA', '--role-name', 'r', '--aws-region', 'mars-1'],
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: 2 inputs are invalid: .*Input "aws-region".*Input "service-account"/m);
    expect(connections).toBe(before);
  });

  test('CLI shell: an unknown option is a usage error (exit 2)', async () => {
    const run = await runAction({}, { node, args: ['--cluster', 'x'] });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown option --cluster/);
  });

  test('CLI shell: --help lists every input', async () => {
    const run = await runAction({}, { node, args: ['--help'] });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--cluster-name \(required unless --bindings\)/);
    expect(run.stdout).toMatch(/--bindings file:\/\/bindings.yml/);
    expect(run.stdout).toMatch(/--wait-timeout \(default: 600\)/);
  });

  test('Octopus shell: bad input → resultMessage service message naming the input, exit 1', async () => {
    const run = await runAction(
      { 'cluster-name': 'c', 'service-account': 's', 'role-name': 'r', 'aws-region': 'us-east-1', 'dry-run': 'Maybe' },
      { node, env: { ...env(), EKS_POD_IAM_PLATFORM: 'octopus' } },
    );
    expect(run.code).toBe(1);
    const m = /##octopus\[resultMessage message='([^']+)'\]/.exec(run.stdout);
    expect(m).not.toBeNull();
    expect(Buffer.from(m![1]!, 'base64').toString()).toBe('Input "dry-run" must be "true" or "false", got "Maybe".');
  });
});
