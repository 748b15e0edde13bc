// One helper that starts both local emulators, wired together: moto (IAM, STS, EKS + our EKS extensions)
// and the Kubernetes API server, with DescribeCluster pointing every cluster at the latter.
// Used by the end-to-end tests, the demo and the benchmark.
import { spawnSync } from 'node:child_process';
import { startAwsEmulator, EMULATOR_CREDENTIALS, type AwsEmulator } from './aws/index.js';
import { startKubeEmulator, makeEksToken, type KubeEmulator } from './kube/server.js';

export interface Emulators {
  aws: AwsEmulator;
  kube: KubeEmulator;
  /** Environment for the program under test: credentials, region and AWS_ENDPOINT_URL, nothing else. */
  programEnv(region?: string): NodeJS.ProcessEnv;
  /** A cluster in moto whose API endpoint and CA are the local Kubernetes server's. */
  createCluster(name: string, region?: string): Promise<void>;
  /** A kubeconfig file for kubectl, with a valid EKS token for the cluster. */
  kubeconfigFor(clusterName: string, region?: string): string;
  /** Back to empty: moto reset, a fresh Kubernetes, journals cleared. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Fails with one clear line when a tool the emulators or their self-tests need is missing. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  if (spawnSync('python3', ['-c', 'import moto, flask'], { stdio: 'ignore' }).status !== 0)
    missing.push("python3 with moto[server] 5.2.1 (pip install 'moto[server]==5.2.1')");
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) missing.push('openssl');
  if (missing.length) throw new Error(`The local emulators need: ${missing.join(', ')}.`);
}

export async function startEmulators(): Promise<Emulators> {
  checkPrerequisites();
  // The program's token is a real SigV4 presign; the server checks its shape and signature.
  const [aws, kube] = await Promise.all([startAwsEmulator(), startKubeEmulator({ token: 'eks' })]);
  const pointAtKube = () => aws.setClusterEndpoint({ endpoint: kube.url, caPem: kube.caPem });
  await pointAtKube();
  return {
    aws,
    kube,
    programEnv: (region = 'us-east-1') => ({
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_REGION: region,
    }),
    createCluster: async (name, region = 'us-east-1') => void (await aws.createCluster(name, region)),
    kubeconfigFor: (clusterName, region = 'us-east-1') =>
      kube.kubeconfig(undefined, {
        token: makeEksToken({ clusterName, region, accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey }),
      }),
    async reset() {
      await aws.reset();
      kube.reset();
      await pointAtKube();
    },
    async stop() {
      await Promise.all([aws.stop(), kube.stop()]);
    },
  };
}
