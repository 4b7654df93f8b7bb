// ---- the App Mesh checklist ----------------------------------------------------------------------

import { nameOfArn, regionOfArn } from '../arn.js';
import { ENVOY_CONTAINER, meshNodeOf } from '../envoy/proxy.js';
import { ENVOY_UID, EGRESS_IGNORED_IPS, WORKSHOP_ENVOY_TAG, OLDEST_SUPPORTED_ENVOY_TAG } from '../envoy/render.js';
import { DoctorFacts, TaskRoleFacts, ENVOY_ACCESS_POLICY, envoyAccessOf, ENVOY_ACTION, CheckResult } from './checks.js';
import { Results } from './results.js';

const propertyOf = (facts: DoctorFacts, name: string) =>
  facts.described.taskDefinition.proxyConfiguration?.properties?.find((p) => p.name === name)?.value;

function taskRoleCheck(r: Results, role: TaskRoleFacts | undefined): void {
  if (!role) {
    r.add(
      'task-role',
      false,
      'the task definition has no taskRoleArn',
      `give the task a role with ${ENVOY_ACCESS_POLICY} attached (taskRoleArn)`,
    );
    return;
  }
  if (!role.exists) {
    const fix = `create role ${role.name} for ecs-tasks.amazonaws.com and attach ${ENVOY_ACCESS_POLICY}`;
    r.add('task-role', false, `role ${role.name} does not exist`, fix);
    return;
  }
  const { allowedBy, deniedBy } = envoyAccessOf(role);
  const problems: string[] = [];
  const fixes: string[] = [];
  if (deniedBy) {
    const despite = allowedBy ? `, although ${allowedBy} allows it` : '';
    problems.push(`is denied ${ENVOY_ACTION} by ${deniedBy}${despite}: an explicit Deny beats every Allow`);
    fixes.push(`take ${ENVOY_ACTION} (and appmesh:*, *) out of the Deny statements of ${deniedBy}`);
  } else if (!allowedBy) {
    problems.push(`has no policy that allows ${ENVOY_ACTION}; envoy cannot fetch its configuration and the task fails its health check`);
    fixes.push(`aws iam attach-role-policy --role-name ${role.name} --policy-arn ${ENVOY_ACCESS_POLICY}`);
  }
  if (role.boundary && !role.boundary.allows) {
    problems.push(`has a permissions boundary (${nameOfArn(role.boundary.arn)}) that does not allow ${ENVOY_ACTION}`);
    fixes.push(
      `allow ${ENVOY_ACTION} in the boundary policy ${role.boundary.arn}, or remove the boundary: aws iam delete-role-permissions-boundary --role-name ${role.name}`,
    );
  }
  if (problems.length === 0) r.add('task-role', true, `role ${role.name}: allowed by ${allowedBy}`);
  else r.add('task-role', false, `role ${role.name} ${problems.join('; it ')}`, fixes.join('; '));
}

/**
 * The proxy ignores envoy's own traffic by uid (IgnoredUID) or gid (IgnoredGID); either is enough.
 * A `user` of `uid:gid` sets both; a bare uid leaves the gid to the image, which doctor cannot see.
 */
function ignoredIdCheck(r: Results, user: string | undefined, uid: string | undefined, gid: string | undefined): void {
  const [userUid, userGid] = (user ?? '').split(':');
  const detail = `envoy user ${user ?? 'unset'}, IgnoredUID ${uid ?? 'unset'}${gid ? `, IgnoredGID ${gid}` : ''}`;
  if (!uid && !gid) {
    r.add('ignored-uid', false, detail, `set IgnoredUID in the proxy configuration to envoy's uid (${ENVOY_UID})`);
    return;
  }
  if (!user) {
    r.add('ignored-uid', false, detail, `set envoy's user to ${uid ?? `${ENVOY_UID}:${gid}`}`);
    return;
  }
  if ((uid && userUid === uid) || (gid && userGid === gid)) {
    r.add('ignored-uid', true, detail);
    return;
  }
  if (gid && userGid === undefined) {
    const why = `; envoy's user names no group, so its gid comes from the image and may not be ${gid}`;
    r.add('ignored-uid', 'warn', detail + why, `set envoy's user to ${userUid}:${gid}`);
    return;
  }
  const fix = uid ? `set envoy's user and IgnoredUID to the same uid (${ENVOY_UID})` : `set envoy's user to ${userUid}:${gid} (a uid:gid)`;
  r.add('ignored-uid', false, detail, fix);
}

export function appMeshChecks(facts: DoctorFacts): CheckResult[] {
  const td = facts.described.taskDefinition;
  const containers = td.containerDefinitions ?? [];
  const envoy = containers.find((c) => c.name === ENVOY_CONTAINER)!;
  const app = containers.find((c) => c.name !== ENVOY_CONTAINER);
  const r = new Results();

  if (facts.appMeshUnreachable) {
    const needing = (['virtual-node', 'listener-port', 'cloud-map'] as const).join(', ');
    r.add('app-mesh', 'skip', `${facts.appMeshUnreachable}: the checks that need it were skipped (${needing})`);
  }
  taskRoleCheck(r, facts.taskRole);

  const node = meshNodeOf(facts.described);
  const vn = facts.virtualNode;
  if (!node) {
    const fix = 'set APPMESH_VIRTUAL_NODE_NAME on the envoy container (meshctl add-envoy does)';
    r.add('virtual-node', false, 'envoy has no APPMESH_VIRTUAL_NODE_NAME (mesh/M/virtualNode/N)', fix);
  } else if (!facts.appMeshUnreachable) {
    r.add(
      'virtual-node',
      !!vn?.exists,
      `mesh/${node.mesh}/virtualNode/${node.node} ${vn?.exists ? 'exists' : 'does not exist'}`,
      `create virtual node ${node.node} in mesh ${node.mesh}, or point envoy at an existing one`,
    );
  }

  if (!facts.appMeshUnreachable) {
    const listenerPorts = (vn?.spec?.listeners ?? []).map((l) => l.portMapping?.port).filter((p): p is number => typeof p === 'number');
    const appPorts = (propertyOf(facts, 'AppPorts') ?? '').split(',').filter(Boolean).map(Number);
    const containerPorts = (app?.portMappings ?? []).map((p) => p.containerPort);
    if (!vn?.spec) r.add('listener-port', 'skip', 'no virtual node to read');
    else {
      const missing = listenerPorts.filter((p) => !appPorts.includes(p) || !containerPorts.includes(p));
      r.add(
        'listener-port',
        listenerPorts.length > 0 && missing.length === 0,
        `listener ${listenerPorts.join(',') || 'none'}; AppPorts ${appPorts.join(',') || 'none'}; ${app?.name ?? 'app'} ports ${containerPorts.join(',') || 'none'}`,
        'make the virtual node listener, the proxyConfiguration AppPorts and the app container port the same (meshctl add-envoy --app-ports)',
      );
    }

    const cm = vn?.spec?.serviceDiscovery?.awsCloudMap;
    if (!cm) {
      const dns = vn?.spec?.serviceDiscovery?.dns;
      r.add('cloud-map', 'skip', dns ? `the node uses DNS (${dns.hostname})` : 'the node names no Cloud Map service');
    } else if (!facts.registry) {
      r.add(
        'cloud-map',
        false,
        `the node uses ${cm.serviceName}.${cm.namespaceName}, the ECS service registers nowhere`,
        `add serviceRegistries to the ECS service with the Cloud Map service ${cm.serviceName} in ${cm.namespaceName}`,
      );
    } else {
      r.add(
        'cloud-map',
        facts.registry.service === cm.serviceName && facts.registry.namespace === cm.namespaceName,
        `node: ${cm.serviceName}.${cm.namespaceName}; ECS service registers in ${facts.registry.service}.${facts.registry.namespace}`,
        'make the virtual node and the ECS service use the same Cloud Map service',
      );
    }
  }

  r.add(
    'awsvpc',
    td.networkMode === 'awsvpc',
    `networkMode ${td.networkMode ?? 'bridge (default)'}`,
    'set networkMode to awsvpc: the APPMESH proxy configuration needs it',
  );
  ignoredIdCheck(r, envoy.user, propertyOf(facts, 'IgnoredUID'), propertyOf(facts, 'IgnoredGID'));
  const waits = app?.dependsOn?.some((d) => d.containerName === ENVOY_CONTAINER && d.condition === 'HEALTHY') ?? false;
  r.add(
    'depends-on',
    waits,
    waits ? `${app?.name} depends on envoy HEALTHY` : `${app?.name ?? 'the app'} does not wait for envoy`,
    `add dependsOn [{containerName: envoy, condition: HEALTHY}] to ${app?.name ?? 'the app container'}`,
  );
  const ignored = (propertyOf(facts, 'EgressIgnoredIPs') ?? '').split(',');
  r.add(
    'egress-ignored-ips',
    EGRESS_IGNORED_IPS.split(',').every((ip) => ignored.includes(ip)),
    `EgressIgnoredIPs ${ignored.filter(Boolean).join(',') || 'unset'}`,
    `set EgressIgnoredIPs to include ${EGRESS_IGNORED_IPS}`,
  );

  const region = regionOfArn(td.taskDefinitionArn);
  const image = envoy.image ?? '';
  const ecrRegion = /\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\//.exec(image)?.[1];
  if (!region || !ecrRegion) r.add('image-region', 'skip', `image ${image}${region ? '' : '; the task region is unknown'}`);
  else
    r.add(
      'image-region',
      ecrRegion === region,
      `image from ${ecrRegion}, task in ${region}`,
      `use the envoy image of ${region}: 840364872350.dkr.ecr.${region}.amazonaws.com/aws-appmesh-envoy:<tag>`,
    );
  if (image.endsWith(`:${WORKSHOP_ENVOY_TAG}`)) {
    r.add(
      'image-version',
      'warn',
      `${WORKSHOP_ENVOY_TAG} is the workshop's`,
      `App Mesh required ${OLDEST_SUPPORTED_ENVOY_TAG} or later: register a revision with a current image (meshctl add-envoy --envoy-image on an envoy-free revision)`,
    );
  }
  return r.list;
}
