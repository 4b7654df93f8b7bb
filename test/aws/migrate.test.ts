import {
  AppMeshClient,
  DescribeGatewayRouteCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualServiceCommand,
  ListGatewayRoutesCommand,
  ListRoutesCommand,
  ListVirtualGatewaysCommand,
} from '@aws-sdk/client-app-mesh';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderEnvoy, toDescribed } from '../../src/core/render-envoy.js';
import { runInProcess } from '../support/fake-deps.js';

// moto returns no serviceConnectConfiguration and has no virtual services or gateways: these parts of
// migrate are tested here, against mocked AWS.
const ecs = mockClient(ECSClient);
const mesh = mockClient(AppMeshClient);

const plain = toDescribed(JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8')), 'fixture');
const ARN1 = plain.taskDefinition.taskDefinitionArn!;
const ARN2 = ARN1.replace(/:1$/, ':2');
const ARN3 = ARN1.replace(/:1$/, ':3');
const envoyTd = { taskDefinition: { ...renderEnvoy(plain, { mesh: 'local-mesh', virtualNode: 'products', envoyImage: 'e:v1.29' }).input, taskDefinitionArn: ARN2 } };
const CFN = ['--cluster', 'c', '--service', 'products'];

beforeEach(() => {
  ecs.reset();
  mesh.reset();
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'products', taskDefinition: ARN2, desiredCount: 2, serviceRegistries: [{ registryArn: 'arn:sd' }] }] });
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: ARN2 }).resolves(envoyTd as never);
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: ARN3 }).resolves({ taskDefinition: { ...plain.taskDefinition, taskDefinitionArn: ARN3 } });
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: ARN3 } });
  ecs.on(UpdateServiceCommand).resolves({ service: { serviceName: 'products', taskDefinition: ARN3, desiredCount: 2 } });
  ecs.on(ListTasksCommand).resolves({ taskArns: ['t1', 't2'] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: ['t1', 't2'].map((taskArn) => ({ taskArn, taskDefinitionArn: ARN3, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })) });
  mesh.on(DescribeVirtualNodeCommand).resolves({
    virtualNode: {
      status: { status: 'ACTIVE' },
      spec: {
        listeners: [{ portMapping: { port: 5000, protocol: 'http' } }],
        serviceDiscovery: { awsCloudMap: { namespaceName: 'local', serviceName: 'products' } },
        backends: [{ virtualService: { virtualServiceName: 'payments.local' } }],
      },
    },
  } as never);
  mesh.on(DescribeVirtualServiceCommand).resolves({ virtualService: { spec: { provider: { virtualRouter: { virtualRouterName: 'payments-router' } } } } } as never);
  mesh.on(ListRoutesCommand).resolves({ routes: [{ routeName: 'canary' }] } as never);
  mesh.on(DescribeRouteCommand).resolves({
    route: { spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'payments-v1', weight: 90 }, { virtualNode: 'payments-v2', weight: 10 }] }, retryPolicy: { maxRetries: 2 } } } },
  } as never);
  mesh.on(ListVirtualGatewaysCommand).resolves({ virtualGateways: [{ virtualGatewayName: 'gateway' }] } as never);
  mesh.on(ListGatewayRoutesCommand).resolves({ gatewayRoutes: [{ gatewayRouteName: 'products-route' }] } as never);
  mesh.on(DescribeGatewayRouteCommand).resolves({
    gatewayRoute: { spec: { httpRoute: { match: { prefix: '/metaapi' }, action: { target: { virtualService: { virtualServiceName: 'products.local' } } } } } },
  } as never);
});

describe('migrate with mocked AWS', () => {
  it('sends the Service Connect configuration with the envoy-free revision', async () => {
    const r = await runInProcess(['migrate', 'apply', ...CFN, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'c',
      service: 'products',
      taskDefinition: ARN3,
      serviceConnectConfiguration: {
        enabled: true,
        namespace: 'local',
        services: [{ portName: 'products', discoveryName: 'products', clientAliases: [{ port: 5000, dnsName: 'products.local' }] }],
      },
    });
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(registered.containerDefinitions!.map((c) => c.name)).toEqual(['crystal']);
    expect(registered.proxyConfiguration).toBeUndefined();
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'migrated', previousTaskDefinitionArn: ARN2, taskDefinitionArn: ARN3 });
  });

  it('points out weighted routes, retries and gateway routes with a suggestion each', async () => {
    const r = await runInProcess(['migrate', 'plan', ...CFN]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no equivalent: weighted route: payments\.local: route canary splits traffic over 2 targets; use an ECS blue\/green deployment/);
    expect(r.stdout).toMatch(/no equivalent: retry policy: payments\.local: route canary retries/);
    expect(r.stdout).toMatch(/no equivalent: gateway route: gateway gateway: route products-route \(\/metaapi\); put an Application Load Balancer/);
    expect(r.stdout).toMatch(/note: serviceRegistries are left as they are/);
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('rollback to the App Mesh revision turns Service Connect off', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'products', taskDefinition: ARN3, desiredCount: 2 }] });
    ecs.on(UpdateServiceCommand).resolves({ service: { serviceName: 'products', taskDefinition: ARN2, desiredCount: 2 } });
    ecs.on(DescribeTasksCommand).resolves({ tasks: ['t1', 't2'].map((taskArn) => ({ taskArn, taskDefinitionArn: ARN2, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })) });
    const r = await runInProcess(['rollback', ...CFN, '--to', ARN2]);
    expect(r.code, r.stderr).toBe(0);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition: ARN2, serviceConnectConfiguration: { enabled: false } });
  });
});
