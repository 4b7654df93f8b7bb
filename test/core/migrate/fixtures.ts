import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { ClusterPlanInput, ServiceFacts } from '../../../src/core/migrate/types.js';
import type { DescribedTaskDefinition } from '../../../src/core/task-definition.js';

// Plain data as DescribeTaskDefinition gives it, for the plan's "what would break" tests.

export const ACCOUNT = '123456789012';
export const tdArn = (family: string, revision: number) => `arn:aws:ecs:us-west-2:${ACCOUNT}:task-definition/${family}:${revision}`;

/** A revision of `family`: one app container on 8080 calling `env`, with envoy (node mesh/shop/virtualNode/<family>) unless told. */
export function revision(
  family: string,
  rev: number,
  opts: { envoy?: boolean; env?: Record<string, string>; fill?: Partial<TaskDefinition> } = {},
): DescribedTaskDefinition {
  const envoy = opts.envoy ?? true;
  const td: TaskDefinition = {
    taskDefinitionArn: tdArn(family, rev),
    family,
    revision: rev,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    requiresCompatibilities: ['FARGATE'],
    containerDefinitions: [
      {
        name: 'app',
        image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/${family}:v1`,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        environment: Object.entries(opts.env ?? {}).map(([name, value]) => ({ name, value })),
      },
      ...(envoy
        ? [
            {
              name: 'envoy',
              image: '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.0.0-prod',
              essential: true,
              environment: [
                { name: 'APPMESH_VIRTUAL_NODE_NAME', value: `mesh/shop/virtualNode/${family}` },
                { name: 'ENVOY_ADMIN_URL', value: 'http://admin.envoy.internal:9901' },
              ],
            },
          ]
        : []),
    ],
    ...(envoy
      ? {
          proxyConfiguration: {
            type: 'APPMESH',
            containerName: 'envoy',
            properties: [
              { name: 'IgnoredUID', value: '1337' },
              { name: 'AppPorts', value: '8080' },
            ],
          },
        }
      : {}),
    ...opts.fill,
  };
  return { taskDefinition: td };
}

/** An ECS service running `described`, registered in Cloud Map `local` under its own name. */
export function serviceFacts(name: string, described: DescribedTaskDefinition, extra: Partial<ServiceFacts> = {}): ServiceFacts {
  return {
    service: name,
    taskDefinitionArn: described.taskDefinition.taskDefinitionArn!,
    described,
    registries: [{ service: name, namespace: 'local', namespaceType: 'DNS_PRIVATE', port: 8080 }],
    loadBalancerDnsNames: [],
    ...extra,
  };
}

export function clusterInput(services: ServiceFacts[], extra: Partial<ClusterPlanInput> = {}): ClusterPlanInput {
  const names = services.map((s) => s.service);
  return {
    services,
    meshes: [],
    records: [],
    namespaces: [{ name: 'local', id: 'ns-local', type: 'DNS_PRIVATE', services: names }],
    overrides: {},
    ...extra,
  };
}
