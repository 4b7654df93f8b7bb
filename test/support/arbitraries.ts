import fc from 'fast-check';

const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,14}$/).filter((n) => n !== 'envoy');

/** A DescribeTaskDefinition answer as AWS gives it for a Fargate task, with read-only fields and tags. */
export const describedTaskDefinition = fc
  .record({
    family: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    names: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
    ports: fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 3 }),
    env: fc.array(fc.record({ name: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,12}$/), value: fc.string({ maxLength: 20 }) }), { maxLength: 3 }),
    appDependsOnSecond: fc.boolean(),
    revision: fc.integer({ min: 1, max: 500 }),
    tags: fc.array(fc.record({ key: fc.stringMatching(/^[a-z]{1,8}$/), value: fc.string({ maxLength: 8 }) }), { maxLength: 3 }),
    taskRole: fc.option(fc.constant('arn:aws:iam::123456789012:role/app'), { nil: undefined }),
  })
  .map(({ family, names, ports, env, appDependsOnSecond, revision, tags, taskRole }) => ({
    taskDefinition: {
      taskDefinitionArn: `arn:aws:ecs:us-west-2:123456789012:task-definition/${family}:${revision}`,
      family,
      revision,
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
      cpu: '256',
      memory: '512',
      ...(taskRole ? { taskRoleArn: taskRole } : {}),
      registeredAt: '2026-01-01T00:00:00Z',
      registeredBy: 'arn:aws:iam::123456789012:user/me',
      containerDefinitions: names.map((n, i) => ({
        name: n,
        image: `example/${n}:1`,
        essential: i === 0,
        ...(i === 0 && ports.length
          ? { portMappings: [...new Set(ports)].map((containerPort) => ({ containerPort, protocol: 'tcp' })) }
          : {}),
        ...(env.length ? { environment: env } : {}),
        ...(i === 0 && appDependsOnSecond && names[1] ? { dependsOn: [{ containerName: names[1], condition: 'START' }] } : {}),
      })),
    },
    tags,
  }));
