/**
 * The kinds of failure --json names, one per error class (the class name without `Error`, in
 * kebab-case); `bug` is any error that is not a MeshctlError. Listed in docs/json-output.md and in
 * schemas/error.json. Each class says its own, beside its exit code: --json keys must not depend on how
 * the bundle is built (minified, names kept or not), so the kind is never read from the class name.
 */
export const ERROR_KINDS = ['usage', 'input', 'check-failed', 'timeout', 'aws-call', 'interrupted', 'bug'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What a command reports: `data` for --json, `lines` for people (printed by ui/output.ts). */
export interface Report {
  data: Record<string, unknown>;
  lines: string[];
}

/** Every error meshctl means to show a user; main.ts turns each into its exit code and --json kind. */
export abstract class MeshctlError extends Error {
  abstract readonly exitCode: number;
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A check failed (verify saw no envoy, a task stopped, a rollout failed). */
export class CheckFailedError extends MeshctlError {
  readonly exitCode = 1;
  readonly kind = 'check-failed';
}

/** A wait ran out of time. */
export class TimeoutError extends MeshctlError {
  readonly exitCode = 1;
  readonly kind = 'timeout';
}

/** Bad flags or arguments; `problems` lists each one when a validation pass found several. */
export class UsageError extends MeshctlError {
  readonly exitCode = 2;
  readonly kind = 'usage';
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
  readonly kind = 'input';
}

/** AWS refused a call, or still failed after the SDK's retries. */
export class AwsCallError extends MeshctlError {
  readonly exitCode = 3;
  readonly kind = 'aws-call';
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
  readonly kind = 'interrupted';
}

/**
 * A command's failure, built once by the command's action: the cause (whose exit code it keeps), the
 * report of what was done, and the command that resumes or retries. main.ts prints all three.
 */
export class CommandFailedError extends MeshctlError {
  readonly exitCode: number;
  readonly kind: ErrorKind;
  constructor(
    override readonly cause: MeshctlError,
    readonly report?: Report,
    readonly next?: string,
    /** The text to print, when it is not the cause's message (a step's failure names the step once). */
    message?: string,
    /** How `next` is introduced: it resumes, or (after a rollback) retries, or finishes what failed. */
    readonly nextLabel = 'resume with',
  ) {
    super(message ?? cause.message, { cause });
    this.exitCode = cause.exitCode;
    this.kind = cause.kind;
  }
}
