// SelfSubjectReview (`kubectl auth whoami`) and SelfSubjectAccessReview (`kubectl auth can-i`): nothing is stored;
// the answers come from the emulator's user and 403 rules, so a preflight check sees what the writes will see.
import { badRequest, methodNotAllowed } from './errors.js';
import type { EksTokenInfo } from './auth.js';

export interface ReviewContext {
  user: string;
  eks?: EksTokenInfo;
  /** Would this request be allowed? (the same rules that produce 403s) */
  allowed(attrs: { verb: string; resource: string; group: string; namespace?: string; name?: string }): boolean;
}

const meta = { creationTimestamp: null };

/**
 * Handles POST /apis/authentication.k8s.io/v1/selfsubjectreviews and
 * .../authorization.k8s.io/v1/selfsubjectaccessreviews.
 */
export function review(
  resource: string,
  method: string,
  body: unknown,
  ctx: ReviewContext,
): { status: number; body: unknown } {
  if (method !== 'POST') throw methodNotAllowed();
  if (resource === 'selfsubjectreviews') {
    const extra = ctx.eks ? { accessKeyId: [ctx.eks.accessKeyId] } : undefined;
    return {
      status: 201,
      body: {
        kind: 'SelfSubjectReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: meta,
        status: { userInfo: { username: ctx.user, groups: ['system:authenticated'], ...(extra ? { extra } : {}) } },
      },
    };
  }
  const spec = (body as { spec?: { resourceAttributes?: Record<string, string>; nonResourceAttributes?: unknown } })
    ?.spec;
  const ra = spec?.resourceAttributes;
  if (!ra && !spec?.nonResourceAttributes)
    throw badRequest(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": ' +
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  const allowed =
    !ra ||
    ctx.allowed({
      verb: ra.verb ?? '',
      resource: ra.subresource ? `${ra.resource ?? ''}/${ra.subresource}` : (ra.resource ?? ''),
      group: ra.group ?? '',
      ...(ra.namespace ? { namespace: ra.namespace } : {}),
      ...(ra.name ? { name: ra.name } : {}),
    });
  return {
    status: 201,
    body: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: meta,
      spec,
      status: { allowed },
    },
  };
}
