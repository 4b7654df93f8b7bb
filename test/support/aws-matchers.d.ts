// aws-sdk-client-mock-jest 4.1 augments vitest's `Assertion`, which vitest 4 no longer reads for custom
// matchers; this declares the matchers meshctl's tests use on `Matchers`, where vitest 4 looks.
import 'vitest';

type CommandCtor = abstract new (...args: never[]) => unknown;

declare module 'vitest' {
  interface Matchers<T = unknown> {
    toHaveReceivedCommand(command: CommandCtor): T;
    toHaveReceivedCommandTimes(command: CommandCtor, times: number): T;
    toHaveReceivedCommandWith(command: CommandCtor, input: Record<string, unknown>): T;
    toHaveReceivedNthSpecificCommandWith(call: number, command: CommandCtor, input: Record<string, unknown>): T;
  }
}
