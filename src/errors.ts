// Failure messages: one line, naming the cause.

/** A failure the program explains itself (no stack trace is useful to the user). */
export class RunError extends Error {}

export function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message || e.name : String(e);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
