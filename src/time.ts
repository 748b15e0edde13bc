// Waits the program makes on purpose (IAM propagation, stability re-reads, polling, Kubernetes retries).

/** Tests shrink every wait with EKS_POD_IAM_TIME_SCALE (e.g. 0.01); a user never needs it. */
export function delayScale(): number {
  const s = Number(process.env.EKS_POD_IAM_TIME_SCALE);
  return Number.isFinite(s) && s > 0 ? s : 1;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms * delayScale()));
