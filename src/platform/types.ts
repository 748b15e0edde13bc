import type { InputReader, OutputName } from '../inputs/spec.js';

/** How the core speaks: everything it prints goes through here, so secrets can be kept out. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  /** A line that should stand out (a change made). */
  notice(message: string): void;
  debug(message: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** A host the program runs in: GitHub Actions, an Octopus step, or a terminal. */
export interface Platform {
  readonly name: 'github' | 'octopus' | 'cli';
  readonly readInput: InputReader;
  readonly log: Log;
  setOutputs(outputs: Partial<Record<OutputName, string>>): void;
  /** Markdown report of the run (job summary on GitHub). */
  writeSummary(markdown: string): Promise<void>;
  /** Ends the run as failed with one line naming the cause (exit code 1). */
  fail(message: string): void | Promise<void>;
  /**
   * Tags naming the pipeline run, put on what the run creates (never rewritten later): the GitHub repository,
   * workflow and run, or the Octopus server, project and task. Keys from plan/ownership.ts; none for the CLI.
   */
  readonly provenance: Readonly<Record<string, string>>;
}
