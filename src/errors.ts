/** Every error meshctl means to show a user; main.ts turns each into its exit code. */
export abstract class MeshctlError extends Error {
  abstract readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A check failed (verify saw no envoy, a task stopped, a rollout failed). */
export class CheckFailedError extends MeshctlError {
  readonly exitCode = 1;
}

/** A wait ran out of time. */
export class TimeoutError extends MeshctlError {
  readonly exitCode = 1;
}

/** Bad flags or arguments; `problems` lists each one when a validation pass found several. */
export class UsageError extends MeshctlError {
  readonly exitCode = 2;
  readonly problems: readonly string[];
  constructor(message: string, options?: { cause?: unknown; problems?: readonly string[] }) {
    super(message, options);
    this.problems = options?.problems ?? [message];
  }

  /** Every problem one validation pass found, as one error: the message lists them all. */
  static of(problems: readonly string[]): UsageError {
    if (problems.length === 1) return new UsageError(problems[0]!);
    const list = problems.map((p) => `  - ${p.replaceAll('\n', '\n    ')}`).join('\n');
    return new UsageError(`${problems.length} problems with the input; nothing was done:\n${list}`, { problems });
  }
}

/** A file or value given to meshctl is malformed. */
export class InputError extends MeshctlError {
  readonly exitCode = 2;
}

/** AWS refused a call, or still failed after the SDK's retries. */
export class AwsCallError extends MeshctlError {
  readonly exitCode = 3;
  constructor(
    readonly operation: string,
    readonly errorName: string,
    readonly httpStatus: number | undefined,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  /** Throttling, a 5xx or a lost connection: the same call may work when tried again. */
  get retryable(): boolean {
    return (
      (this.httpStatus !== undefined && this.httpStatus >= 500) ||
      this.httpStatus === 429 ||
      /Throttl|TooManyRequests|RequestLimitExceeded|ServiceUnavailable|InternalError|ServerException|TimeoutError|^E[A-Z]+$/.test(
        this.errorName,
      )
    );
  }
}

/** SIGINT or SIGTERM arrived while meshctl was working. */
export class InterruptedError extends MeshctlError {
  readonly exitCode = 130;
}

/** What a command's report holds: `data` for --json, `lines` for people (the Report of ui/output.ts). */
export interface FailureReport {
  data: Record<string, unknown>;
  lines: string[];
}

/**
 * A command's failure, built once by the command's action: the cause (whose exit code it keeps), the
 * report of what was done, and the command that resumes or retries. main.ts prints all three.
 */
export class CommandFailedError extends MeshctlError {
  readonly exitCode: number;
  constructor(
    override readonly cause: MeshctlError,
    readonly report?: FailureReport,
    readonly next?: string,
    /** The text to print, when it is not the cause's message (a step's failure names the step once). */
    message?: string,
    /** How `next` is introduced: it resumes, or (after a rollback) retries, or finishes what failed. */
    readonly nextLabel = 'resume with',
  ) {
    super(message ?? cause.message, { cause });
    this.exitCode = cause.exitCode;
  }
}
