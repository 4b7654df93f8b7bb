import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { distinctServices } from '../../src/cli/options/common.js';
import { runInProcess } from '../support/fake-deps.js';

const ecs = mockClient(ECSClient);

beforeEach(() => {
  ecs.reset();
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: [],
    failures: input.services.map((arn) => ({ arn, reason: 'MISSING' })),
  }));
});

describe('a service named twice is taken once, with a note', () => {
  it('distinctServices keeps the first form of each, a name and its ARN as one', () => {
    const said: string[] = [];
    const arn = 'arn:aws:ecs:us-west-2:123456789012:service/c/a';
    expect(distinctServices(['a', 'b', 'a', arn, 'b'], (m) => said.push(m))).toEqual(['a', 'b']);
    expect(said).toEqual(['--service names a, b more than once; each service is taken once: a, b']);
    expect(distinctServices([arn, 'a'], () => undefined)).toEqual([arn]);
    expect(distinctServices(undefined, () => said.push('x'))).toBeUndefined();
    expect(distinctServices(['a', 'b'], () => said.push('x'))).toEqual(['a', 'b']);
    expect(said).toHaveLength(1);
  });

  it.each([
    ['migrate status', ['migrate', 'status']],
    ['migrate abort', ['migrate', 'abort', '--yes']],
  ])('%s reads each pair once', async (_name, command) => {
    const arn = 'arn:aws:ecs:us-west-2:123456789012:service/c/a';
    const r = await runInProcess([...command, '--cluster', 'c', '--service', 'a', '--service', 'a', '--service', arn, '--json']);
    expect(r.stderr).toContain('--service names a more than once; each service is taken once: a');
    const asked = ecs.commandCalls(DescribeServicesCommand).flatMap((c) => c.args[0].input.services ?? []);
    // Blue and its green, once each.
    expect(asked.sort()).toEqual(['a', 'a-sc']);
  });
});
