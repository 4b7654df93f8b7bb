import { readFileSync } from 'node:fs';
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { CfnResolver, NO_VALUE, Unknown, type CfnDeployment } from '../../../src/core/mesh/sources/cfn-resolve.js';
import { fromCloudFormation } from '../../../src/core/mesh/sources/cloudformation.js';
import type { MeshDescription } from '../../../src/core/mesh/description.js';
import type { MeshKind } from '../../../src/core/mesh/plan.js';
import { planCluster } from '../../../src/core/migrate/plan.js';
import type { ClusterPlan, ClusterPlanInput, ServiceFacts } from '../../../src/core/migrate/types.js';
import { parseTemplateText } from '../../../src/steps/cfn-stack.js';
import { normalized, tf } from './lossless-fixtures.js';

// The published shapes of test/fixtures/estates/ read as meshctl reads them, and what their templates declare
// read independently here: the App Mesh specs (to compare with what comes back through the mesh file) and the
// ECS side (the task definitions and services ECS would hold after CloudFormation deployed the template).

type Obj = Record<string, unknown>;
export interface Fixture {
  name: string;
  template: Obj;
  deployment: CfnDeployment;
}

export async function fixture(name: string, deployment: CfnDeployment): Promise<Fixture> {
  const text = readFileSync(new URL(`../../fixtures/estates/${name}`, import.meta.url), 'utf8');
  return { name, template: (await parseTemplateText(text, name)) as Obj, deployment };
}

export const describeFixture = (f: Fixture): MeshDescription[] => fromCloudFormation(f.template, f.name, f.deployment);

const resources = (f: Fixture) => f.template.Resources as Record<string, { Type: string; Condition?: string; Properties: Obj }>;
/**
 * Ref of an App Mesh resource as CloudFormation gives it to the ECS side: its ARN, the physical ID (meshctl's
 * resolver gives the name, which is what the App Mesh side needs; envoy's APPMESH_RESOURCE_ARN takes the ARN).
 */
function withAppMeshArns(f: Fixture, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => withAppMeshArns(f, x));
  if (v === null || typeof v !== 'object') return v;
  const ref = (v as Obj).Ref;
  const target = typeof ref === 'string' ? resources(f)[ref] : undefined;
  const arn = typeof ref === 'string' ? f.deployment.physicalIds?.[ref] : undefined;
  if (target?.Type.startsWith('AWS::AppMesh::') && arn !== undefined) return arn;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withAppMeshArns(f, x)]));
}

/** The resources CloudFormation creates (their Condition holds), with their properties resolved. */
function created(f: Fixture, type: string | RegExp): [string, string, Obj][] {
  const template = { ...f.template, Resources: withAppMeshArns(f, f.template.Resources) } as Obj;
  const isEcs = typeof type === 'string' && type.startsWith('AWS::ECS::');
  const chosen = isEcs ? template : f.template;
  const cfn = new CfnResolver(chosen, f.deployment, f.name);
  return Object.entries(chosen.Resources as ReturnType<typeof resources>)
    .filter(([logical, r]) => (typeof type === 'string' ? r.Type === type : type.test(r.Type)) && cfn.exists(logical) === true)
    .map(([logical, r]) => {
      const props = cfn.value(r.Properties, `${logical}.Properties`);
      if (props instanceof Unknown) throw new Error(`${f.name}: ${logical}: ${props.why}`);
      return [logical, r.Type, props as Obj];
    });
}

// ---- App Mesh's specs as the template declares them, in App Mesh's API shape.

const API_KEY: Record<string, string> = {
  AWSCloudMap: 'awsCloudMap',
  DNS: 'dns',
  TLS: 'tls',
  ACM: 'acm',
  SDS: 'sds',
  HTTP: 'http',
  HTTP2: 'http2',
  GRPC: 'grpc',
  TCP: 'tcp',
};
/** CloudFormation's spelling of App Mesh's JSON turned back into the API's (numbers given as strings as numbers). */
function api(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== NO_VALUE).map(api);
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [API_KEY[k] ?? k[0]!.toLowerCase() + k.slice(1), api(x)]));
}
const KIND: Record<string, [string, string, string?]> = {
  'AWS::AppMesh::Mesh': ['mesh', 'MeshName'],
  'AWS::AppMesh::VirtualNode': ['virtualNode', 'VirtualNodeName'],
  'AWS::AppMesh::VirtualRouter': ['virtualRouter', 'VirtualRouterName'],
  'AWS::AppMesh::Route': ['route', 'RouteName', 'VirtualRouterName'],
  'AWS::AppMesh::VirtualService': ['virtualService', 'VirtualServiceName'],
  'AWS::AppMesh::VirtualGateway': ['virtualGateway', 'VirtualGatewayName'],
  'AWS::AppMesh::GatewayRoute': ['gatewayRoute', 'GatewayRouteName', 'VirtualGatewayName'],
};
/** `kind parent/name` → the declared spec (normalized as specsThroughFile gives it), for every App Mesh resource created. */
export function declaredSpecs(f: Fixture): Record<string, unknown> {
  return Object.fromEntries(
    created(f, /^AWS::AppMesh::/).map(([, type, props]) => {
      const [kind, nameKey, parentKey] = KIND[type]!;
      // A mesh without a spec is App Mesh's default, written out in the mesh file: the same behaviour.
      const spec = structuredClone(props.Spec ?? (kind === 'mesh' ? { EgressFilter: { Type: 'DROP_ALL' } } : {})) as Obj;
      // So is the prefix rewrite App Mesh applies by default to a gateway route that matches a prefix.
      for (const route of kind === 'gatewayRoute' ? [spec.HttpRoute, spec.Http2Route] : []) {
        const r = route as { Match?: Obj; Action?: Obj } | undefined;
        if (r?.Match?.Prefix !== undefined && r.Action && r.Action.Rewrite === undefined) {
          r.Action.Rewrite = { Prefix: { DefaultPrefix: 'ENABLED' } };
        }
      }
      return [`${kind} ${parentKey ? String(props[parentKey]) : ''}/${String(props[nameKey])}`, normalized(api(spec))];
    }),
  );
}

/** The template's App Mesh objects as App Mesh's API describes them: kind, name, parent and spec. */
export function declaredObjects(f: Fixture): { kind: MeshKind; name: string; parent?: string; spec: Obj }[] {
  return Object.entries(declaredSpecs(f)).map(([key, spec]) => {
    const [, kind, parent, name] = /^(\w+) ([^/]*)\/(.*)$/.exec(key)!;
    return { kind: kind as MeshKind, name: name!, ...(parent ? { parent } : {}), spec: (spec ?? {}) as Obj };
  });
}

/** The same objects as `terraform show -json` holds them (the mesh in the root module, the rest in a child module). */
export function asTerraformState(f: Fixture, mesh: string, owner: string, account: string) {
  const parentKey: Record<string, string> = { route: 'virtual_router_name', gatewayRoute: 'virtual_gateway_name' };
  const type = (kind: string) => `aws_appmesh_${kind.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
  const resource = (o: ReturnType<typeof declaredObjects>[number], i: number) => {
    const values: Obj = { name: o.name, spec: tf(o.spec), arn: `arn:${o.name}`, mesh_owner: owner, resource_owner: account };
    if (o.kind !== 'mesh') values.mesh_name = mesh;
    if (o.parent) values[parentKey[o.kind]!] = o.parent;
    return { address: `module.estate.${type(o.kind)}.r${i}`, mode: 'managed', type: type(o.kind), name: `r${i}`, values };
  };
  const all = declaredObjects(f).map(resource);
  return {
    format_version: '1.0',
    values: {
      root_module: {
        resources: all.filter((r) => r.type === 'aws_appmesh_mesh'),
        child_modules: [{ address: 'module.estate', resources: all.filter((r) => r.type !== 'aws_appmesh_mesh') }],
      },
    },
  };
}

// ---- The ECS side as ECS holds it once the template is deployed.

const camel = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(camel);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k[0]!.toLowerCase() + k.slice(1), camel(x)]));
};
/** Numbers CloudFormation lets a template give as strings, as DescribeTaskDefinition answers them. */
function containers(list: unknown): ContainerDefinition[] {
  return (camel(list) as ContainerDefinition[]).map((c) => ({
    ...c,
    ...(c.portMappings
      ? {
          portMappings: c.portMappings.map((m) => ({
            ...m,
            containerPort: Number(m.containerPort),
            ...(m.hostPort !== undefined ? { hostPort: Number(m.hostPort) } : {}),
          })),
        }
      : {}),
  }));
}

/** Every ECS service the template creates, with the task definition it runs and its Cloud Map registrations. */
export function servicesOf(f: Fixture, account = '123456789012'): ServiceFacts[] {
  const tasks = new Map(created(f, 'AWS::ECS::TaskDefinition').map(([logical, , p]) => [logical, p]));
  const registries = new Map(created(f, 'AWS::ServiceDiscovery::Service').map(([logical, , p]) => [logical, p]));
  const namespaces = new Map(created(f, /^AWS::ServiceDiscovery::\w+Namespace$/).map(([logical, , p]) => [logical, p]));
  const raw = resources(f);
  return created(f, 'AWS::ECS::Service').map(([logical, , p]) => {
    const taskLogical = (raw[logical]!.Properties.TaskDefinition as { Ref: string }).Ref;
    const t = tasks.get(taskLogical)!;
    const family = String(t.Family);
    const proxy = t.ProxyConfiguration as { Type: string; ContainerName: string; ProxyConfigurationProperties?: Obj[] } | undefined;
    const taskDefinition: TaskDefinition = {
      taskDefinitionArn: `arn:aws:ecs:us-west-2:${account}:task-definition/${family}:1`,
      family,
      revision: 1,
      networkMode: t.NetworkMode as TaskDefinition['networkMode'],
      requiresCompatibilities: t.RequiresCompatibilities as TaskDefinition['requiresCompatibilities'],
      ...(t.Cpu !== undefined ? { cpu: String(t.Cpu) } : {}),
      ...(t.Memory !== undefined ? { memory: String(t.Memory) } : {}),
      containerDefinitions: containers(t.ContainerDefinitions),
      ...(proxy
        ? {
            proxyConfiguration: {
              type: proxy.Type as 'APPMESH',
              containerName: proxy.ContainerName,
              properties: (proxy.ProxyConfigurationProperties ?? []).map((x) => ({ name: String(x.Name), value: String(x.Value) })),
            },
          }
        : {}),
    };
    // A registration names its Cloud Map service by Fn::GetAtt R.Arn; the service's name and namespace come from R.
    const declared = (raw[logical]!.Properties.ServiceRegistries ?? []) as { RegistryArn?: { 'Fn::GetAtt'?: [string, string] } }[];
    const registered = (Array.isArray(declared) ? declared : []).flatMap((r) => {
      const registry = registries.get(r.RegistryArn?.['Fn::GetAtt']?.[0] ?? '');
      const nsLogical = (
        (raw[r.RegistryArn?.['Fn::GetAtt']?.[0] ?? '']?.Properties.DnsConfig as Obj | undefined)?.NamespaceId as {
          'Fn::GetAtt'?: [string, string];
        }
      )?.['Fn::GetAtt']?.[0];
      const ns = namespaces.get(nsLogical ?? '');
      return registry && ns ? [{ service: String(registry.Name), namespace: String(ns.Name), namespaceType: 'DNS_PRIVATE' as const }] : [];
    });
    return {
      service: String(p.ServiceName),
      taskDefinitionArn: taskDefinition.taskDefinitionArn!,
      described: { taskDefinition, tags: [] },
      registries: registered,
      loadBalancerDnsNames: [],
    };
  });
}

export function planFixtures(
  services: ServiceFacts[],
  meshes: MeshDescription[],
  overrides: ClusterPlanInput['overrides'] = {},
): ClusterPlan {
  return planCluster({ services, meshes, records: [], namespaces: [], overrides: { createNamespace: true, ...overrides } });
}
