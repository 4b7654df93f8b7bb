/** Every error meshctl means to show a user; main.ts turns each into its exit code. */
export abstract class MeshctlError extends Error {
  abstract readonly exitCode: number;
  /** What the command did before it failed: printed on stdout (one JSON object with --json). */
  report?: { data: Record<string, unknown>; lines: string[] };
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A check failed (verify saw no envoy, a task stopped, a rollout failed). */
export class CheckFailedError extends MeshctlError {
  readonly exitCode = 1;
  constructor(message: string, readonly details?: unknown) {
    super(message);
  }
}

/** A wait ran out of time. */
export class TimeoutError extends MeshctlError {
  readonly exitCode = 1;
  constructor(message: string, readonly details?: unknown) {
    super(message);
  }
}

/** Bad flags or arguments. */
export class UsageError extends MeshctlError {
  readonly exitCode = 2;
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
      /Throttl|TooManyRequests|RequestLimitExceeded|ServiceUnavailable|InternalError|ServerException|TimeoutError|^E[A-Z]+$/.test(this.errorName)
    );
  }
}

/** SIGINT or SIGTERM arrived while meshctl was working. */
export class InterruptedError extends MeshctlError {
  readonly exitCode = 130;
}

/** A step of a multi-step command failed; carries what was done so the user can resume. */
export class StepFailedError extends MeshctlError {
  readonly exitCode: number;
  constructor(
    readonly failure: MeshctlError,
    readonly step: string,
    readonly resumeCommand: string,
  ) {
    // "verify failed: verify: …" says the step twice; the failure's own prefix goes.
    super(failure instanceof InterruptedError ? `interrupted during ${step}` : `${step} failed: ${failure.message.startsWith(`${step}: `) ? failure.message.slice(step.length + 2) : failure.message}`);
    this.exitCode = failure.exitCode;
  }
}
