// Kubernetes failures in plain words. 401/403 almost always mean the runner's IAM principal has no
// EKS access entry (or aws-auth mapping), so say that.

export function statusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function messageOf(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      // not a Status object: the text itself, if short
      const line = body.trim().split('\n')[0] ?? '';
      if (line && line.length <= 200) return line;
    }
  }
  return (e as Error)?.message?.split('\n')[0] ?? String(e);
}

/** client-node's fetch rejects with an AbortError when a request's timeout signal fires. */
const timedOut = (e: unknown) => (e as { name?: unknown })?.name === 'AbortError';

export function describeKubeError(e: unknown, what: string, server: string, timeoutMs?: number): string {
  if (timedOut(e))
    return (
      `The Kubernetes API at ${server} did not answer within ${Math.round((timeoutMs ?? 0) / 1000)}s ` +
      `when trying to ${what}: check that the API server is up and reachable from this runner, then rerun.`
    );
  const status = statusOf(e);
  if (status === 401)
    return (
      `The Kubernetes API at ${server} refused our credentials (401 Unauthorized) when trying to ${what}: ` +
      "give the runner's IAM principal an EKS access entry (or an aws-auth mapping) on this cluster, " +
      'or pass a working kubeconfig.'
    );
  if (status === 403)
    return (
      `The Kubernetes API at ${server} forbids it (403) when trying to ${what}: ${messageOf(e)}. ` +
      "Give the runner's IAM principal an EKS access entry with a policy that may get, create and patch " +
      'service accounts and namespaces.'
    );
  const cause = (e as { cause?: { code?: string } })?.cause?.code ?? (e as { code?: unknown })?.code;
  if (typeof cause === 'string') return `Could not reach the Kubernetes API at ${server} to ${what} (${cause}).`;
  return `Kubernetes could not ${what}${status ? ` (${status})` : ''}: ${messageOf(e)}`;
}
