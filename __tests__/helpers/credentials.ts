// What the verify-credentials end-to-end files share: a fresh cluster whose tokens the AWS emulator can verify,
// a run with exchange on, and the journals read as the proof sees them.
import type { Emulators } from '../../emulators/index.js';
import { clearJournals, kubectl, writes } from './judge.js';
import { runInProcess } from './run-in-process.js';

export const CLUSTER = 'proof';
export const ACCOUNT = '123456789012';
export const ROLE = 'proof-role';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;

export async function freshCluster(emu: Emulators): Promise<void> {
  await emu.reset();
  await emu.createCluster(CLUSTER);
  await emu.aws.setServiceAccountKeys(await emu.kube.jwks());
  await emu.aws.setAddonBehaviour({ readsUntilActive: 0 });
  await emu.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await clearJournals(emu);
}

export const runProof = (emu: Emulators, over: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) =>
  runInProcess(
    {
      'cluster-name': CLUSTER,
      namespace: 'apps',
      'service-account': 'api',
      'role-name': ROLE,
      'verify-credentials': 'exchange',
      ...over,
    },
    { env: { ...emu.programEnv(), EKS_POD_IAM_TIME_SCALE: '0.01', ...env } },
  );

export const bindingsOf = (r: { outputs: Record<string, string> }) => JSON.parse(r.outputs.bindings ?? '[]');

/** Exchanges change nothing (the emulator's isMutating counts every non-Get/List/Describe): not writes. */
export async function realWrites(emu: Emulators): Promise<{ aws: string[]; kube: string[] }> {
  const w = await writes(emu);
  return { aws: w.aws.filter((op) => !/^AssumeRole|^GetCallerIdentity$/.test(op)), kube: w.kube };
}

export const exchanges = async (emu: Emulators) =>
  (await emu.aws.journal()).filter((j) => /^AssumeRole/.test(j.operation));

export async function seedAccount(emu: Emulators, name = 'api', annotations: Record<string, string> = {}) {
  await emu.kube.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'apps', annotations } });
}

export async function seedDeployment(emu: Emulators, name = 'api', serviceAccount = 'api'): Promise<void> {
  await emu.kube.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'apps' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { serviceAccountName: serviceAccount, containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
}

export const restartedAt = async (emu: Emulators, name: string) =>
  (await kubectl(emu, CLUSTER, ['get', 'deployment', name, '-n', 'apps', '-o', 'json'])).spec.template.metadata
    ?.annotations?.['kubectl.kubernetes.io/restartedAt'];
