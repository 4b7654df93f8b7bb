import type { ContainerDefinition, PortMapping, RegisterTaskDefinitionCommandInput, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import { InputError } from '../errors.js';
import { ENVOY_CONTAINER, toRegisterInput, type DescribedTaskDefinition } from './render-envoy.js';

/** The parts of an App Mesh virtual node spec the translation reads (DescribeVirtualNode's `spec`). */
export interface VirtualNodeSpec {
  listeners?: { portMapping?: { port?: number; protocol?: string } }[];
  backends?: { virtualService?: { virtualServiceName?: string } }[];
  serviceDiscovery?: { awsCloudMap?: { namespaceName?: string; serviceName?: string }; dns?: { hostname?: string } };
}

/** What the mesh knows about a backend virtual service, for the "no equivalent" notes. */
export interface BackendInfo {
  name: string;
  /** Routes of the router that provides it, if a router does. */
  routes?: { name: string; weightedTargets: number; retryPolicy: boolean; timeout: boolean }[];
}

export interface MigrationInput {
  described: DescribedTaskDefinition;
  virtualNode: { mesh: string; name: string; spec: VirtualNodeSpec };
  backends?: BackendInfo[];
  /** Gateway routes that send traffic to this node's virtual services. */
  gatewayRoutes?: { gateway: string; name: string; prefix?: string }[];
  /** --namespace; default the Cloud Map namespace the node used. */
  namespace?: string;
  appContainer?: string;
}

export interface Unsupported {
  feature: string;
  detail: string;
  suggestion: string;
}

export interface MigrationPlan {
  namespace: string;
  taskDefinition: RegisterTaskDefinitionCommandInput;
  serviceConnectConfiguration: ServiceConnectConfiguration;
  appContainer: string;
  /** How this service's clients and backends are reached once on Service Connect. */
  backends: { virtualService: string; reachAs: string }[];
  unsupported: Unsupported[];
}

const APP_PROTOCOL: Record<string, PortMapping['appProtocol']> = { http: 'http', http2: 'http2', grpc: 'grpc' };

/** `crystal.appmeshworkshop.hosted.local` → service `crystal`, namespace `appmeshworkshop.hosted.local`. */
function discoveryOf(spec: VirtualNodeSpec): { serviceName: string; namespace?: string; dnsName: string } {
  const cm = spec.serviceDiscovery?.awsCloudMap;
  if (cm?.serviceName && cm.namespaceName) return { serviceName: cm.serviceName, namespace: cm.namespaceName, dnsName: `${cm.serviceName}.${cm.namespaceName}` };
  const host = spec.serviceDiscovery?.dns?.hostname;
  if (host) {
    const [first, ...rest] = host.split('.');
    return { serviceName: first!, namespace: rest.length ? rest.join('.') : undefined, dnsName: host };
  }
  throw new InputError('the virtual node has no service discovery (Cloud Map or DNS); pass --namespace and name the service by hand');
}

/** Removes envoy, the app's wait for it and the APPMESH proxy configuration; names the app's ports. */
function withoutEnvoy(described: DescribedTaskDefinition, appName: string | undefined, listeners: { port: number; protocol: string; name: string }[]): { input: RegisterTaskDefinitionCommandInput; app: string } {
  const input = toRegisterInput(described);
  const containers = (input.containerDefinitions ?? []).filter((c) => c.name !== ENVOY_CONTAINER);
  const app = appName ? containers.find((c) => c.name === appName) : containers[0];
  if (!app) throw new InputError(`--app-container: no container named "${appName}" in the task definition`);
  input.containerDefinitions = containers.map((c): ContainerDefinition => {
    const dependsOn = c.dependsOn?.filter((d) => d.containerName !== ENVOY_CONTAINER);
    const next: ContainerDefinition = { ...c, dependsOn: dependsOn?.length ? dependsOn : undefined };
    if (next.dependsOn === undefined) delete next.dependsOn;
    if (c.name !== app.name) return next;
    const mappings = [...(c.portMappings ?? [])];
    for (const l of listeners) {
      const i = mappings.findIndex((m) => m.containerPort === l.port);
      const named = { ...(i >= 0 ? mappings[i] : { containerPort: l.port, protocol: 'tcp' as const }), name: l.name, appProtocol: APP_PROTOCOL[l.protocol] };
      if (!named.appProtocol) delete named.appProtocol;
      if (i >= 0) mappings[i] = named;
      else mappings.push(named);
    }
    return { ...next, portMappings: mappings };
  });
  if (input.proxyConfiguration?.type === 'APPMESH') delete input.proxyConfiguration;
  return { input, app: app.name! };
}

/**
 * An App Mesh service (its task definition and virtual node, as plain JSON) in; the ECS Service Connect
 * equivalent out: the namespace, the envoy-free task definition with named ports, the service's
 * serviceConnectConfiguration, how backends are reached, and what has no equivalent.
 */
export function planServiceConnect(input: MigrationInput): MigrationPlan {
  const { spec } = input.virtualNode;
  const discovery = discoveryOf(spec);
  const namespace = input.namespace ?? discovery.namespace;
  if (!namespace) throw new InputError(`the virtual node's hostname "${discovery.dnsName}" names no namespace; pass --namespace`);
  const listeners = (spec.listeners ?? [])
    .map((l) => ({ port: l.portMapping?.port, protocol: (l.portMapping?.protocol ?? 'http').toLowerCase() }))
    .filter((l): l is { port: number; protocol: string } => typeof l.port === 'number')
    .map((l, i, all) => ({ ...l, name: all.length === 1 ? discovery.serviceName : `${discovery.serviceName}-${l.port}` }));
  if (listeners.length === 0) throw new InputError(`virtual node "${input.virtualNode.name}" has no listener; Service Connect needs the port the service serves`);
  const { input: taskDefinition, app } = withoutEnvoy(input.described, input.appContainer, listeners);

  const serviceConnectConfiguration: ServiceConnectConfiguration = {
    enabled: true,
    namespace,
    services: listeners.map((l, i) => ({
      portName: l.name,
      discoveryName: i === 0 ? discovery.serviceName : l.name,
      // The same DNS name and port the mesh used, so callers keep their configuration.
      clientAliases: [{ port: l.port, dnsName: i === 0 ? discovery.dnsName : `${l.name}.${namespace}` }],
    })),
  };

  const unsupported: Unsupported[] = [];
  for (const l of listeners) {
    if (l.protocol === 'tcp') {
      unsupported.push({ feature: 'tcp listener', detail: `port ${l.port} is TCP`, suggestion: 'Service Connect proxies it without HTTP features; check timeouts for long connections' });
    }
  }
  for (const b of input.backends ?? []) {
    for (const r of b.routes ?? []) {
      if (r.weightedTargets > 1) {
        unsupported.push({ feature: 'weighted route', detail: `${b.name}: route ${r.name} splits traffic over ${r.weightedTargets} targets`, suggestion: 'use an ECS blue/green deployment or two services behind one client alias, shifting traffic by desired count' });
      }
      if (r.retryPolicy) unsupported.push({ feature: 'retry policy', detail: `${b.name}: route ${r.name} retries`, suggestion: 'Service Connect retries failed connections itself; add application-level retries for anything more' });
      if (r.timeout) unsupported.push({ feature: 'route timeout', detail: `${b.name}: route ${r.name} sets timeouts`, suggestion: 'set serviceConnectConfiguration.services[].timeout (idleTimeoutSeconds, perRequestTimeoutSeconds)' });
    }
  }
  for (const g of input.gatewayRoutes ?? []) {
    unsupported.push({ feature: 'gateway route', detail: `gateway ${g.gateway}: route ${g.name}${g.prefix ? ` (${g.prefix})` : ''}`, suggestion: 'put an Application Load Balancer listener rule in front of the service instead of the virtual gateway' });
  }
  const backends = (input.backends ?? []).map((b) => ({
    virtualService: b.name,
    reachAs: `${b.name} (the backend's service must publish this as a Service Connect client alias in ${namespace})`,
  }));
  return { namespace, taskDefinition, serviceConnectConfiguration, appContainer: app, backends, unsupported };
}

/** The mesh and node an envoy container serves, from APPMESH_VIRTUAL_NODE_NAME (mesh/M/virtualNode/N). */
export function meshNodeOf(described: DescribedTaskDefinition): { mesh: string; node: string } | undefined {
  const envoy = described.taskDefinition.containerDefinitions?.find((c) => c.name === ENVOY_CONTAINER);
  const value = envoy?.environment?.find((e) => e.name === 'APPMESH_VIRTUAL_NODE_NAME')?.value ?? envoy?.environment?.find((e) => e.name === 'APPMESH_RESOURCE_ARN')?.value;
  const m = value ? /mesh\/([^/]+)\/virtualNode\/([^/]+)$/.exec(value) : null;
  return m ? { mesh: m[1]!, node: m[2]! } : undefined;
}
