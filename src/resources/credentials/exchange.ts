// `verify-credentials: exchange`: one attempt at the credential exchange a pod of the service account makes —
// Pod Identity: its projected token (audience pods.eks.amazonaws.com) exchanged with EKS Auth, as the node's agent
// does; IRSA: its token exchanged with STS AssumeRoleWithWebIdentity, as the pod's SDK does — then one
// sts:GetCallerIdentity with the credentials. Tokens and credentials live only inside one attempt.
import type { Credentials as StsCredentials, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../inputs/config.js';
import type { Kube } from '../../kube/client.js';
import { KubeProofError, requestToken } from './cluster.js';
import { assumeRoleForPodIdentity, EksAuthError } from './eks-auth.js';
import { POD_IDENTITY_AUDIENCE, type Attempt } from './kind.js';
import { irsaLink, podIdentityLink } from './links.js';

export interface ExchangeTarget {
  kube: Kube;
  aws: AwsClients;
  config: Config;
  env: NodeJS.ProcessEnv;
  /** Pod Identity: the running pod the token is bound to (none: an unbound token, which EKS Auth may refuse). */
  boundPod?: { name: string; uid?: string };
  /** Pod Identity: the association the answer must name, when known. */
  associationId?: string;
  /** IRSA: the role the pods are given (the annotation) and the audience of their token. */
  irsa?: { roleArn: string; audience: string };
}

/** A new STS client per use: the ones with issued credentials must not outlive the attempt. */
async function sts(region: string, credentials?: StsCredentials): Promise<STSClient> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  return new STSClient({
    region,
    maxAttempts: 3,
    customUserAgent: 'eks-pod-iam',
    ...(credentials
      ? {
          credentials: {
            accessKeyId: credentials.AccessKeyId!,
            secretAccessKey: credentials.SecretAccessKey!,
            sessionToken: credentials.SessionToken,
          },
        }
      : {}),
  });
}

/** sts:GetCallerIdentity with the issued credentials: whose they are. */
async function callerOf(region: string, credentials: StsCredentials): Promise<string> {
  const client = await sts(region, credentials);
  try {
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    return (await client.send(new GetCallerIdentityCommand({}))).Arn ?? '';
  } finally {
    client.destroy();
  }
}

const errorCode = (e: unknown) => (e as { name?: string })?.name || 'Error';
const errorMessage = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!;

/** A Kubernetes failure of the token request: the missing service account is a refusal, the rest is fatal. */
function tokenFailure(e: unknown, config: Config): Attempt {
  if (e instanceof KubeProofError && e.status === 404)
    return {
      kind: 'refused',
      code: 'NotFound',
      message: `service account ${config.namespace}/${config.serviceAccount} does not exist`,
      link: 'the service account',
    };
  if (e instanceof KubeProofError) return { kind: 'fatal', message: e.message };
  throw e;
}

export async function exchangeOnce(t: ExchangeTarget): Promise<Attempt> {
  return t.config.mode === 'irsa' ? irsaOnce(t) : podIdentityOnce(t);
}

async function podIdentityOnce(t: ExchangeTarget): Promise<Attempt> {
  const { config } = t;
  let token: string;
  try {
    token = await requestToken(t.kube, config.namespace, config.serviceAccount, POD_IDENTITY_AUDIENCE, t.boundPod);
  } catch (e) {
    return tokenFailure(e, config);
  }
  let answer;
  try {
    answer = await assumeRoleForPodIdentity(t.aws.eks.config, config.region, config.clusterName, token, t.env);
  } catch (e) {
    const code = e instanceof EksAuthError ? e.code : errorCode(e);
    const message = errorMessage(e);
    if (code === 'AccessDeniedException' && message.includes('eks-auth:AssumeRoleForPodIdentity'))
      return {
        kind: 'fatal',
        message:
          `EKS Auth refused the runner's own credentials: ${code}: ${message} — verify-credentials: exchange ` +
          'needs the IAM action eks-auth:AssumeRoleForPodIdentity on the cluster.',
      };
    if (/InvalidToken|ExpiredToken/.test(code) && !t.boundPod)
      return {
        kind: 'fatal',
        message:
          `EKS Auth refused the token: ${code}: ${message} — it needs a token bound to a pod, and no pod of ` +
          `${config.namespace}/${config.serviceAccount} is running; use verify-credentials: pod instead.`,
      };
    return { kind: 'refused', code, message, link: podIdentityLink(code, message, config) };
  }
  const subject = answer.subject;
  if (subject?.namespace !== config.namespace || subject?.serviceAccount !== config.serviceAccount)
    return {
      kind: 'refused',
      code: 'WrongSubject',
      message: `EKS Auth answered for ${subject?.namespace}/${subject?.serviceAccount}`,
      link: 'the token (it was not issued for this service account)',
    };
  const association = answer.podIdentityAssociation?.associationId;
  if (t.associationId && association !== t.associationId)
    return {
      kind: 'refused',
      code: 'WrongAssociation',
      message: `EKS Auth used association ${association ?? '(none)'}, not ${t.associationId}`,
      link: 'the association (another one is still in effect)',
    };
  const c = answer.credentials;
  if (!c) return { kind: 'refused', code: 'NoCredentials', message: 'EKS Auth gave no credentials', link: 'EKS Auth' };
  return caller(config, {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: undefined,
  });
}

async function caller(config: Config, credentials: StsCredentials): Promise<Attempt> {
  try {
    return { kind: 'credentials', arn: await callerOf(config.region, credentials) };
  } catch (e) {
    return {
      kind: 'refused',
      code: errorCode(e),
      message: errorMessage(e),
      link: 'the issued credentials (STS does not accept them yet)',
    };
  }
}

async function irsaOnce(t: ExchangeTarget): Promise<Attempt> {
  const { config, irsa } = t;
  if (!irsa)
    return {
      kind: 'refused',
      code: 'NoRoleAnnotation',
      message: `service account ${config.namespace}/${config.serviceAccount} has no eks.amazonaws.com/role-arn`,
      link: 'the injection (the webhook gives pods a role only through that annotation)',
    };
  let token: string;
  try {
    token = await requestToken(t.kube, config.namespace, config.serviceAccount, irsa.audience);
  } catch (e) {
    return tokenFailure(e, config);
  }
  const client = await sts(config.region);
  let credentials: StsCredentials | undefined;
  try {
    const { AssumeRoleWithWebIdentityCommand } = await import('@aws-sdk/client-sts');
    const answer = await client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: irsa.roleArn,
        RoleSessionName: 'eks-pod-iam-proof',
        WebIdentityToken: token,
        DurationSeconds: 900,
      }),
    );
    credentials = answer.Credentials;
  } catch (e) {
    const code = errorCode(e);
    return { kind: 'refused', code, message: errorMessage(e), link: irsaLink(code, errorMessage(e), config, irsa) };
  } finally {
    client.destroy();
  }
  if (!credentials) return { kind: 'refused', code: 'NoCredentials', message: 'STS gave no credentials', link: 'STS' };
  return caller(config, credentials);
}
