/**
 * Is this command talking to a `meshctl sandbox`? Pure: the flags and the environment go in. Loaded by
 * every command that calls AWS (through runtime/context.ts), so it imports nothing.
 */

/** The variable `meshctl sandbox up` exports: the sandbox's endpoint (any other non-empty value means "AWS_ENDPOINT_URL's"). */
export const SANDBOX_VARIABLE = 'MESHCTL_SANDBOX';
/** The named profile `meshctl sandbox up` writes into its own config file. */
export const SANDBOX_PROFILE = 'meshctl-sandbox';

/** The sandbox a command talks to: its endpoint, or the profile that points at it. */
export interface SandboxTarget {
  endpoint?: string;
  profile?: string;
}

const trimSlash = (url: string) => url.trim().replace(/\/+$/, '');

/**
 * The sandbox a command with these flags talks to, or undefined: the endpoint in use (--endpoint-url,
 * else AWS_ENDPOINT_URL) is the one MESHCTL_SANDBOX names, or there is no endpoint and the profile is
 * meshctl-sandbox (whose endpoint_url the SDK reads from the sandbox's config file).
 */
export function sandboxOf(
  flags: { endpointUrl?: string; profile?: string },
  env: Readonly<Record<string, string | undefined>>,
): SandboxTarget | undefined {
  const endpoint = flags.endpointUrl ?? (env.AWS_ENDPOINT_URL || undefined);
  const marked = env[SANDBOX_VARIABLE]?.trim();
  if (endpoint !== undefined && marked) {
    const sandbox = /^https?:\/\//i.test(marked) ? marked : env.AWS_ENDPOINT_URL;
    return sandbox !== undefined && trimSlash(sandbox) === trimSlash(endpoint) ? { endpoint } : undefined;
  }
  const profile = flags.profile ?? (env.AWS_PROFILE || undefined);
  return endpoint === undefined && profile === SANDBOX_PROFILE ? { profile } : undefined;
}

/** The one line a command prints (stderr) before its first call to the sandbox. */
export function sandboxNotice(target: SandboxTarget): string {
  const where = target.endpoint !== undefined ? `moto at ${target.endpoint}` : `profile ${target.profile}`;
  return `sandbox: talking to the local meshctl sandbox (${where}), not to AWS`;
}

/**
 * `clients` (an object of client factories, AwsClients) that says sandboxNotice once, before the first
 * factory is used: commands that end before any AWS call (bad input, --dry-run offline) say nothing.
 */
export function announceSandbox<T extends object>(clients: T, target: SandboxTarget | undefined, say: (line: string) => void): T {
  if (target === undefined) return clients;
  let said = false;
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(clients)) {
    wrapped[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            if (!said) say(sandboxNotice(target));
            said = true;
            return (value as (...a: unknown[]) => unknown).apply(clients, args);
          }
        : value;
  }
  return wrapped as T;
}

/**
 * verify's reason in the sandbox when the SSM command printed nothing: moto's SendCommand records the
 * command and reports Success without running it, so there is no curl output to judge.
 */
export const SANDBOX_SSM_NO_OUTPUT =
  'the check printed no output, which is the expected end in the sandbox: its emulator (moto) accepts SSM SendCommand ' +
  'and reports Success but runs nothing on the instance, so nothing was curled; against AWS this step shows whether envoy answered';
