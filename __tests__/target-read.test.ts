// Which target roles are read, and what a refusal means (edge cases of IAM's answers, with an in-process client).
import type { IAMClient } from '@aws-sdk/client-iam';
import { readTarget } from '../src/resources/target-role/read.js';

const ACCOUNT = '123456789012';
const TARGET = `arn:aws:iam::${ACCOUNT}:role/data/reader`;
const trust = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [] }));

/** A client that answers GetRole with `answer` (an error to throw, or the role's ARN), and counts the calls. */
function client(answer: Error | string) {
  const calls: unknown[] = [];
  const send = async (command: { input: unknown }) => {
    calls.push(command.input);
    if (answer instanceof Error) throw answer;
    return { Role: { Arn: answer, RoleName: 'reader', AssumeRolePolicyDocument: trust, Tags: [] } };
  };
  return { iam: { send } as unknown as IAMClient, calls };
}
const error = (name: string) => Object.assign(new Error(`${name} from IAM`), { name });

test('another account: not readable, and no call made (GetRole would answer for a role of this account)', async () => {
  const c = client(TARGET);
  expect(await readTarget(c.iam, 'arn:aws:iam::999999999999:role/reader', ACCOUNT)).toEqual({
    readable: false,
    why: `it is in account 999999999999, these credentials are in ${ACCOUNT}`,
  });
  expect(c.calls).toEqual([]);
});

test('this account: read by its name; the same name on another path is not the role given', async () => {
  const found = client(TARGET);
  const read = await readTarget(found.iam, TARGET, ACCOUNT);
  expect(read).toMatchObject({ readable: true, role: { arn: TARGET, name: 'reader' } });
  expect(found.calls).toEqual([{ RoleName: 'reader' }]);
  expect(await readTarget(client(`arn:aws:iam::${ACCOUNT}:role/reader`).iam, TARGET, ACCOUNT)).toEqual({
    readable: true,
    role: null,
  });
});

test('NoSuchEntity: it does not exist; AccessDenied: not readable; anything else is a failure', async () => {
  expect(await readTarget(client(error('NoSuchEntity')).iam, TARGET, ACCOUNT)).toEqual({ readable: true, role: null });
  expect(await readTarget(client(error('AccessDenied')).iam, TARGET, ACCOUNT)).toEqual({
    readable: false,
    why: 'iam:GetRole is denied (AccessDenied from IAM)',
  });
  await expect(readTarget(client(error('ServiceFailure')).iam, TARGET, ACCOUNT)).rejects.toThrow(/ServiceFailure/);
});
