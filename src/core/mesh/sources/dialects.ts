// ---- The two dialects: CloudFormation's PascalCase objects, Terraform's snake_case blocks (always lists).

import { MeshProtocol } from '../../protocol.js';
import { Kind, Obj, isObj, shown } from './common.js';
import { MESH_PROTOCOLS as PROTOCOLS } from '../../protocol.js';

/** Each spec field's key as [CloudFormation, Terraform] write it. */
const KEYS = {
  spec: ['Spec', 'spec'],
  listeners: ['Listeners', 'listener'],
  portMapping: ['PortMapping', 'port_mapping'],
  port: ['Port', 'port'],
  protocol: ['Protocol', 'protocol'],
  backends: ['Backends', 'backend'],
  virtualService: ['VirtualService', 'virtual_service'],
  virtualServiceName: ['VirtualServiceName', 'virtual_service_name'],
  serviceDiscovery: ['ServiceDiscovery', 'service_discovery'],
  dns: ['DNS', 'dns'],
  hostname: ['Hostname', 'hostname'],
  cloudMap: ['AWSCloudMap', 'aws_cloud_map'],
  namespaceName: ['NamespaceName', 'namespace_name'],
  serviceName: ['ServiceName', 'service_name'],
  provider: ['Provider', 'provider'],
  virtualNode: ['VirtualNode', 'virtual_node'],
  virtualNodeName: ['VirtualNodeName', 'virtual_node_name'],
  virtualRouter: ['VirtualRouter', 'virtual_router'],
  virtualRouterName: ['VirtualRouterName', 'virtual_router_name'],
  httpRoute: ['HttpRoute', 'http_route'],
  http2Route: ['Http2Route', 'http2_route'],
  grpcRoute: ['GrpcRoute', 'grpc_route'],
  tcpRoute: ['TcpRoute', 'tcp_route'],
  action: ['Action', 'action'],
  weightedTargets: ['WeightedTargets', 'weighted_target'],
  weight: ['Weight', 'weight'],
  retryPolicy: ['RetryPolicy', 'retry_policy'],
  timeout: ['Timeout', 'timeout'],
  match: ['Match', 'match'],
  prefix: ['Prefix', 'prefix'],
  target: ['Target', 'target'],
  rewrite: ['Rewrite', 'rewrite'],
  defaultPrefix: ['DefaultPrefix', 'default_prefix'],
  egressFilter: ['EgressFilter', 'egress_filter'],
  type: ['Type', 'type'],
} as const;
export type Field = keyof typeof KEYS;

/**
 * Each kind's resource type and name keys, as documented:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_AppMesh.html and
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/appmesh_mesh (and its siblings).
 */
export const KINDS: Record<Kind, { cfn: string; tf: string; cfnName: string; cfnParent?: string; tfParent?: string }> = {
  mesh: { cfn: 'AWS::AppMesh::Mesh', tf: 'aws_appmesh_mesh', cfnName: 'MeshName' },
  virtualNode: { cfn: 'AWS::AppMesh::VirtualNode', tf: 'aws_appmesh_virtual_node', cfnName: 'VirtualNodeName' },
  virtualService: { cfn: 'AWS::AppMesh::VirtualService', tf: 'aws_appmesh_virtual_service', cfnName: 'VirtualServiceName' },
  virtualRouter: { cfn: 'AWS::AppMesh::VirtualRouter', tf: 'aws_appmesh_virtual_router', cfnName: 'VirtualRouterName' },
  route: {
    cfn: 'AWS::AppMesh::Route',
    tf: 'aws_appmesh_route',
    cfnName: 'RouteName',
    cfnParent: 'VirtualRouterName',
    tfParent: 'virtual_router_name',
  },
  virtualGateway: { cfn: 'AWS::AppMesh::VirtualGateway', tf: 'aws_appmesh_virtual_gateway', cfnName: 'VirtualGatewayName' },
  gatewayRoute: {
    cfn: 'AWS::AppMesh::GatewayRoute',
    tf: 'aws_appmesh_gateway_route',
    cfnName: 'GatewayRouteName',
    cfnParent: 'VirtualGatewayName',
    tfParent: 'virtual_gateway_name',
  },
};
const KIND_NAMES = Object.keys(KINDS) as Kind[];
export const kindOf = (type: unknown, dialect: 'cfn' | 'tf'): Kind | undefined => KIND_NAMES.find((k) => KINDS[k][dialect] === type);

/** Fn::GetAtt attributes that are a name the template itself sets (the rest, Arn and Uid, exist only once deployed). */
export const NAME_ATTRIBUTES = new Set(KIND_NAMES.map((k) => KINDS[k].cfnName));

export type Outcome = { value: unknown } | { why: string };
export const splitAtDot = (s: string): [string, string] | undefined => {
  const dot = s.indexOf('.');
  return dot > 0 ? [s.slice(0, dot), s.slice(dot + 1)] : undefined;
};
export const failed = (why: string): Outcome => ({ why });

export interface At<T> {
  value: T;
  path: string;
}

/** Reads values at paths in one dialect; whatever it cannot use becomes a note naming the path, never an exception. */
export class Reader {
  notes: string[] = [];
  constructor(
    private readonly column: 0 | 1,
    private readonly resolve: (v: unknown, path: string) => Outcome,
  ) {}

  /** Terraform writes every nested block as a list, and an unset number as 0 or string as "". */
  private get terraform(): boolean {
    return this.column === 1;
  }

  k(field: Field): string {
    return KEYS[field][this.column];
  }

  note(path: string, message: string): void {
    this.notes.push(`${path}: ${message}`);
  }

  /** A value with its intrinsics resolved; undefined (noted at `path`) when it cannot be. */
  resolved(v: unknown, path: string): { v: unknown } | undefined {
    return this.value(v, path);
  }

  /** Whether this reads Terraform (snake_case keys, every block a list) rather than CloudFormation. */
  get isTerraform(): boolean {
    return this.terraform;
  }

  private value(v: unknown, path: string): { v: unknown } | undefined {
    const out = this.resolve(v, path);
    if ('why' in out) {
      this.note(path, out.why);
      return undefined;
    }
    return { v: out.value };
  }

  obj(v: unknown, path: string): Obj | undefined {
    if (v === undefined) return void this.note(path, 'missing');
    const got = this.value(v, path);
    if (got && !isObj(got.v)) this.note(path, `must be an object, found ${shown(got.v)}`);
    return got && isObj(got.v) ? got.v : undefined;
  }

  private list(v: unknown, path: string): unknown[] | undefined {
    const got = this.value(v, path);
    if (got && !Array.isArray(got.v)) this.note(path, `must be a list, found ${shown(got.v)}`);
    return got && Array.isArray(got.v) ? got.v : undefined;
  }

  /** Whether a field is set at all (Terraform: a non-empty block list). */
  has(o: Obj, field: Field): boolean {
    const v = o[this.k(field)];
    return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
  }

  /** One nested object: CloudFormation's object, Terraform's single-block list. */
  one(o: Obj, field: Field, path: string, required = false): At<Obj> | undefined {
    const p = `${path}.${this.k(field)}`;
    if (!this.has(o, field)) return required ? void this.note(p, 'missing') : undefined;
    const raw = o[this.k(field)];
    if (!this.terraform) {
      const value = this.obj(raw, p);
      return value && { value, path: p };
    }
    const items = this.list(raw, p);
    const value = items && this.obj(items[0], `${p}[0]`);
    return value && { value, path: `${p}[0]` };
  }

  /** A list of nested objects; items that are not objects are noted and left out. */
  many(o: Obj, field: Field, path: string): At<Obj>[] {
    const p = `${path}.${this.k(field)}`;
    if (!this.has(o, field)) return [];
    const items = this.list(o[this.k(field)], p) ?? [];
    return items.flatMap((item, i) => {
      const value = this.obj(item, `${p}[${i}]`);
      return value ? [{ value, path: `${p}[${i}]` }] : [];
    });
  }

  text(o: Obj, key: string, path: string, required: boolean): string | undefined {
    const p = `${path}.${key}`;
    const raw = o[key];
    if (raw === undefined || raw === null || raw === '') return required ? void this.note(p, 'missing') : undefined;
    const got = this.value(raw, p);
    if (!got) return undefined;
    if (typeof got.v === 'number' && Number.isFinite(got.v)) return String(got.v);
    if (typeof got.v === 'string' && got.v !== '') return got.v;
    if (got.v === '') return required ? void this.note(p, 'empty') : undefined;
    return void this.note(p, `must be a string, found ${shown(got.v)}`);
  }

  int(o: Obj, key: string, path: string, range: { min: number; max: number }, required: boolean): number | undefined {
    const p = `${path}.${key}`;
    const raw = o[key];
    const unset = raw === undefined || raw === null || (this.terraform && !required && raw === 0);
    if (unset) return required ? void this.note(p, 'missing') : undefined;
    const got = this.value(raw, p);
    if (!got) return undefined;
    // CloudFormation takes "3000" for an Integer property, and a Number parameter's Default is often written so.
    const n = typeof got.v === 'string' && /^\d+$/.test(got.v) ? Number(got.v) : got.v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= range.min && n <= range.max) return n;
    return void this.note(p, `must be a whole number from ${range.min} to ${range.max}, found ${shown(got.v)}`);
  }

  protocol(o: Obj, path: string): MeshProtocol | undefined {
    const text = this.text(o, this.k('protocol'), path, true);
    const found = PROTOCOLS.find((p) => p === text?.toLowerCase());
    if (text !== undefined && !found) {
      this.note(`${path}.${this.k('protocol')}`, `must be one of ${PROTOCOLS.join(', ')}, found ${shown(text)}`);
    }
    return found;
  }
}
