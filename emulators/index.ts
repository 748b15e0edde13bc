// One helper that starts both local emulators, wired together: moto (IAM, STS, EKS + our EKS extensions)
// and the Kubernetes API server, with DescribeCluster pointing every cluster at the latter.
// jest globalSetup starts them once (connectEmulators() reaches them from each test file); the demo and
// the benchmark start their own.
import { spawnSync } from 'node:child_process';
import { connectAwsEmulator, startAwsEmulator, EMULATOR_CREDENTIALS, type AwsEmulator } from './aws/index.js';
import { connectKubeEmulator, localControl, type KubeControl } from './kube/remote.js';
import { startKubeEmulator, makeEksToken } from './kube/server.js';

/** Where globalSetup publishes the running emulators for the test processes. */
export const EMULATORS_ENV = 'EKS_POD_IAM_EMULATORS';

export interface Emulators {
  aws: AwsEmulator;
  kube: KubeControl;
  /** Environment for the program under test: credentials, region and AWS_ENDPOINT_URL, nothing else. */
  programEnv(region?: string): NodeJS.ProcessEnv;
  /** A cluster in moto whose API endpoint and CA are the local Kubernetes server's. */
  createCluster(name: string, region?: string): Promise<void>;
  /** A kubeconfig file for kubectl, with a valid EKS token for the cluster. */
  kubeconfigFor(clusterName: string, region?: string): string;
  /** Back to empty: moto reset, a fresh Kubernetes, journals cleared. */
  reset(): Promise<void>;
  /** What connectEmulators() needs to reach these from another process. */
  connection(): string;
  stop(): Promise<void>;
}

/** Fails with one clear line when a tool the emulators need is missing. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  if (spawnSync('python3', ['-c', 'import moto, flask'], { stdio: 'ignore' }).status !== 0)
    missing.push("python3 with moto[server] 5.2.1 (pip install 'moto[server]==5.2.1')");
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) missing.push('openssl');
  if (missing.length) throw new Error(`The local emulators need: ${missing.join(', ')}.`);
}

export async function startEmulators(): Promise<Emulators> {
  checkPrerequisites();
  // The program's token is a real SigV4 presign; the server accepts only EKS-shaped tokens.
  const [aws, kube] = await Promise.all([startAwsEmulator(), startKubeEmulator({ token: 'eks' })]);
  return wire(aws, localControl(kube), async () => {
    await Promise.all([aws.stop(), kube.stop()]);
  });
}

/** The emulators jest globalSetup started, from a test file. */
export async function connectEmulators(connection = process.env[EMULATORS_ENV]): Promise<Emulators> {
  if (!connection)
    throw new Error(`${EMULATORS_ENV} is not set: run the tests through jest (its globalSetup starts the emulators).`);
  const { aws, kubeUrl, kubeCa, kubeHttpUrl } = JSON.parse(connection) as {
    aws: string;
    kubeUrl: string;
    kubeCa: string;
    kubeHttpUrl: string;
  };
  return wire(connectAwsEmulator(aws), connectKubeEmulator(kubeUrl, kubeCa, kubeHttpUrl), async () => {});
}

async function wire(aws: AwsEmulator, kube: KubeControl, stop: () => Promise<void>): Promise<Emulators> {
  const pointAtKube = async () => {
    await aws.setClusterEndpoint({ endpoint: kube.url, caPem: kube.caPem });
    await kube.setAwsEndpoint({ endpoint: aws.endpoint, credentials: EMULATOR_CREDENTIALS });
  };
  await pointAtKube();
  // EKS Auth and STS verify the service-account tokens with the Kubernetes emulator's keys (both keep them on reset).
  await aws.setServiceAccountKeys(await kube.jwks());
  return {
    aws,
    kube,
    programEnv: (region = 'us-east-1') => ({
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_REGION: region,
    }),
    createCluster: async (name, region = 'us-east-1') => {
      const cluster = await aws.createCluster(name, region);
      await kube.setClusterIssuer(name, cluster.identity.oidc.issuer); // the `iss` of the cluster's tokens
    },
    kubeconfigFor: (clusterName, region = 'us-east-1') =>
      kube.kubeconfig(undefined, {
        token: makeEksToken({
          clusterName,
          region,
          accessKeyId: EMULATOR_CREDENTIALS.accessKeyId,
          secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey,
        }),
      }),
    async reset() {
      await Promise.all([aws.reset(), kube.reset()]);
      await pointAtKube();
    },
    connection: () =>
      JSON.stringify({ aws: aws.endpoint, kubeUrl: kube.url, kubeCa: kube.caPem, kubeHttpUrl: kube.httpUrl }),
    stop,
  };
}
