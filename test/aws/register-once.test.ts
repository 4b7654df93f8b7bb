import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '../../src/runtime/context.js';
import { registerOrReuse } from '../../src/steps/register-once.js';
import { createUi } from '../../src/ui/output.js';
import { captureStream, fakeClock, mockedAwsClients } from '../support/fake-deps.js';

// The migrated revision registered at most once: reused when the family's latest already is it, and two
// applies that registered at the same time end on the earlier of their two revisions.
const ecs = mockClient(ECSClient);
const FAMILY = 'crystal';
const arn = (rev: number, family = FAMILY) => `arn:aws:ecs:us-west-2:123456789012:task-definition/${family}:${rev}`;
const app = (image: string) => ({
  name: 'app',
  image,
  essential: true,
  portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' as const }],
});
const input = { family: FAMILY, networkMode: 'awsvpc' as const, containerDefinitions: [app('crystal:2')] };
const revision = (rev: number, image = 'crystal:2', extra: Partial<TaskDefinition> = {}): TaskDefinition => ({
  ...input,
  containerDefinitions: [app(image)],
  taskDefinitionArn: arn(rev),
  revision: rev,
  status: 'ACTIVE',
  ...extra,
});

function context(): Context {
  const ui = createUi(
    { stderrIsTTY: false, ci: true, json: false, color: false, verbose: false },
    { stdout: captureStream(), stderr: captureStream() },
  );
  return { ui, aws: mockedAwsClients(), clock: fakeClock(), signal: new AbortController().signal, checkpoint() {} } as unknown as Context;
}

beforeEach(() => ecs.reset());

describe('registerOrReuse', () => {
  it('reuses the family’s latest revision when it is what the input registers (an apply after an abort)', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: FAMILY })
      .resolves({ taskDefinition: revision(3, 'crystal:2', { volumes: [] }) });
    expect(await registerOrReuse(context(), input)).toEqual({ arn: arn(3), how: 'reused' });
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  it('registers when the latest differs (the App Mesh revision, with envoy), and keeps its own when nothing else raced it', async () => {
    const envoy = revision(2, 'crystal:2', { proxyConfiguration: { type: 'APPMESH', containerName: 'envoy' } });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: FAMILY }).resolves({ taskDefinition: envoy });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: revision(3) });
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [arn(1), arn(2), arn(3), arn(1, 'crystal-other')] });
    expect(await registerOrReuse(context(), input)).toEqual({ arn: arn(3), how: 'registered' });
    expect(ecs).not.toHaveReceivedCommand(DeregisterTaskDefinitionCommand);
  });

  it('after a race, takes the earlier identical revision and deregisters its own', async () => {
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: FAMILY }).resolves({ taskDefinition: revision(2, 'crystal:1') });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: revision(5) });
    // 3: another apply's, the same; 4: something else registered in between.
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [arn(2), arn(3), arn(4), arn(5)] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: arn(3) }).resolves({ taskDefinition: revision(3) });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: arn(4) }).resolves({ taskDefinition: revision(4, 'other:1') });
    expect(await registerOrReuse(context(), input)).toEqual({ arn: arn(3), how: 'raced', dropped: arn(5) });
    expect(ecs).toHaveReceivedCommandWith(DeregisterTaskDefinitionCommand, { taskDefinition: arn(5) });
  });

  it('keeps its own when the earlier revisions in between differ', async () => {
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: FAMILY }).resolves({ taskDefinition: revision(2, 'crystal:1') });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: revision(4) });
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [arn(2), arn(3), arn(4)] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: arn(3) }).resolves({ taskDefinition: revision(3, 'other:1') });
    expect(await registerOrReuse(context(), input)).toEqual({ arn: arn(4), how: 'registered' });
    expect(ecs).not.toHaveReceivedCommand(DeregisterTaskDefinitionCommand);
  });
});
