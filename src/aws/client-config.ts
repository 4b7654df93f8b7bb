/** One config for every AWS client meshctl builds. No SDK import here: clients load lazily. */
export interface AwsConfig {
  region?: string;
  profile?: string;
  /** --endpoint-url, else AWS_ENDPOINT_URL (steps/context.ts decides). */
  endpointUrl?: string;
  /** Receives one line per AWS call when --verbose is on. */
  log?: (line: string) => void;
  /** AWS_MAX_ATTEMPTS, as the SDKs and the AWS CLI read it; else DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/** The constructor options every SDK client gets: adaptive retry so throttling slows meshctl down instead of failing it. */
export function clientOptions(config: AwsConfig): Record<string, unknown> {
  return {
    ...(config.region ? { region: config.region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
    maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
  };
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Logs each call with its duration and retry count (never its input, which may hold secrets). */
export function addCallLogging(client: MiddlewareClient, service: string, log: ((line: string) => void) | undefined): void {
  if (!log) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = (context.commandName ?? 'call').replace(/Command$/, '');
      const start = performance.now();
      try {
        const out = (await next(args)) as { output?: { $metadata?: { attempts?: number } } };
        const attempts = out.output?.$metadata?.attempts ?? 1;
        log(`aws ${service}.${op} ${Math.round(performance.now() - start)}ms${attempts > 1 ? ` (${attempts} attempts)` : ''}`);
        return out;
      } catch (err) {
        const e = err as { name?: string; $metadata?: { attempts?: number } };
        log(
          `aws ${service}.${op} failed after ${Math.round(performance.now() - start)}ms: ${e.name ?? 'Error'}${e.$metadata?.attempts ? ` (${e.$metadata.attempts} attempts)` : ''}`,
        );
        throw err;
      }
    },
    { step: 'initialize', name: 'meshctlCallLogging' },
  );
}
