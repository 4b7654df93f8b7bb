import { escapeControls } from '../core/escape.js';
import { regionOfRegionalArn } from '../core/endpoint-url.js';
import { UsageError } from '../errors.js';

/** One config for every AWS client meshctl builds. No SDK import here: clients load lazily. */
export interface AwsConfig {
  /** --region, else AWS_REGION / AWS_DEFAULT_REGION; undefined leaves it to the SDK (the profile's region). */
  region?: string;
  /** Where `region` came from (`--region`, `AWS_REGION`...), for messages; shared-config.ts fills it in otherwise. */
  regionFrom?: string;
  /** --profile, else AWS_PROFILE: handed to every client, which reads credentials and region for it. */
  profile?: string;
  /** `--profile` or `AWS_PROFILE`, for messages. */
  profileFrom?: string;
  /**
   * The endpoint of this client: --endpoint-url when given (runtime/context.ts); else the one the SDK's
   * configuration chain gives for the service (shared-config.ts: AWS_ENDPOINT_URL_<SERVICE>,
   * AWS_ENDPOINT_URL, the profile's services section, its endpoint_url), or undefined for AWS.
   */
  endpointUrl?: string;
  /** Where `endpointUrl` came from, for --verbose and messages. */
  endpointFrom?: string;
  /** Receives one line per AWS call when --verbose is on. */
  log?: (line: string) => void;
  /** AWS_MAX_ATTEMPTS, as the SDKs and the AWS CLI read it; else DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Static credentials instead of the SDK's chain: only the sandbox's dummy pair (moto checks no signature). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * The SDK's service id of each client meshctl builds (its `config.serviceId`, checked by
 * test/aws/shared-config.test.ts): AWS_ENDPOINT_URL_<id upper-cased, spaces as _> and the
 * `<id lower-cased, spaces as _> =` key of a `[services]` section name its endpoint.
 */
export const SERVICE_IDS = {
  ecs: 'ECS',
  ec2: 'EC2',
  autoScaling: 'Auto Scaling',
  ssm: 'SSM',
  appMesh: 'App Mesh',
  iam: 'IAM',
  serviceDiscovery: 'ServiceDiscovery',
  elbv2: 'Elastic Load Balancing v2',
  route53: 'Route 53',
  cloudWatch: 'CloudWatch',
  cloudFormation: 'CloudFormation',
  eventBridge: 'EventBridge',
  scheduler: 'Scheduler',
  acm: 'ACM',
} as const;

export type ServiceName = keyof typeof SERVICE_IDS;

/** The constructor options every SDK client gets: adaptive retry so throttling slows meshctl down instead of failing it. */
export function clientOptions(config: AwsConfig): Record<string, unknown> {
  return {
    ...(config.region ? { region: config.region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
    maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
  };
}

interface MiddlewareClient {
  config?: { region?: () => Promise<string> };
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority?: 'high' },
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

/**
 * Refuses, before it is sent, a call whose input names a regional ARN (a task definition, service,
 * cluster, target group...) of another region than the client's: AWS would answer a bare
 * `ClientException: Unable to describe task definition` or a NotFound. Only top-level fields are read:
 * nested values (a container's secret ARN) may lawfully live in other regions. Exit 2, both regions named.
 */
export function addRegionCheck(client: MiddlewareClient, config: Pick<AwsConfig, 'regionFrom'>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args as { input?: Record<string, unknown> }).input ?? {};
      const arns = Object.entries(input).flatMap(([field, value]) =>
        (Array.isArray(value) ? value : [value]).flatMap((v) => {
          const region = typeof v === 'string' ? regionOfRegionalArn(v) : undefined;
          return region ? [{ field, arn: v as string, region }] : [];
        }),
      );
      if (arns.length > 0) {
        // A region the SDK cannot resolve is left to the call itself, which says so ("no AWS region", exit 2).
        const region = await client.config?.region?.().catch(() => undefined);
        const other = region === undefined ? undefined : arns.find((a) => a.region !== region);
        if (other && region !== undefined) {
          const op = (context.commandName ?? 'call').replace(/Command$/, '');
          const from = config.regionFrom ? ` (from ${config.regionFrom})` : '';
          throw new UsageError(
            `${op}: ${other.field} ${escapeControls(other.arn)} is in region ${other.region}, but meshctl is using region ${region}${from}; ` +
              `pass --region ${other.region}, or name a resource of ${region}`,
          );
        }
      }
      return next(args);
    },
    // Before the call logging: a call refused here was never made.
    { step: 'initialize', name: 'meshctlRegionCheck', priority: 'high' },
  );
}

/**
 * One SDK client of meshctl's: `Client` with the options of `config` (over them `overrides`), its calls logged
 * with --verbose under `service`, and ARNs of another region refused before they are sent.
 */
export function connectClient<C>(
  Client: new (options: Record<string, unknown>) => C,
  service: string,
  config: AwsConfig,
  overrides: Record<string, unknown> = {},
): C {
  const client = new Client({ ...clientOptions(config), ...overrides });
  addCallLogging(client as MiddlewareClient, service, config.log);
  addRegionCheck(client as MiddlewareClient, config);
  return client;
}
