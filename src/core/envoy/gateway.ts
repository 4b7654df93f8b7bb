import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { InputError } from '../../errors.js';
import { envoyHealthCheck } from './render.js';
import { ENVOY_CONTAINER } from './proxy.js';

export interface GatewayOptions {
  family: string;
  mesh: string;
  /** A virtual gateway name, or its full ARN. */
  virtualGateway: string;
  region: string;
  taskRoleArn: string;
  executionRoleArn: string;
  listenerPort: number;
  envoyImage: string;
  cpu: string;
  memory: string;
}

/** The gateway's ARN: given, or built from the mesh, the region and the task role's account. */
export function virtualGatewayArn(o: Pick<GatewayOptions, 'virtualGateway' | 'mesh' | 'region' | 'taskRoleArn'>): string {
  if (o.virtualGateway.startsWith('arn:')) return o.virtualGateway;
  const account = /^arn:[^:]+:iam::(\d{12}):role\//.exec(o.taskRoleArn)?.[1];
  if (!account) throw new InputError(`--task-role-arn: "${o.taskRoleArn}" is not an IAM role ARN; it also tells the gateway's account`);
  return `arn:aws:appmesh:${o.region}:${account}:mesh/${o.mesh}/virtualGateway/${o.virtualGateway}`;
}

/**
 * Options in; the RegisterTaskDefinition input of the Envoy-only task a virtual gateway runs out:
 * APPMESH_RESOURCE_ARN of the gateway, its listener port mapped, envoy's health check, and no
 * proxyConfiguration (a gateway receives traffic directly, nothing is intercepted).
 */
export function renderGatewayTaskDefinition(o: GatewayOptions): RegisterTaskDefinitionCommandInput {
  return {
    family: o.family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: o.cpu,
    memory: o.memory,
    taskRoleArn: o.taskRoleArn,
    executionRoleArn: o.executionRoleArn,
    containerDefinitions: [
      {
        name: ENVOY_CONTAINER,
        image: o.envoyImage,
        essential: true,
        environment: [{ name: 'APPMESH_RESOURCE_ARN', value: virtualGatewayArn(o) }],
        portMappings: [{ containerPort: o.listenerPort, protocol: 'tcp' }],
        healthCheck: envoyHealthCheck(),
      },
    ],
  };
}
