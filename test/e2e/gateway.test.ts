import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { useMotoWorkshop } from '../support/moto-workshop.js';
import { sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop();
const { cli } = env;
const GATEWAY = [
  'add-envoy',
  '--virtual-gateway',
  'gateway',
  '--mesh',
  'local-mesh',
  '--family',
  'gateway-task',
  '--task-role-arn',
  'arn:aws:iam::123456789012:role/gw-task',
  '--execution-role-arn',
  'arn:aws:iam::123456789012:role/gw-exec',
  '--listener-port',
  '8088',
];

describe('add-envoy --virtual-gateway against moto', () => {
  it('writes the Envoy-only task definition offline with --dry-run', async () => {
    const out = join(env.ws.dir, 'gw.json');
    const r = await cli([...GATEWAY, '--dry-run', '--write', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /dry run: would register gateway-task for arn:aws:appmesh:us-west-2:123456789012:mesh\/local-mesh\/virtualGateway\/gateway on port 8088/,
    );
    const td = JSON.parse(readFileSync(out, 'utf8'));
    expect(td.containerDefinitions).toHaveLength(1);
    expect(td.containerDefinitions[0]).toMatchObject({
      name: 'envoy',
      environment: [
        { name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:us-west-2:123456789012:mesh/local-mesh/virtualGateway/gateway' },
      ],
      portMappings: [{ containerPort: 8088, protocol: 'tcp' }],
      healthCheck: { command: ['CMD-SHELL', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'] },
    });
    expect(td).not.toHaveProperty('proxyConfiguration');
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('registers it once; a second run registers nothing', async () => {
    // moto has no virtual gateways, so the existence check is skipped here (tested with mocks).
    const r = await cli([...GATEWAY, '--skip-mesh-check', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const arn = JSON.parse(r.stdout).taskDefinitionArn;
    const td = await sdkClients(env.moto.url).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    expect(td.taskDefinition!.containerDefinitions!.map((c) => c.name)).toEqual(['envoy']);
    const again = await cli([...GATEWAY, '--skip-mesh-check']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^unchanged: .*gateway-task:1 already runs/);
    expect(
      (await sdkClients(env.moto.url).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'gateway-task' }))).taskDefinitionArns,
    ).toHaveLength(1);
  });

  it.each([
    [['--family'], /--family is needed with --virtual-gateway/],
    [['--task-role-arn'], /--task-role-arn is needed/],
  ])('refuses a gateway without %j', async (drop, message) => {
    const args = GATEWAY.filter((a, i) => !drop.includes(a) && !drop.includes(GATEWAY[i - 1]!));
    const r = await cli([...args, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
