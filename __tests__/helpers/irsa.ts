// IRSA as people set it up by hand before eks-pod-iam: the cluster's OIDC provider, and a role whose web-identity
// statement lists service accounts of namespace `apps`, next to a foreign statement (CodeBuild, Sid "Ci").
import type { Emulators } from '../../emulators/index.js';
import { aws } from './judge.js';

export const subject = (sa: string) => `system:serviceaccount:apps:${sa}`;

/** Returns the provider's host path (the condition keys' prefix) and ARN. */
export async function seedIrsaRole(emu: Emulators, cluster: string, role: string, serviceAccounts: string[]) {
  const issuer = (await aws(emu, ['eks', 'describe-cluster', '--name', cluster])).cluster.identity.oidc
    .issuer as string;
  const hostPath = issuer.replace('https://', '');
  const providerArn = `arn:aws:iam::123456789012:oidc-provider/${hostPath}`;
  await aws(emu, ['iam', 'create-open-id-connect-provider', '--url', issuer, '--client-id-list', 'sts.amazonaws.com']);
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${hostPath}:sub`]: serviceAccounts.map(subject),
            [`${hostPath}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
      { Sid: 'Ci', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  };
  await aws(emu, ['iam', 'create-role', '--role-name', role, '--assume-role-policy-document', JSON.stringify(trust)]);
  return { hostPath, providerArn };
}
