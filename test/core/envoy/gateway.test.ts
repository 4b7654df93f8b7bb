import { describe, expect, it } from 'vitest';
import { renderGatewayTaskDefinition, virtualGatewayArn } from '../../../src/core/envoy/gateway.js';

const base = {
  family: 'gw',
  mesh: 'local-mesh',
  virtualGateway: 'gateway',
  region: 'eu-west-1',
  taskRoleArn: 'arn:aws:iam::111122223333:role/gw-task',
  executionRoleArn: 'arn:aws:iam::111122223333:role/gw-exec',
  listenerPort: 8080,
  envoyImage: 'e:v1.29',
  cpu: '256',
  memory: '512',
};

describe('renderGatewayTaskDefinition', () => {
  it('renders one envoy container for the gateway, its port mapped, no proxy configuration', () => {
    const td = renderGatewayTaskDefinition(base);
    expect(td).toMatchObject({
      family: 'gw',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      taskRoleArn: base.taskRoleArn,
      executionRoleArn: base.executionRoleArn,
    });
    expect(td.containerDefinitions).toHaveLength(1);
    expect(td.containerDefinitions![0]!.environment).toEqual([
      { name: 'APPMESH_RESOURCE_ARN', value: 'arn:aws:appmesh:eu-west-1:111122223333:mesh/local-mesh/virtualGateway/gateway' },
    ]);
    expect(td.containerDefinitions![0]!.portMappings).toEqual([{ containerPort: 8080, protocol: 'tcp' }]);
    expect(td.proxyConfiguration).toBeUndefined();
  });

  it('takes a full gateway ARN as given (a mesh shared from another account)', () => {
    const arn = 'arn:aws:appmesh:eu-west-1:999988887777:mesh/shared/virtualGateway/edge';
    expect(virtualGatewayArn({ ...base, virtualGateway: arn })).toBe(arn);
  });

  it('needs a role ARN to know the account', () => {
    expect(() => virtualGatewayArn({ ...base, taskRoleArn: 'gw-task' })).toThrow(/is not an IAM role ARN/);
  });
});
