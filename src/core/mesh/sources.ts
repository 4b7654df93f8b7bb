/**
 * The mesh descriptions users kept, read into MeshDescription: meshctl's own mesh file, a CloudFormation
 * template, the JSON of `terraform show -json`; and a description back into a mesh file for `mesh import`.
 * App Mesh was discontinued on 2026-09-30, so these files are what is left to tell what a mesh looked like.
 */
import { InputError } from '../../errors.js';
import {
  APP_MESH_NAME,
  emptyMesh,
  type DescribedGatewayRoute,
  type DescribedRoute,
  type DescribedVirtualNode,
  type DescribedVirtualRouter,
  type DescribedVirtualService,
  type MeshDescription,
  type MeshListener,
  type MeshProtocol,
  type NodeDiscovery,
} from './description.js';
import type {
  GatewayRouteDecl,
  Listener,
  MeshFile,
  RouteDecl,
  VirtualGatewayDecl,
  VirtualNodeDecl,
  VirtualRouterDecl,
  VirtualServiceDecl,
} from './file.js';

// MeshDescription has no field for these, but the mesh file needs them to say the same thing again. The
// sources here set them on the objects they build; toMeshFile reads them where present and says so where not.
type EgressFilter = MeshFile['mesh']['egressFilter'];
type MeshExtras = { egressFilter?: EgressFilter };
type RouteExtras = { prefix?: string };
type GatewayRouteExtras = { rewritePrefix?: boolean };

type Obj = Record<string, unknown>;
type Kind = 'mesh' | 'virtualNode' | 'virtualService' | 'virtualRouter' | 'route' | 'virtualGateway' | 'gatewayRoute';

const PROTOCOLS: readonly MeshProtocol[] = ['http', 'http2', 'grpc', 'tcp'];
const PORTS = { min: 1, max: 65535 };
const WEIGHTS = { min: 0, max: 100 };
/** The names validateMeshFile accepts (mesh-file.ts keeps its pattern to itself). */
const NAME = APP_MESH_NAME;
/** How deep intrinsic functions may nest, and Terraform modules, before meshctl stops following them. */
const MAX_DEPTH = 16;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
const isName = (v: string): boolean => NAME.test(v);

/** A value as a message shows it: scalars as JSON (shortened), containers by kind. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (isObj(v)) return 'an object';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ---- The two dialects: CloudFormation's PascalCase objects, Terraform's snake_case blocks (always lists).

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
type Field = keyof typeof KEYS;

/**
 * Each kind's resource type and name keys, as documented:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_AppMesh.html and
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/appmesh_mesh (and its siblings).
 */
const KINDS: Record<Kind, { cfn: string; tf: string; cfnName: string; cfnParent?: string; tfParent?: string }> = {
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
const kindOf = (type: unknown, dialect: 'cfn' | 'tf'): Kind | undefined => KIND_NAMES.find((k) => KINDS[k][dialect] === type);

/** Fn::GetAtt attributes that are a name the template itself sets (the rest, Arn and Uid, exist only once deployed). */
const NAME_ATTRIBUTES = new Set(KIND_NAMES.map((k) => KINDS[k].cfnName));

type Outcome = { value: unknown } | { why: string };
const splitAtDot = (s: string): [string, string] | undefined => {
  const dot = s.indexOf('.');
  return dot > 0 ? [s.slice(0, dot), s.slice(dot + 1)] : undefined;
};
const failed = (why: string): Outcome => ({ why });

interface At<T> {
  value: T;
  path: string;
}

/** Reads values at paths in one dialect; whatever it cannot use becomes a note naming the path, never an exception. */
class Reader {
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

// ---- Spec readers, one per kind, shared by both dialects.

function readListeners(r: Reader, spec: At<Obj> | undefined): MeshListener[] {
  if (!spec) return [];
  return r.many(spec.value, 'listeners', spec.path).flatMap((l) => {
    const pm = r.one(l.value, 'portMapping', l.path, true);
    if (!pm) return [];
    const port = r.int(pm.value, r.k('port'), pm.path, PORTS, true);
    const protocol = r.protocol(pm.value, pm.path);
    return port !== undefined && protocol ? [{ port, protocol }] : [];
  });
}

function readBackends(r: Reader, spec: At<Obj>): string[] {
  return r.many(spec.value, 'backends', spec.path).flatMap((b) => {
    const vs = r.one(b.value, 'virtualService', b.path, true);
    const name = vs && r.text(vs.value, r.k('virtualServiceName'), vs.path, true);
    return name === undefined ? [] : [name];
  });
}

function readDiscovery(r: Reader, spec: At<Obj>): NodeDiscovery | undefined {
  const sd = r.one(spec.value, 'serviceDiscovery', spec.path);
  if (!sd) return undefined;
  if (r.has(sd.value, 'cloudMap')) {
    const cm = r.one(sd.value, 'cloudMap', sd.path);
    const namespace = cm && r.text(cm.value, r.k('namespaceName'), cm.path, true);
    const service = cm && r.text(cm.value, r.k('serviceName'), cm.path, true);
    return namespace !== undefined && service !== undefined ? { cloudMap: { namespace, service } } : undefined;
  }
  const dns = r.one(sd.value, 'dns', sd.path);
  const hostname = dns && r.text(dns.value, r.k('hostname'), dns.path, true);
  return hostname === undefined ? undefined : { dns: { hostname } };
}

function readNode(r: Reader, props: At<Obj>, name: string): DescribedVirtualNode {
  const spec = r.one(props.value, 'spec', props.path, true);
  const node: DescribedVirtualNode = { name, listeners: readListeners(r, spec), backends: spec ? readBackends(r, spec) : [] };
  const discovery = spec && readDiscovery(r, spec);
  if (discovery) node.discovery = discovery;
  return node;
}

function readRouter(r: Reader, props: At<Obj>, name: string): DescribedVirtualRouter {
  return { name, listeners: readListeners(r, r.one(props.value, 'spec', props.path, true)), routes: [] };
}

const ROUTE_KINDS: readonly [MeshProtocol, Field][] = [
  ['http', 'httpRoute'],
  ['http2', 'http2Route'],
  ['grpc', 'grpcRoute'],
  ['tcp', 'tcpRoute'],
];

function readTarget(r: Reader, t: At<Obj>): DescribedRoute['targets'] {
  const virtualNode = r.text(t.value, r.k('virtualNode'), t.path, true);
  const weight = r.int(t.value, r.k('weight'), t.path, WEIGHTS, true);
  const port = r.int(t.value, r.k('port'), t.path, PORTS, false);
  if (virtualNode === undefined || weight === undefined) return [];
  return [port === undefined ? { virtualNode, weight } : { virtualNode, weight, port }];
}

/** The match prefix of an http or http2 block, if it matches by prefix. */
function readPrefix(r: Reader, block: At<Obj>): string | undefined {
  const match = r.one(block.value, 'match', block.path);
  return match && r.text(match.value, r.k('prefix'), match.path, false);
}

function readRoute(r: Reader, props: At<Obj>, name: string): (DescribedRoute & RouteExtras) | undefined {
  const spec = r.one(props.value, 'spec', props.path, true);
  if (!spec) return undefined;
  const found = ROUTE_KINDS.find(([, field]) => r.has(spec.value, field));
  if (!found) return void r.note(spec.path, `has none of ${ROUTE_KINDS.map(([, f]) => r.k(f)).join(', ')}`);
  const [kind, field] = found;
  const block = r.one(spec.value, field, spec.path, true);
  if (!block) return undefined;
  const action = r.one(block.value, 'action', block.path, true);
  const targets = action ? r.many(action.value, 'weightedTargets', action.path).flatMap((t) => readTarget(r, t)) : [];
  const route: DescribedRoute & RouteExtras = {
    name,
    kind,
    targets,
    retryPolicy: r.has(block.value, 'retryPolicy'),
    timeout: r.has(block.value, 'timeout'),
  };
  const prefix = kind === 'http' || kind === 'http2' ? readPrefix(r, block) : undefined;
  if (prefix !== undefined) route.prefix = prefix;
  return route;
}

function readService(r: Reader, props: At<Obj>, name: string): DescribedVirtualService {
  const spec = r.one(props.value, 'spec', props.path, true);
  const provider = spec && r.one(spec.value, 'provider', spec.path);
  const service: DescribedVirtualService = { name };
  if (provider && r.has(provider.value, 'virtualNode')) {
    const node = r.one(provider.value, 'virtualNode', provider.path);
    const virtualNode = node && r.text(node.value, r.k('virtualNodeName'), node.path, true);
    if (virtualNode !== undefined) service.provider = { virtualNode };
  } else if (provider && r.has(provider.value, 'virtualRouter')) {
    const router = r.one(provider.value, 'virtualRouter', provider.path);
    const virtualRouter = router && r.text(router.value, r.k('virtualRouterName'), router.path, true);
    if (virtualRouter !== undefined) service.provider = { virtualRouter };
  }
  return service;
}

const GATEWAY_ROUTE_KINDS: readonly Field[] = ['httpRoute', 'http2Route', 'grpcRoute'];

/** App Mesh rewrites a gateway route's matched prefix to / unless the route says DISABLED. */
function readRewritePrefix(r: Reader, action: At<Obj>): boolean {
  const rewrite = r.one(action.value, 'rewrite', action.path);
  const prefix = rewrite && r.one(rewrite.value, 'prefix', rewrite.path);
  return (prefix && r.text(prefix.value, r.k('defaultPrefix'), prefix.path, false)) !== 'DISABLED';
}

function readGatewayRoute(r: Reader, props: At<Obj>, name: string, gateway: string): DescribedGatewayRoute & GatewayRouteExtras {
  const route: DescribedGatewayRoute & GatewayRouteExtras = { gateway, name };
  const spec = r.one(props.value, 'spec', props.path, true);
  const field = spec && GATEWAY_ROUTE_KINDS.find((f) => r.has(spec.value, f));
  if (spec && !field) r.note(spec.path, `has none of ${GATEWAY_ROUTE_KINDS.map((f) => r.k(f)).join(', ')}`);
  const block = spec && field && r.one(spec.value, field, spec.path, true);
  if (!block) return route;
  const prefix = field === 'grpcRoute' ? undefined : readPrefix(r, block);
  if (prefix !== undefined) route.prefix = prefix;
  const action = r.one(block.value, 'action', block.path, true);
  const target = action && r.one(action.value, 'target', action.path, true);
  const vs = target && r.one(target.value, 'virtualService', target.path, true);
  const virtualService = vs && r.text(vs.value, r.k('virtualServiceName'), vs.path, true);
  if (virtualService !== undefined) route.virtualService = virtualService;
  if (action && field !== 'grpcRoute') route.rewritePrefix = readRewritePrefix(r, action);
  return route;
}

function readEgressFilter(r: Reader, props: At<Obj>): EgressFilter | undefined {
  const spec = r.one(props.value, 'spec', props.path);
  const filter = spec && r.one(spec.value, 'egressFilter', spec.path);
  const type = filter && r.text(filter.value, r.k('type'), filter.path, true);
  if (type === 'DROP_ALL' || type === 'ALLOW_ALL') return type;
  if (type !== undefined && filter) r.note(`${filter.path}.${r.k('type')}`, `must be DROP_ALL or ALLOW_ALL, found ${shown(type)}`);
  return undefined;
}

// ---- Grouping resources into one description per mesh.

/** One App Mesh resource of either dialect, before its mesh is known. */
interface RawResource {
  kind: Kind;
  props: unknown;
  /** `Logical.Properties` or `address.values`: where its fields are. */
  path: string;
  nameKey: string;
  meshKey: string;
  parentKey?: string;
  /** What to note before anything else (a CloudFormation Condition). */
  preface?: string;
}

interface PendingRoute {
  desc: MeshDescription;
  router: string;
  route: DescribedRoute;
  path: string;
}

type Described = MeshDescription & MeshExtras;

/** Reads one resource into its mesh's description; routes wait until every router is known. */
function readResource(r: Reader, raw: RawResource, props: At<Obj>, desc: Described, pending: PendingRoute[]): void {
  const name = raw.kind === 'mesh' ? desc.mesh : r.text(props.value, raw.nameKey, props.path, true);
  const parent = raw.parentKey === undefined ? undefined : r.text(props.value, raw.parentKey, props.path, true);
  if (name === undefined || (raw.parentKey !== undefined && parent === undefined)) return;
  switch (raw.kind) {
    case 'mesh': {
      const egressFilter = readEgressFilter(r, props);
      if (egressFilter) desc.egressFilter = egressFilter;
      return;
    }
    case 'virtualNode':
      return void desc.virtualNodes.push(readNode(r, props, name));
    case 'virtualRouter':
      return void desc.virtualRouters.push(readRouter(r, props, name));
    case 'virtualService':
      return void desc.virtualServices.push(readService(r, props, name));
    case 'virtualGateway':
      return void desc.virtualGateways.push({ name, listeners: readListeners(r, r.one(props.value, 'spec', props.path, true)) });
    case 'gatewayRoute':
      return void desc.gatewayRoutes.push(readGatewayRoute(r, props, name, parent!));
    case 'route': {
      const route = readRoute(r, props, name);
      if (route) pending.push({ desc, router: parent!, route, path: `${props.path}.${raw.parentKey}` });
      return;
    }
  }
}

/** A route whose router the source does not declare still says where traffic went: keep it under a router with unknown listeners. */
function attachRoutes(pending: PendingRoute[]): void {
  for (const { desc, router, route, path } of pending) {
    let found = desc.virtualRouters.find((vr) => vr.name === router);
    if (!found) {
      found = { name: router, listeners: [], routes: [] };
      desc.virtualRouters.push(found);
      desc.unresolved.push(`${path}: virtual router "${router}" is not declared here; its listeners are unknown`);
    }
    found.routes.push(route);
  }
}

function groupByMesh(raws: RawResource[], r: Reader, source: string, file: string): MeshDescription[] {
  const meshes = new Map<string, Described>();
  const orphans: string[] = [];
  const pending: PendingRoute[] = [];
  for (const raw of raws) {
    r.notes = raw.preface ? [raw.preface] : [];
    const props = r.obj(raw.props, raw.path);
    const mesh = props && r.text(props, raw.meshKey, raw.path, true);
    const desc = mesh === undefined ? undefined : (meshes.get(mesh) ?? meshes.set(mesh, emptyMesh(mesh, source)).get(mesh)!);
    if (desc && props) readResource(r, raw, { value: props, path: raw.path }, desc, pending);
    (desc ? desc.unresolved : orphans).push(...r.notes);
  }
  attachRoutes(pending);
  if (raws.length > 0 && meshes.size === 0) {
    throw new InputError(`${file}: no App Mesh resource names a mesh meshctl can resolve: ${orphans.join('; ')}`);
  }
  // A resource whose mesh is unknown may belong to any of them: each description says it is missing.
  for (const desc of meshes.values()) desc.unresolved.push(...orphans);
  return [...meshes.values()];
}

// ---- CloudFormation intrinsic functions.

/** Resolves the intrinsics a template can answer by itself; the rest (and pseudo parameters) exist only once deployed. */
class CfnTemplate {
  constructor(
    private readonly resources: Obj,
    private readonly parameters: Obj,
  ) {}

  resolve(v: unknown, depth: number, stack: readonly string[]): Outcome {
    if (!isObj(v)) return { value: v };
    const keys = Object.keys(v);
    const fn = keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')) ? keys[0]! : undefined;
    if (fn === undefined) return { value: v };
    if (depth >= MAX_DEPTH) return failed(`intrinsic functions nested more than ${MAX_DEPTH} deep`);
    const arg = v[fn];
    if (fn === 'Ref') {
      return typeof arg === 'string' ? this.prefixed(`Ref ${arg}`, this.lookup(arg, depth, stack)) : failed('Ref needs a logical ID');
    }
    if (fn === 'Fn::GetAtt') return this.getAtt(arg, depth, stack);
    if (fn === 'Fn::Sub') return this.sub(arg, depth, stack);
    if (fn === 'Fn::Join') return this.join(arg, depth, stack);
    return failed(`${fn} cannot be resolved from the template`);
  }

  private prefixed(what: string, out: Outcome): Outcome {
    return 'why' in out ? failed(`${what}: ${out.why}`) : out;
  }

  private scalar(out: Outcome): Outcome {
    if ('why' in out) return out;
    const v = out.value;
    if (typeof v === 'string') return out;
    if (typeof v === 'number' || typeof v === 'boolean') return { value: String(v) };
    return failed(`must be a single value, found ${shown(v)}`);
  }

  /** What `Ref name` (or `${name}` in Fn::Sub) stands for. */
  private lookup(name: string, depth: number, stack: readonly string[]): Outcome {
    if (name.startsWith('AWS::')) return failed('a pseudo parameter, known only when the stack is deployed');
    const param = own(this.parameters, name);
    if (isObj(param)) return param.Default === undefined ? failed('a parameter without a Default') : this.scalar({ value: param.Default });
    const resource = own(this.resources, name);
    if (!isObj(resource)) return failed('not a parameter or resource of this template');
    const kind = kindOf(resource.Type, 'cfn');
    // For App Mesh resources Ref gives the ARN; the name is what meshctl needs, and the template has it.
    if (!kind) return failed(`${typeof resource.Type === 'string' ? resource.Type : 'a resource'}, known only when the stack is deployed`);
    return this.property(name, KINDS[kind].cfnName, depth, stack);
  }

  private attribute(logical: string, attr: string, depth: number, stack: readonly string[]): Outcome {
    const resource = own(this.resources, logical);
    if (!isObj(resource)) return failed('not a resource of this template');
    if (!kindOf(resource.Type, 'cfn') || !NAME_ATTRIBUTES.has(attr)) return failed('known only when the stack is deployed');
    return this.property(logical, attr, depth, stack);
  }

  private property(logical: string, key: string, depth: number, stack: readonly string[]): Outcome {
    const id = `${logical}.Properties.${key}`;
    if (stack.includes(id)) return failed(`${id} refers back to itself`);
    const props = (own(this.resources, logical) as Obj).Properties;
    const v = isObj(props) ? own(props, key) : undefined;
    if (v === undefined) return failed(`${id} is not set`);
    return this.prefixed(id, this.scalar(this.resolve(v, depth + 1, [...stack, id])));
  }

  /** `[Logical, Attr]` or `"Logical.Attr"`. */
  private getAtt(arg: unknown, depth: number, stack: readonly string[]): Outcome {
    const pair: unknown = typeof arg === 'string' ? splitAtDot(arg) : arg;
    const [logical, attr]: unknown[] = Array.isArray(pair) && pair.length === 2 ? pair : [];
    const usage = 'Fn::GetAtt needs [logicalId, attribute] or "logicalId.attribute"';
    if (typeof logical !== 'string' || typeof attr !== 'string') return failed(usage);
    return this.prefixed(`Fn::GetAtt ${logical}.${attr}`, this.attribute(logical, attr, depth + 1, stack));
  }

  /** `"text ${Name} ${Res.Attr} ${!Literal}"` or `[text, {Name: value}]`. */
  private sub(arg: unknown, depth: number, stack: readonly string[]): Outcome {
    const [text, vars, ...extra]: unknown[] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? arg : [];
    if (typeof text !== 'string' || !isObj(vars) || extra.length > 0) return failed('Fn::Sub needs a string or [string, {variables}]');
    let out = '';
    let last = 0;
    for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
      out += text.slice(last, m.index);
      last = m.index + m[0].length;
      const name = m[1]!.trim();
      if (name.startsWith('!')) {
        out += `\${${name.slice(1)}}`;
        continue;
      }
      const got = this.scalar(this.subVariable(name, vars, depth, stack));
      if ('why' in got) return failed(`Fn::Sub \${${name}}: ${got.why}`);
      out += String(got.value);
    }
    return { value: out + text.slice(last) };
  }

  private subVariable(name: string, vars: Obj, depth: number, stack: readonly string[]): Outcome {
    if (Object.hasOwn(vars, name)) return this.resolve(vars[name], depth + 1, stack);
    const pair = splitAtDot(name);
    return pair ? this.attribute(pair[0], pair[1], depth + 1, stack) : this.lookup(name, depth + 1, stack);
  }

  /** `[separator, [parts]]`. */
  private join(arg: unknown, depth: number, stack: readonly string[]): Outcome {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return failed('Fn::Join needs [separator, [values]]');
    const list = this.resolve(arg[1], depth + 1, stack);
    if ('why' in list) return this.prefixed('Fn::Join', list);
    if (!Array.isArray(list.value)) return failed(`Fn::Join needs a list of values, found ${shown(list.value)}`);
    const parts: string[] = [];
    for (const part of list.value) {
      const got = this.scalar(this.resolve(part, depth + 1, stack));
      if ('why' in got) return this.prefixed('Fn::Join', got);
      parts.push(String(got.value));
    }
    return { value: parts.join(arg[0]) };
  }
}

function cfnResource(logical: string, resource: unknown): RawResource[] {
  const kind = isObj(resource) ? kindOf(resource.Type, 'cfn') : undefined;
  if (!kind || !isObj(resource)) return [];
  const { cfnName, cfnParent } = KINDS[kind];
  const raw: RawResource = { kind, props: resource.Properties, path: `${logical}.Properties`, nameKey: cfnName, meshKey: 'MeshName' };
  if (cfnParent) raw.parentKey = cfnParent;
  if (typeof resource.Condition === 'string') {
    raw.preface = `${logical}.Condition: exists only when ${resource.Condition} holds; read as if it does`;
  }
  return [raw];
}

/**
 * A CloudFormation template, parsed (YAML short tags already in their long form), in; one description per
 * mesh its AWS::AppMesh::* resources name out, [] when it has none. What the template cannot resolve by
 * itself (pseudo parameters, Fn::ImportValue, a parameter without a Default) is left out and noted in `unresolved`.
 */
export function fromCloudFormation(template: unknown, file: string): MeshDescription[] {
  if (!isObj(template)) {
    throw new InputError(`${file}: expected a CloudFormation template (an object with Resources), found ${shown(template)}`);
  }
  const resources = template.Resources;
  if (!isObj(resources)) throw new InputError(`${file}: Resources must be an object of resources by logical ID, found ${shown(resources)}`);
  const cfn = new CfnTemplate(resources, isObj(template.Parameters) ? template.Parameters : {});
  // The path being read is also a property ID, so a name that refers to itself is caught on the first lap.
  const reader = new Reader(0, (v, path) => cfn.resolve(v, 0, [path]));
  const raws = Object.entries(resources).flatMap(([logical, resource]) => cfnResource(logical, resource));
  return groupByMesh(raws, reader, `CloudFormation template ${file}`, file);
}

// ---- Terraform state.

function tfResource(resource: unknown): RawResource[] {
  const kind = isObj(resource) ? kindOf(resource.type, 'tf') : undefined;
  // A data source reads an object some other configuration manages; that one describes it.
  if (!kind || !isObj(resource) || resource.mode === 'data') return [];
  const address = typeof resource.address === 'string' ? resource.address : `${String(resource.type)}.${String(resource.name)}`;
  const meshKey = kind === 'mesh' ? 'name' : 'mesh_name';
  const raw: RawResource = { kind, props: resource.values, path: `${address}.values`, nameKey: 'name', meshKey };
  const parent = KINDS[kind].tfParent;
  if (parent) raw.parentKey = parent;
  return [raw];
}

/** Every resource of a module and its child modules, depth first. */
function tfModuleResources(module: unknown, path: string, file: string, depth: number): unknown[] {
  if (depth > MAX_DEPTH) throw new InputError(`${file}: ${path}: modules nested more than ${MAX_DEPTH} deep`);
  if (!isObj(module)) throw new InputError(`${file}: ${path} must be an object, found ${shown(module)}`);
  const listAt = (key: string): unknown[] => {
    const v = module[key];
    if (v !== undefined && v !== null && !Array.isArray(v)) {
      throw new InputError(`${file}: ${path}.${key} must be a list, found ${shown(v)}`);
    }
    return v ?? [];
  };
  const children = listAt('child_modules').flatMap((child, i) => tfModuleResources(child, `${path}.child_modules[${i}]`, file, depth + 1));
  return [...listAt('resources'), ...children];
}

/**
 * The JSON of `terraform show -json` (a state) in; one description per mesh its aws_appmesh_* resources
 * name out, [] when it has none. Resources of child modules count; data sources do not.
 */
export function fromTerraformState(state: unknown, file: string): MeshDescription[] {
  if (!isObj(state)) throw new InputError(`${file}: expected the JSON of \`terraform show -json\` (an object), found ${shown(state)}`);
  if (!isObj(state.values)) {
    const expected = "expected `terraform show -json` of a state that has resources (a plan's JSON has planned_values)";
    throw new InputError(`${file}: has no "values" object; ${expected}`);
  }
  const resources = tfModuleResources(state.values.root_module, 'values.root_module', file, 0);
  const reader = new Reader(1, (v) => ({ value: v }));
  return groupByMesh(resources.flatMap(tfResource), reader, `Terraform state ${file}`, file);
}

// ---- meshctl's own mesh file.

/** A validated mesh file in; the same mesh as a description out (one listener per node and router, http routes by prefix). */
export function fromMeshFile(file: MeshFile, source: string): MeshDescription {
  const desc: Described = { ...emptyMesh(file.mesh.name, `mesh file ${source}`), egressFilter: file.mesh.egressFilter };
  desc.virtualNodes = file.virtualNodes.map((n) => ({
    name: n.name,
    listeners: [{ ...n.listener }],
    backends: [...n.backends],
    discovery: 'cloudMap' in n.serviceDiscovery ? { cloudMap: { ...n.serviceDiscovery.cloudMap } } : { dns: { ...n.serviceDiscovery.dns } },
  }));
  desc.virtualRouters = file.virtualRouters.map((vr) => ({
    name: vr.name,
    listeners: [{ ...vr.listener }],
    routes: vr.routes.map((rt): DescribedRoute & RouteExtras => ({
      name: rt.name,
      kind: 'http',
      targets: rt.targets.map((t) => ({ virtualNode: t.virtualNode, weight: t.weight })),
      retryPolicy: false,
      timeout: false,
      prefix: rt.prefix,
    })),
  }));
  desc.virtualServices = file.virtualServices.map((s) => ({ name: s.name, provider: { ...s.provider } }));
  const gw = file.virtualGateway;
  if (gw) {
    desc.virtualGateways = [{ name: gw.name, listeners: [{ ...gw.listener }] }];
    desc.gatewayRoutes = gw.routes.map((gr): DescribedGatewayRoute & GatewayRouteExtras => ({
      gateway: gw.name,
      name: gr.name,
      prefix: gr.prefix,
      virtualService: gr.virtualService,
      rewritePrefix: gr.rewritePrefix,
    }));
  }
  return desc;
}

// ---- Back to a mesh file.

const fmt = (l: MeshListener): string => `${l.port}/${l.protocol}`;
const validListener = (l: MeshListener): boolean =>
  Number.isInteger(l.port) && l.port >= PORTS.min && l.port <= PORTS.max && PROTOCOLS.includes(l.protocol);

/** Keeps the first of each name; notes the ones the file cannot hold. */
function unique<T extends { name: string }>(items: readonly T[], what: (item: T) => string, notes: string[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (!isName(item.name)) return void notes.push(`${what(item)}: not a name the mesh file can hold (letters, digits, . _ -), left out`);
    if (seen.has(item.name)) return void notes.push(`${what(item)}: declared twice; the second is left out`);
    seen.add(item.name);
    return true;
  });
}

/** The one listener the file holds for an object, noting any others; undefined (noted) when there is none. */
function oneListener(listeners: readonly MeshListener[], what: string, notes: string[]): Listener | undefined {
  const valid = listeners.filter(validListener);
  for (const l of listeners.filter((x) => !validListener(x))) {
    notes.push(`${what}: listener ${fmt(l)} is not a port and protocol the mesh file holds, left out`);
  }
  const [first, ...rest] = valid;
  for (const l of rest) notes.push(`${what}: listener ${fmt(l)} left out (the mesh file holds one listener each)`);
  if (!first) notes.push(`${what}: no listener; the mesh file needs one, so it is left out`);
  return first && { port: first.port, protocol: first.protocol };
}

function fileDiscovery(d: NodeDiscovery | undefined): VirtualNodeDecl['serviceDiscovery'] | undefined {
  if (d && 'cloudMap' in d) return isName(d.cloudMap.namespace) && isName(d.cloudMap.service) ? { cloudMap: { ...d.cloudMap } } : undefined;
  return d && isName(d.dns.hostname) ? { dns: { hostname: d.dns.hostname } } : undefined;
}

function fileNodes(nodes: readonly DescribedVirtualNode[], notes: string[]): VirtualNodeDecl[] {
  return unique(nodes, (n) => `virtual node "${n.name}"`, notes).flatMap((n) => {
    const what = `virtual node "${n.name}"`;
    const listener = oneListener(n.listeners, what, notes);
    const serviceDiscovery = fileDiscovery(n.discovery);
    if (!serviceDiscovery) {
      const why = n.discovery ? 'service discovery names the mesh file cannot hold' : 'no service discovery';
      notes.push(`${what}: ${why}, so it is left out`);
    }
    return listener && serviceDiscovery ? [{ name: n.name, listener, serviceDiscovery, backends: [...n.backends] }] : [];
  });
}

function prefixOf(route: DescribedRoute): string | undefined {
  return 'prefix' in route && typeof route.prefix === 'string' ? route.prefix : undefined;
}

function fileRoute(route: DescribedRoute, router: string, nodes: ReadonlySet<string>, notes: string[]): RouteDecl | undefined {
  const what = `route "${route.name}" of virtual router "${router}"`;
  if (route.kind !== 'http') {
    return void notes.push(`${what}: a ${route.kind} route; the mesh file holds http routes only, so it is left out`);
  }
  const prefix = prefixOf(route);
  if (prefix === undefined || !prefix.startsWith('/')) return void notes.push(`${what}: does not match by path prefix, so it is left out`);
  if (route.retryPolicy) notes.push(`${what}: retry policy left out`);
  if (route.timeout) notes.push(`${what}: timeout left out`);
  const targets = route.targets.filter((t) => {
    const target = `${what}: target "${t.virtualNode}"`;
    if (!nodes.has(t.virtualNode)) return void notes.push(`${target} is not a virtual node of the mesh file, left out`);
    const weightOk = Number.isInteger(t.weight) && t.weight >= WEIGHTS.min && t.weight <= WEIGHTS.max;
    if (!weightOk) return void notes.push(`${target} weight ${t.weight} left out`);
    if (t.port !== undefined) notes.push(`${target} port ${t.port} left out`);
    return true;
  });
  if (targets.length === 0) return void notes.push(`${what}: no target left, so it is left out`);
  return { name: route.name, prefix, targets: targets.map((t) => ({ virtualNode: t.virtualNode, weight: t.weight })) };
}

function fileRouters(routers: readonly DescribedVirtualRouter[], nodes: ReadonlySet<string>, notes: string[]): VirtualRouterDecl[] {
  return unique(routers, (vr) => `virtual router "${vr.name}"`, notes).flatMap((vr) => {
    const listener = oneListener(vr.listeners, `virtual router "${vr.name}"`, notes);
    if (!listener) return [];
    const routes = vr.routes.flatMap((rt) => fileRoute(rt, vr.name, nodes, notes) ?? []);
    return [{ name: vr.name, listener, routes: unique(routes, (rt) => `route "${rt.name}" of virtual router "${vr.name}"`, notes) }];
  });
}

function fileServices(
  services: readonly DescribedVirtualService[],
  nodes: ReadonlySet<string>,
  routers: ReadonlySet<string>,
  notes: string[],
): VirtualServiceDecl[] {
  return unique(services, (s) => `virtual service "${s.name}"`, notes).flatMap((s): VirtualServiceDecl[] => {
    const p = s.provider;
    const ok = p && ('virtualNode' in p ? nodes.has(p.virtualNode) : routers.has(p.virtualRouter));
    if (ok) return [{ name: s.name, provider: { ...p } }];
    const which = !p ? 'no provider' : 'virtualNode' in p ? `virtual node "${p.virtualNode}"` : `virtual router "${p.virtualRouter}"`;
    notes.push(`virtual service "${s.name}": ${p ? `its provider ${which} is not in the mesh file` : which}, so it is left out`);
    return [];
  });
}

function keepBackends(nodes: VirtualNodeDecl[], services: ReadonlySet<string>, notes: string[]): void {
  for (const n of nodes) {
    n.backends = [...new Set(n.backends)].filter((b) => {
      if (!services.has(b)) notes.push(`virtual node "${n.name}": backend "${b}" is not a virtual service of the mesh file, left out`);
      return services.has(b);
    });
  }
}

function rewriteOf(route: DescribedGatewayRoute): boolean {
  // App Mesh's own default when a route does not say: the matched prefix is rewritten to /.
  return 'rewritePrefix' in route && typeof route.rewritePrefix === 'boolean' ? route.rewritePrefix : true;
}

function fileGatewayRoute(route: DescribedGatewayRoute, services: ReadonlySet<string>, notes: string[]): GatewayRouteDecl | undefined {
  const what = `gateway route "${route.name}" of virtual gateway "${route.gateway}"`;
  if (!route.prefix?.startsWith('/')) return void notes.push(`${what}: does not match by path prefix, so it is left out`);
  if (route.virtualService === undefined) return void notes.push(`${what}: no virtual service target, so it is left out`);
  if (!services.has(route.virtualService)) {
    return void notes.push(`${what}: target "${route.virtualService}" is not a virtual service of the mesh file, so it is left out`);
  }
  return { name: route.name, prefix: route.prefix, virtualService: route.virtualService, rewritePrefix: rewriteOf(route) };
}

function fileGateway(desc: MeshDescription, services: ReadonlySet<string>, notes: string[]): VirtualGatewayDecl | undefined {
  const gateways = unique(desc.virtualGateways, (g) => `virtual gateway "${g.name}"`, notes);
  let kept: VirtualGatewayDecl | undefined;
  for (const g of gateways) {
    const routes = desc.gatewayRoutes.filter((gr) => gr.gateway === g.name);
    const what = `virtual gateway "${g.name}"`;
    if (kept) {
      notes.push(`${what}: the mesh file holds one gateway ("${kept.name}"), so it and its ${routes.length} route(s) are left out`);
      continue;
    }
    const listener = oneListener(g.listeners, what, notes);
    if (!listener) {
      if (routes.length > 0) notes.push(`${what}: its ${routes.length} route(s) are left out with it`);
      continue;
    }
    const declared = routes.flatMap((gr) => fileGatewayRoute(gr, services, notes) ?? []);
    kept = { name: g.name, listener, routes: unique(declared, (gr) => `gateway route "${gr.name}" of virtual gateway "${g.name}"`, notes) };
  }
  const known = new Set(gateways.map((g) => g.name));
  for (const gr of desc.gatewayRoutes.filter((x) => !known.has(x.gateway))) {
    notes.push(`gateway route "${gr.name}": its virtual gateway "${gr.gateway}" is not in the mesh file, so it is left out`);
  }
  return kept;
}

/** The Cloud Map namespace the nodes are found in; the file declares one (without its VPC, which no description says). */
function fileNamespace(nodes: readonly VirtualNodeDecl[], notes: string[]): MeshFile['namespace'] {
  const byNamespace = new Map<string, string[]>();
  for (const n of nodes) {
    if (!('cloudMap' in n.serviceDiscovery)) continue;
    const { namespace, service } = n.serviceDiscovery.cloudMap;
    const services = byNamespace.get(namespace) ?? byNamespace.set(namespace, []).get(namespace)!;
    if (!services.includes(service)) services.push(service);
  }
  const [first, ...rest] = [...byNamespace.entries()];
  for (const [name] of rest) {
    notes.push(`Cloud Map namespace "${name}": the mesh file declares one namespace ("${first![0]}"), so it is not declared`);
  }
  return first && { name: first[0], services: first[1] };
}

function egressOf(desc: MeshDescription): EgressFilter {
  return 'egressFilter' in desc && (desc.egressFilter === 'ALLOW_ALL' || desc.egressFilter === 'DROP_ALL') ? desc.egressFilter : 'DROP_ALL';
}

/**
 * A description in; the same mesh in meshctl's mesh file schema out, with a note for each thing the schema
 * cannot hold (a second listener, a non-http route, a second gateway, ...) naming the object and what was left
 * out. Anything left out takes what depends on it along (a route to a left-out node), so the file validates.
 */
export function toMeshFile(desc: MeshDescription): { file: MeshFile; notes: string[] } {
  if (!isName(desc.mesh)) {
    throw new InputError(`${desc.source}: mesh "${desc.mesh}" is not a name the mesh file can hold (letters, digits, . _ -)`);
  }
  const notes: string[] = [];
  const virtualNodes = fileNodes(desc.virtualNodes, notes);
  const nodeNames = new Set(virtualNodes.map((n) => n.name));
  const virtualRouters = fileRouters(desc.virtualRouters, nodeNames, notes);
  const virtualServices = fileServices(desc.virtualServices, nodeNames, new Set(virtualRouters.map((vr) => vr.name)), notes);
  const serviceNames = new Set(virtualServices.map((s) => s.name));
  keepBackends(virtualNodes, serviceNames, notes);
  const virtualGateway = fileGateway(desc, serviceNames, notes);
  const namespace = fileNamespace(virtualNodes, notes);
  const file: MeshFile = {
    ...(namespace ? { namespace } : {}),
    mesh: { name: desc.mesh, egressFilter: egressOf(desc) },
    virtualNodes,
    virtualRouters,
    virtualServices,
    ...(virtualGateway ? { virtualGateway } : {}),
  };
  return { file, notes };
}
