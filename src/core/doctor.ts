import type { Service } from '@aws-sdk/client-ecs';
import { regionOfArn } from './arn.js';
import {
  EGRESS_IGNORED_IPS,
  ENVOY_CONTAINER,
  OLDEST_SUPPORTED_ENVOY_TAG,
  WORKSHOP_ENVOY_TAG,
  type DescribedTaskDefinition,
} from './render-envoy.js';
import { meshNodeOf, type VirtualNodeSpec } from './service-connect.js';

export const ENVOY_ACCESS_POLICY = 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess';

/** What doctor read from AWS, as plain data; undefined where it could not be read. */
export interface DoctorFacts {
  described: DescribedTaskDefinition;
  service?: Service;
  /** The task role: whether it exists and which policy (if any) allows appmesh:StreamAggregatedResources. */
  taskRole?: { name: string; exists: boolean; allowedBy?: string };
  virtualNode?: { mesh: string; name: string; exists: boolean; spec?: VirtualNodeSpec };
  /** The Cloud Map service behind the ECS service's first registry. */
  registry?: { namespace?: string; service?: string };
}

export interface CheckResult {
  id: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  title: string;
  detail: string;
  fix?: string;
}

/** An IAM policy document allows the action when a statement with Effect Allow names it, appmesh:* or *. */
export function policyAllows(document: unknown, action: string): boolean {
  const doc = (typeof document === 'string' ? JSON.parse(decodeURIComponent(document)) : document) as { Statement?: unknown };
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  const [service] = action.split(':');
  return statements.some((s: { Effect?: string; Action?: string | string[] }) => {
    if (s?.Effect !== 'Allow') return false;
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    return actions.some(
      (a) =>
        a === '*' ||
        a === action ||
        a === `${service}:*` ||
        (typeof a === 'string' && a.endsWith('*') && action.startsWith(a.slice(0, -1))),
    );
  });
}

const propertyOf = (facts: DoctorFacts, name: string) =>
  facts.described.taskDefinition.proxyConfiguration?.properties?.find((p) => p.name === name)?.value;

/** DoctorFacts in; one result per check, with a fix for each failure. */
export function runChecks(facts: DoctorFacts): CheckResult[] {
  const td = facts.described.taskDefinition;
  const containers = td.containerDefinitions ?? [];
  const envoy = containers.find((c) => c.name === ENVOY_CONTAINER);
  const app = containers.find((c) => c.name !== ENVOY_CONTAINER);
  const results: CheckResult[] = [];
  const add = (id: string, title: string, ok: boolean | 'skip' | 'warn', detail: string, fix?: string) =>
    results.push({
      id,
      title,
      status: ok === 'skip' ? 'skip' : ok === 'warn' ? 'warn' : ok ? 'pass' : 'fail',
      detail,
      ...(ok === true || ok === 'skip' ? {} : { fix }),
    });

  if (!envoy) {
    add(
      'envoy-container',
      'the task definition has an envoy container',
      false,
      `${td.taskDefinitionArn ?? td.family} has no container named envoy`,
      'run meshctl add-envoy, then meshctl update-service',
    );
    return results;
  }
  const role = facts.taskRole;
  if (!role)
    add(
      'task-role',
      'the task role allows appmesh:StreamAggregatedResources',
      false,
      'the task definition has no taskRoleArn',
      `give the task a role with ${ENVOY_ACCESS_POLICY} attached (taskRoleArn)`,
    );
  else if (!role.exists)
    add(
      'task-role',
      'the task role allows appmesh:StreamAggregatedResources',
      false,
      `role ${role.name} does not exist`,
      `create role ${role.name} for ecs-tasks.amazonaws.com and attach ${ENVOY_ACCESS_POLICY}`,
    );
  else
    add(
      'task-role',
      'the task role allows appmesh:StreamAggregatedResources',
      !!role.allowedBy,
      role.allowedBy
        ? `role ${role.name}: allowed by ${role.allowedBy}`
        : `role ${role.name} has no policy that allows appmesh:StreamAggregatedResources; envoy cannot fetch its configuration and the task fails its health check`,
      `aws iam attach-role-policy --role-name ${role.name} --policy-arn ${ENVOY_ACCESS_POLICY}`,
    );

  const node = meshNodeOf(facts.described);
  const vn = facts.virtualNode;
  if (!node)
    add(
      'virtual-node',
      'the virtual node envoy names exists',
      false,
      'envoy has no APPMESH_VIRTUAL_NODE_NAME (mesh/M/virtualNode/N)',
      'set APPMESH_VIRTUAL_NODE_NAME on the envoy container (meshctl add-envoy does)',
    );
  else
    add(
      'virtual-node',
      'the virtual node envoy names exists',
      !!vn?.exists,
      `mesh/${node.mesh}/virtualNode/${node.node} ${vn?.exists ? 'exists' : 'does not exist'}`,
      `create virtual node ${node.node} in mesh ${node.mesh}, or point envoy at an existing one`,
    );

  const listenerPorts = (vn?.spec?.listeners ?? []).map((l) => l.portMapping?.port).filter((p): p is number => typeof p === 'number');
  const appPorts = (propertyOf(facts, 'AppPorts') ?? '').split(',').filter(Boolean).map(Number);
  const containerPorts = (app?.portMappings ?? []).map((p) => p.containerPort);
  if (!vn?.spec) add('listener-port', "the node's listener port is among AppPorts and the app's ports", 'skip', 'no virtual node to read');
  else {
    const missing = listenerPorts.filter((p) => !appPorts.includes(p) || !containerPorts.includes(p));
    add(
      'listener-port',
      "the node's listener port is among AppPorts and the app's ports",
      listenerPorts.length > 0 && missing.length === 0,
      `listener ${listenerPorts.join(',') || 'none'}; AppPorts ${appPorts.join(',') || 'none'}; ${app?.name ?? 'app'} ports ${containerPorts.join(',') || 'none'}`,
      'make the virtual node listener, the proxyConfiguration AppPorts and the app container port the same (meshctl add-envoy --app-ports)',
    );
  }

  const cm = vn?.spec?.serviceDiscovery?.awsCloudMap;
  if (!cm)
    add(
      'cloud-map',
      "the node's Cloud Map service is the ECS service's registry",
      'skip',
      vn?.spec?.serviceDiscovery?.dns
        ? `the node uses DNS (${vn.spec.serviceDiscovery.dns.hostname})`
        : 'the node names no Cloud Map service',
    );
  else if (!facts.registry)
    add(
      'cloud-map',
      "the node's Cloud Map service is the ECS service's registry",
      false,
      `the node uses ${cm.serviceName}.${cm.namespaceName}, the ECS service registers nowhere`,
      `add serviceRegistries to the ECS service with the Cloud Map service ${cm.serviceName} in ${cm.namespaceName}`,
    );
  else
    add(
      'cloud-map',
      "the node's Cloud Map service is the ECS service's registry",
      facts.registry.service === cm.serviceName && facts.registry.namespace === cm.namespaceName,
      `node: ${cm.serviceName}.${cm.namespaceName}; ECS service registers in ${facts.registry.service}.${facts.registry.namespace}`,
      'make the virtual node and the ECS service use the same Cloud Map service',
    );

  add(
    'awsvpc',
    'the task uses awsvpc networking',
    td.networkMode === 'awsvpc',
    `networkMode ${td.networkMode ?? 'bridge (default)'}`,
    'set networkMode to awsvpc: the APPMESH proxy configuration needs it',
  );
  const uid = propertyOf(facts, 'IgnoredUID');
  add(
    'ignored-uid',
    "envoy's user is the proxy's IgnoredUID",
    !!uid && envoy.user === uid,
    `envoy user ${envoy.user ?? 'unset'}, IgnoredUID ${uid ?? 'unset'}`,
    `set envoy's user and IgnoredUID to the same uid (1337)`,
  );
  const waits = app?.dependsOn?.some((d) => d.containerName === ENVOY_CONTAINER && d.condition === 'HEALTHY') ?? false;
  add(
    'depends-on',
    'the app container waits for envoy HEALTHY',
    waits,
    waits ? `${app?.name} depends on envoy HEALTHY` : `${app?.name ?? 'the app'} does not wait for envoy`,
    `add dependsOn [{containerName: envoy, condition: HEALTHY}] to ${app?.name ?? 'the app container'}`,
  );
  const ignored = (propertyOf(facts, 'EgressIgnoredIPs') ?? '').split(',');
  const needed = EGRESS_IGNORED_IPS.split(',');
  add(
    'egress-ignored-ips',
    'EgressIgnoredIPs holds the metadata addresses',
    needed.every((ip) => ignored.includes(ip)),
    `EgressIgnoredIPs ${ignored.filter(Boolean).join(',') || 'unset'}`,
    `set EgressIgnoredIPs to include ${EGRESS_IGNORED_IPS}`,
  );

  const region = regionOfArn(td.taskDefinitionArn);
  const image = envoy.image ?? '';
  const ecrRegion = /\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\//.exec(image)?.[1];
  if (!region || !ecrRegion)
    add('image-region', "the envoy image is in the task's region", 'skip', `image ${image}${region ? '' : '; the task region is unknown'}`);
  else
    add(
      'image-region',
      "the envoy image is in the task's region",
      ecrRegion === region,
      `image from ${ecrRegion}, task in ${region}`,
      `use the envoy image of ${region}: 840364872350.dkr.ecr.${region}.amazonaws.com/aws-appmesh-envoy:<tag>`,
    );
  if (image.endsWith(`:${WORKSHOP_ENVOY_TAG}`)) {
    add(
      'image-version',
      'the envoy image is current',
      'warn',
      `${WORKSHOP_ENVOY_TAG} is the workshop's`,
      `App Mesh required ${OLDEST_SUPPORTED_ENVOY_TAG} or later: register a revision with a current image (meshctl add-envoy --envoy-image on an envoy-free revision)`,
    );
  }
  return results;
}
