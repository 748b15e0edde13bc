// Kubernetes `Status` objects with the messages the real apiserver writes
// (k8s.io/apimachinery/pkg/api/errors), so clients that match on reason/message behave as in production.

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

/** Thrown anywhere in the emulator; the server turns it into the HTTP response. */
export class KubeError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, details?: Status['details']): KubeError {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return new KubeError(s);
}

/** group/resource as the real server prints it: "serviceaccounts", "deployments.apps". */
export const qualified = (resource: string, group: string) => (group ? `${resource}.${group}` : resource);
const det = (name: string, resource: string, group: string) => ({ name, ...(group ? { group } : {}), kind: resource });

export const notFound = (resource: string, group: string, name: string) =>
  failure(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, det(name, resource, group));

export const alreadyExists = (resource: string, group: string, name: string) =>
  failure(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, det(name, resource, group));

export const conflict = (resource: string, group: string, name: string) =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": the object has been modified; ` +
      'please apply your changes to the latest version and try again',
    det(name, resource, group),
  );

/** 422 with one cause per field error, message `Kind[.group] "name" is invalid: field: msg` (several in [..]). */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): KubeError {
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const body = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return failure(422, 'Invalid', `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${body}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes,
  });
}

/** A JSON patch that cannot be applied (failed `test`, missing path): the apiserver wraps it in
 *  NewGenericServerResponse(422), which drops the detail; it is kept here only in the Error's own message. */
export function patchRejected(detail: string): KubeError {
  const e = failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  e.message = detail;
  return e;
}

export const badRequest = (message: string) => failure(400, 'BadRequest', message);
export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource') =>
  failure(405, 'MethodNotAllowed', message);
export const unsupportedMediaType = (accepted: string[]) =>
  failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
export const unauthorized = () => failure(401, 'Unauthorized', 'Unauthorized');
export const pageNotFound = () => failure(404, 'NotFound', 'the server could not find the requested resource');

export function forbidden(
  user: string,
  verb: string,
  resource: string,
  group: string,
  ns: string | undefined,
  name?: string,
): KubeError {
  // A subresource ("serviceaccounts/token") is named in full in the verb phrase, by its resource in the subject.
  const base = resource.split('/')[0]!;
  const subject = name ? `${qualified(base, group)} "${name}"` : qualified(base, group);
  const scope = ns ? `in the namespace "${ns}"` : 'at the cluster scope';
  return failure(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`,
    { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: base },
  );
}

export const internalError = (message: string) =>
  failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
export const serviceUnavailable = () =>
  failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');

export const success = (resource: string, group: string, name: string, uid: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details: { name, ...(group ? { group } : {}), kind: resource, uid },
});
