// The TokenRequest API (POST .../serviceaccounts/{name}/token) and the service-account issuer's discovery documents,
// as kube-apiserver serves them: RS256 JWTs whose claims are those of pkg/serviceaccount/claims.go, signed with one
// key per emulator (kept across reset(), so a verifier given the JWKS once keeps working), published at
// /openid/v1/jwks and described by /.well-known/openid-configuration.
import { createHash, createSign, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { KubeError, badRequest, invalid, notFound } from './errors.js';
import { findResource } from './resources.js';
import type { KubeObject, Store } from './store.js';

/** The issuer of a cluster nobody described (kube-apiserver's --service-account-issuer default on many clusters). */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc';
/** EKS's --api-audiences: what a TokenRequest without audiences gets. */
export const API_AUDIENCES = ['https://kubernetes.default.svc'];
/** The emulator's only node, as pods name it (spec.nodeName) and tokens bound to its pods carry it. */
export const NODE = { name: 'emulator-node', uid: '6c5d1f4e-0b7a-4a55-9d3e-000000000001' };
const MIN_EXPIRATION = 600;
const MAX_EXPIRATION = 2 ** 32;

export interface Jwk {
  kty: 'RSA';
  use: 'sig';
  alg: 'RS256';
  kid: string;
  n: string;
  e: string;
}
export interface Jwks {
  keys: Jwk[];
}

export interface SigningKey {
  privateKey: KeyObject;
  jwk: Jwk;
}

let processKey: Promise<SigningKey> | undefined;
/** The signing key of every emulator in this process, generated once off the event loop (an RSA key takes up to a
 *  second on a busy machine; start-up does not wait for it). */
export const signingKey = (): Promise<SigningKey> => (processKey ??= makeSigningKey());

/** A fresh RSA key; kid as kube-apiserver derives it: base64url(SHA-256(DER of the public key)). */
async function makeSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const { n, e } = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const kid = createHash('sha256').update(der).digest('base64url');
  return { privateKey, jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid, n, e } };
}

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg: 'RS256', kid: key.jwk.kid })}.${part(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url')}`;
}

export const jwksOf = (key: SigningKey): Jwks => ({ keys: [key.jwk] });

/** /.well-known/openid-configuration for an issuer; jwks_uri on the issuer's host, as kube-apiserver writes it. */
export function openidConfiguration(issuer: string, jwksUri: string) {
  return {
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

interface TokenRequestBody {
  metadata?: { name?: string };
  spec?: {
    audiences?: string[] | null;
    expirationSeconds?: number | null;
    boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null;
  };
}

const SA = () => findResource('', 'serviceaccounts')!;
const POD = () => findResource('', 'pods')!;

/** Answers a TokenRequest for service account ns/name (201 and the TokenRequest with status), or throws as the
 *  apiserver does: 404 no service account or bound pod, 422 a too short/long expiration, 400 a pod of another
 *  service account or an unsupported bound kind, 409 a bound uid that is not the pod's. */
export function tokenRequest(
  store: Store,
  key: SigningKey,
  issuer: string,
  ns: string,
  name: string,
  body: unknown,
  now = new Date(),
): { status: number; body: unknown } {
  const req = (body ?? {}) as TokenRequestBody;
  const spec = req.spec ?? {};
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < MIN_EXPIRATION || expirationSeconds > MAX_EXPIRATION)
    throw invalid('TokenRequest', 'authentication.k8s.io', name, [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.expirationSeconds',
        message:
          `Invalid value: ${expirationSeconds}: ` +
          (expirationSeconds < MIN_EXPIRATION
            ? 'may not specify a duration less than 10 minutes'
            : 'may not specify a duration larger than 2^32 seconds'),
      },
    ]);
  const sa = store.mustGet(SA(), ns, name);
  const pod = spec.boundObjectRef ? boundPod(store, ns, name, spec.boundObjectRef) : undefined;
  const audiences = spec.audiences?.length ? spec.audiences : API_AUDIENCES;
  const { token, exp } = mintToken(key, { issuer, sa, pod, audiences, expirationSeconds, now });
  return {
    status: 201,
    body: {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace: ns, creationTimestamp: null },
      spec: {
        audiences,
        expirationSeconds,
        boundObjectRef: spec.boundObjectRef ? { ...spec.boundObjectRef, uid: pod!.metadata.uid } : null,
      },
      status: { token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
    },
  };
}

/** A service-account token as kube-apiserver signs it (also what the kubelet projects into pods). */
export function mintToken(
  key: SigningKey,
  o: { issuer: string; sa: KubeObject; pod?: KubeObject; audiences: string[]; expirationSeconds: number; now?: Date },
): { token: string; exp: number } {
  const iat = Math.floor((o.now ?? new Date()).getTime() / 1000);
  const exp = iat + o.expirationSeconds;
  const { name, namespace: ns } = o.sa.metadata;
  const nodeName = o.pod?.spec?.nodeName as string | undefined;
  const token = signJwt(key, {
    aud: o.audiences,
    exp,
    iat,
    iss: o.issuer,
    jti: randomUUID(),
    'kubernetes.io': {
      namespace: ns,
      ...(nodeName ? { node: { name: nodeName, uid: nodeName === NODE.name ? NODE.uid : randomUUID() } } : {}),
      ...(o.pod ? { pod: { name: o.pod.metadata.name, uid: o.pod.metadata.uid } } : {}),
      serviceaccount: { name, uid: o.sa.metadata.uid },
    },
    nbf: iat,
    sub: `system:serviceaccount:${ns}:${name}`,
  });
  return { token, exp };
}

function boundPod(
  store: Store,
  ns: string,
  saName: string,
  ref: NonNullable<NonNullable<TokenRequestBody['spec']>['boundObjectRef']>,
): KubeObject {
  if (ref.kind !== 'Pod' || (ref.apiVersion ?? 'v1') !== 'v1')
    throw badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ''}, Kind=${ref.kind ?? ''}`);
  const pod = store.get(POD(), ns, ref.name ?? '');
  if (!pod) throw notFound('pods', '', ref.name ?? '');
  if (ref.uid && ref.uid !== pod.metadata.uid) {
    const e = new KubeError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message:
        `Operation cannot be fulfilled on Pod "${pod.metadata.name}": the UID in the bound object reference ` +
        `(${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      details: { name: pod.metadata.name, kind: 'Pod' },
    });
    throw e;
  }
  if (pod.spec?.serviceAccountName !== saName)
    throw badRequest(
      `cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`,
    );
  return pod;
}
