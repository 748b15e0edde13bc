// The add-on poll is a deliberate wait: a second between DescribeAddon reads, shrunk by EKS_POD_IAM_TIME_SCALE like
// every other (the end-to-end tests run at 0.01). The emulator-backed add-on tests show the wait's outcomes; this one
// shows its pace, with a stand-in client that answers CREATING four times.
import type { EKSClient } from '@aws-sdk/client-eks';
import { waitForAddon } from '../src/resources/addon/apply.js';
import type { Log } from '../src/platform/types.js';

const quiet: Log = {
  info: () => undefined,
  warn: () => undefined,
  notice: () => undefined,
  debug: () => undefined,
  group: (_title, fn) => fn(),
};

function addonActiveAfter(reads: number) {
  let made = 0;
  const client = {
    send: async () => ({
      addon: { addonName: 'eks-pod-identity-agent', status: ++made < reads ? 'CREATING' : 'ACTIVE' },
    }),
  };
  return { client: client as unknown as EKSClient, reads: () => made };
}

afterEach(() => delete process.env.EKS_POD_IAM_TIME_SCALE);

test('scaled by 0.01, five reads take tens of milliseconds, not four seconds', async () => {
  process.env.EKS_POD_IAM_TIME_SCALE = '0.01';
  const eks = addonActiveAfter(5);
  const started = Date.now();
  await waitForAddon(eks.client, 'demo', 60, quiet);
  expect(eks.reads()).toBe(5);
  expect(Date.now() - started).toBeLessThan(2000);
});

test('unscaled, the reads are a second apart', async () => {
  const eks = addonActiveAfter(2);
  const started = Date.now();
  await waitForAddon(eks.client, 'demo', 60, quiet);
  expect(eks.reads()).toBe(2);
  expect(Date.now() - started).toBeGreaterThanOrEqual(990);
});
