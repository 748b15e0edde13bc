// Edge case of the account-wide scan (the emulator cases are in e2e-removal-regions): when the account's region list
// itself cannot be read, every region is unknown, no region is read, and the scan is made once however often asked.
import type { AwsClients } from '../src/aws/clients.js';
import { accountScan, EVERY_REGION } from '../src/resources/region-scan/scan.js';

test('the region list denied: everything unknown, with why; no EKS call; one attempt per run', async () => {
  const denied = Object.assign(new Error('User is not authorized to perform: account:ListRegions'), {
    name: 'AccessDeniedException',
  });
  let asked = 0;
  const clients = {
    account: () => {
      asked++;
      return Promise.reject(denied);
    },
    get eks(): never {
      throw new Error('no region may be read without the region list');
    },
  } as unknown as AwsClients;
  const scan = accountScan(() => clients, 'us-east-1', ['us-east-1']);
  const [first, second] = await Promise.all([scan(), scan()]);
  expect(first).toEqual({
    associations: [],
    unread: [
      {
        region: EVERY_REGION,
        cause:
          "the account's regions could not be listed (account:ListRegions): AccessDeniedException: User is not " +
          'authorized to perform: account:ListRegions',
      },
    ],
  });
  expect(second).toBe(first);
  expect(asked).toBe(1);
});
