import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { createAutoScalingApi } from '../../src/aws/auto-scaling.js';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { IAMClient } from '@aws-sdk/client-iam';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { createIamApi } from '../../src/aws/iam.js';
import { createMeshResourceApi } from '../../src/aws/mesh-resources.js';
import { createServiceDiscoveryApi } from '../../src/aws/service-discovery.js';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { createAppMeshApi } from '../../src/aws/app-mesh.js';
import { createAwsClients, type AwsClients } from '../../src/aws/clients.js';
import { createEc2Api } from '../../src/aws/ec2.js';
import { createElbv2Api } from '../../src/aws/elbv2.js';
import { createRoute53Api } from '../../src/aws/route53.js';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createCloudWatchApi } from '../../src/aws/cloudwatch.js';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { createCloudFormationApi } from '../../src/aws/cloudformation.js';
import { createEcsApi } from '../../src/aws/ecs.js';
import { createSsmApi } from '../../src/aws/ssm.js';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createEventBridgeApi } from '../../src/aws/eventbridge.js';
import { createSchedulerApi } from '../../src/aws/scheduler.js';
import { ACMClient } from '@aws-sdk/client-acm';
import { createAcmApi } from '../../src/aws/acm.js';
import { createContext, type Deps } from '../../src/runtime/context.js';
import type { PollClock } from '../../src/core/poll.js';
import { buildProgram, reportError } from '../../src/main.js';
import { createUi, type UiFacts } from '../../src/ui/output.js';

/** A stream that keeps what was written, as a terminal or CI log would show it. */
export function captureStream(): PassThrough & { text(): string } {
  const stream = new PassThrough() as PassThrough & { text(): string };
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  stream.text = () => text;
  return stream;
}

/** A clock that moves only when meshctl sleeps. */
export function fakeClock(): PollClock & { slept: number[] } {
  let t = 1_700_000_000_000;
  const slept: number[] = [];
  return { slept, now: () => t, random: () => 0.5, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
}

const config = { region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };

/** AWS clients whose SDK clients aws-sdk-client-mock intercepts. */
export function mockedAwsClients(): AwsClients {
  return {
    ecs: async () => createEcsApi(new ECSClient(config)),
    ec2: async () => createEc2Api(new EC2Client(config)),
    autoScaling: async () => createAutoScalingApi(new AutoScalingClient(config)),
    ssm: async () => createSsmApi(new SSMClient(config)),
    appMesh: async () => createAppMeshApi(createMeshResourceApi(new AppMeshClient(config))),
    iam: async () => createIamApi(new IAMClient(config)),
    meshResources: async () => createMeshResourceApi(new AppMeshClient(config)),
    serviceDiscovery: async () => createServiceDiscoveryApi(new ServiceDiscoveryClient(config)),
    elbv2: async () => createElbv2Api(new ElasticLoadBalancingV2Client(config)),
    route53: async () => createRoute53Api(new Route53Client(config)),
    cloudWatch: async () => createCloudWatchApi(new CloudWatchClient(config)),
    cloudFormation: async () => createCloudFormationApi(new CloudFormationClient(config)),
    eventBridge: async () => createEventBridgeApi(new EventBridgeClient(config)),
    scheduler: async () => createSchedulerApi(new SchedulerClient(config)),
    acm: async () => createAcmApi(new ACMClient(config)),
  };
}

export interface FakeDepsOptions {
  env?: Deps['env'];
  awsClients?: Deps['awsClients'];
}

/**
 * What main() gives a command, without a terminal: captured streams, a fake clock, the UI facts the
 * arguments ask for (--json, --verbose), and by default no environment and mocked AWS (`options` gives others).
 */
export function fakeDeps(args: readonly string[] = [], facts: Partial<UiFacts> = {}, options: FakeDepsOptions = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const ui = createUi(
    { stderrIsTTY: false, ci: true, json: args.includes('--json'), color: false, verbose: args.includes('--verbose'), ...facts },
    { stdout, stderr },
  );
  const clock = fakeClock();
  const deps: Deps = {
    ui,
    clock,
    signal: new AbortController().signal,
    env: options.env ?? {},
    argv: args,
    awsClients: options.awsClients ?? (() => mockedAwsClients()),
  };
  return { deps, ui, stdout, stderr, clock };
}

/** A step's context as a command builds it (region us-west-2), with mocked AWS, a fake clock and captured streams. */
export function mockedContext() {
  return createContext({ region: 'us-west-2' }, fakeDeps().deps);
}

/**
 * runInProcess with the real AWS clients at `endpoint` (a dead or recording one) and a test key pair; `env`
 * adds to or (undefined) takes from that environment.
 */
export function runWithRealAws(args: string[], endpoint: string, env: Record<string, string | undefined> = {}) {
  const all = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    ...env,
  };
  const defined = Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
  return runInProcess(args, {}, { env: defined, awsClients: createAwsClients });
}

/** Runs one meshctl command in-process as main() does (see fakeDeps): its exit code and what it printed. */
export async function runInProcess(args: string[], facts: Partial<UiFacts> = {}, options: FakeDepsOptions = {}) {
  const { deps, ui, stdout, stderr, clock } = fakeDeps(args, facts, options);
  let code = 0;
  try {
    await (await buildProgram(deps, args)).parseAsync(args, { from: 'user' });
  } catch (err) {
    code = reportError(err, ui, args);
  }
  return { code, stdout: stdout.text(), stderr: stderr.text(), clock };
}

/**
 * Sets these variables in the process's environment for the file's tests and puts the old values back
 * after them: the SDK reads its key pair and endpoint from there, as it does under main(). A file that calls
 * it runs isolated (vitest.config.ts looks for the name).
 */
export function useProcessEnv(variables: () => Record<string, string>): void {
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    for (const [name, value] of Object.entries(variables())) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  });
  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
