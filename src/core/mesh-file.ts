import { InputError } from '../errors.js';

/** A listener as the mesh file writes it. */
export interface Listener {
  port: number;
  protocol: 'http' | 'http2' | 'grpc' | 'tcp';
}

export interface HealthCheck {
  protocol: 'http' | 'http2' | 'grpc' | 'tcp';
  path?: string;
  intervalMillis: number;
  timeoutMillis: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface VirtualNodeDecl {
  name: string;
  listener: Listener;
  healthCheck?: HealthCheck;
  serviceDiscovery: { cloudMap: { namespace: string; service: string } } | { dns: { hostname: string } };
  backends: string[];
}

export interface RouteDecl {
  name: string;
  prefix: string;
  targets: { virtualNode: string; weight: number }[];
}

export interface VirtualRouterDecl {
  name: string;
  listener: Listener;
  routes: RouteDecl[];
}

export interface VirtualServiceDecl {
  name: string;
  provider: { virtualRouter: string } | { virtualNode: string };
}

export interface GatewayRouteDecl {
  name: string;
  prefix: string;
  virtualService: string;
  /** Off unless the file asks: the runbook author had to turn the console's default rewrite off. */
  rewritePrefix: boolean;
}

export interface VirtualGatewayDecl {
  name: string;
  listener: Listener;
  routes: GatewayRouteDecl[];
}

/** The whole App Mesh side of one or more services, as one file declares it. */
export interface MeshFile {
  /** vpc is needed only to create the namespace; export leaves it out (Cloud Map does not say). */
  namespace?: { name: string; vpc?: string; services: string[] };
  mesh: { name: string; egressFilter: 'DROP_ALL' | 'ALLOW_ALL' };
  virtualNodes: VirtualNodeDecl[];
  virtualRouters: VirtualRouterDecl[];
  virtualServices: VirtualServiceDecl[];
  virtualGateway?: VirtualGatewayDecl;
}

const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

type Obj = Record<string, unknown>;

/** Validates one value at a path; every failure names the path in the file. */
class Reader {
  constructor(readonly file: string) {}
  fail(path: string, message: string): never {
    throw new InputError(`${this.file}: ${path}: ${message}`);
  }
  obj(v: unknown, path: string): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'must be an object');
    return v as Obj;
  }
  only(o: Obj, path: string, keys: string[]): void {
    for (const k of Object.keys(o))
      if (!keys.includes(k)) this.fail(path ? `${path}.${k}` : k, `unknown field; expected one of ${keys.join(', ')}`);
  }
  arr(v: unknown, path: string, optional = true): unknown[] {
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) this.fail(path, 'must be a list');
    return v;
  }
  name(v: unknown, path: string): string {
    if (typeof v !== 'string' || !NAME.test(v)) this.fail(path, `must be a name (letters, digits, . _ -), found ${JSON.stringify(v)}`);
    return v;
  }
  int(v: unknown, path: string, min: number, max: number, fallback?: number): number {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(path, `must be a whole number from ${min} to ${max}, found ${JSON.stringify(v)}`);
    return v;
  }
  oneOf<T extends string>(v: unknown, path: string, values: readonly T[], fallback?: T): T {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !values.includes(v as T))
      this.fail(path, `must be one of ${values.join(', ')}, found ${JSON.stringify(v)}`);
    return v as T;
  }
  prefix(v: unknown, path: string): string {
    if (typeof v !== 'string' || !v.startsWith('/')) this.fail(path, `must be a path prefix starting with /, found ${JSON.stringify(v)}`);
    return v;
  }
  listener(v: unknown, path: string): Listener {
    const o = this.obj(v, path);
    this.only(o, path, ['port', 'protocol']);
    return { port: this.int(o.port, `${path}.port`, 1, 65535), protocol: this.oneOf(o.protocol, `${path}.protocol`, PROTOCOLS, 'http') };
  }
  unique<T extends { name: string }>(items: T[], path: string): T[] {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.name)) this.fail(`${path}[${i}].name`, `"${it.name}" is declared twice`);
      seen.add(it.name);
    });
    return items;
  }
}

/** Parsed YAML or JSON in; a validated MeshFile out, or an InputError naming the path (`virtualNodes[1].listener.port`). */
export function validateMeshFile(value: unknown, file: string): MeshFile {
  const r = new Reader(file);
  const root = r.obj(value, '(top)');
  r.only(root, '', ['namespace', 'mesh', 'virtualNodes', 'virtualRouters', 'virtualServices', 'virtualGateway']);

  let namespace: MeshFile['namespace'];
  if (root.namespace !== undefined) {
    const n = r.obj(root.namespace, 'namespace');
    r.only(n, 'namespace', ['name', 'vpc', 'services']);
    if (n.vpc !== undefined && (typeof n.vpc !== 'string' || !/^vpc-[0-9a-f]+$/.test(n.vpc)))
      r.fail('namespace.vpc', `must be a VPC id (vpc-…), found ${JSON.stringify(n.vpc)}`);
    namespace = {
      name: r.name(n.name, 'namespace.name'),
      ...(n.vpc !== undefined ? { vpc: n.vpc as string } : {}),
      services: r.arr(n.services, 'namespace.services').map((s, i) => r.name(s, `namespace.services[${i}]`)),
    };
  }
  const m = r.obj(root.mesh, 'mesh');
  r.only(m, 'mesh', ['name', 'egressFilter']);
  const mesh = {
    name: r.name(m.name, 'mesh.name'),
    egressFilter: r.oneOf(m.egressFilter, 'mesh.egressFilter', ['DROP_ALL', 'ALLOW_ALL'] as const, 'DROP_ALL'),
  };

  const virtualNodes = r.unique(
    r.arr(root.virtualNodes, 'virtualNodes').map((v, i): VirtualNodeDecl => {
      const p = `virtualNodes[${i}]`;
      const o = r.obj(v, p);
      r.only(o, p, ['name', 'listener', 'healthCheck', 'serviceDiscovery', 'backends']);
      let healthCheck: HealthCheck | undefined;
      if (o.healthCheck !== undefined) {
        const h = r.obj(o.healthCheck, `${p}.healthCheck`);
        r.only(h, `${p}.healthCheck`, ['protocol', 'path', 'intervalMillis', 'timeoutMillis', 'healthyThreshold', 'unhealthyThreshold']);
        const protocol = r.oneOf(h.protocol, `${p}.healthCheck.protocol`, PROTOCOLS, 'http');
        healthCheck = {
          protocol,
          ...(protocol === 'http' || protocol === 'http2' ? { path: r.prefix(h.path ?? '/', `${p}.healthCheck.path`) } : {}),
          intervalMillis: r.int(h.intervalMillis, `${p}.healthCheck.intervalMillis`, 5000, 300000, 5000),
          timeoutMillis: r.int(h.timeoutMillis, `${p}.healthCheck.timeoutMillis`, 2000, 60000, 2000),
          healthyThreshold: r.int(h.healthyThreshold, `${p}.healthCheck.healthyThreshold`, 2, 10, 2),
          unhealthyThreshold: r.int(h.unhealthyThreshold, `${p}.healthCheck.unhealthyThreshold`, 2, 10, 2),
        };
      }
      const sd = r.obj(o.serviceDiscovery, `${p}.serviceDiscovery`);
      r.only(sd, `${p}.serviceDiscovery`, ['cloudMap', 'dns']);
      let serviceDiscovery: VirtualNodeDecl['serviceDiscovery'];
      if (sd.cloudMap !== undefined) {
        const cm = r.obj(sd.cloudMap, `${p}.serviceDiscovery.cloudMap`);
        r.only(cm, `${p}.serviceDiscovery.cloudMap`, ['namespace', 'service']);
        serviceDiscovery = {
          cloudMap: {
            namespace: r.name(cm.namespace, `${p}.serviceDiscovery.cloudMap.namespace`),
            service: r.name(cm.service, `${p}.serviceDiscovery.cloudMap.service`),
          },
        };
      } else if (sd.dns !== undefined) {
        const d = r.obj(sd.dns, `${p}.serviceDiscovery.dns`);
        r.only(d, `${p}.serviceDiscovery.dns`, ['hostname']);
        serviceDiscovery = { dns: { hostname: r.name(d.hostname, `${p}.serviceDiscovery.dns.hostname`) } };
      } else return r.fail(`${p}.serviceDiscovery`, 'needs cloudMap or dns');
      const node: VirtualNodeDecl = {
        name: r.name(o.name, `${p}.name`),
        listener: r.listener(o.listener, `${p}.listener`),
        serviceDiscovery,
        backends: r.arr(o.backends, `${p}.backends`).map((b, j) => r.name(b, `${p}.backends[${j}]`)),
      };
      if (healthCheck) node.healthCheck = healthCheck;
      return node;
    }),
    'virtualNodes',
  );
  const nodeNames = new Set(virtualNodes.map((n) => n.name));

  const virtualRouters = r.unique(
    r.arr(root.virtualRouters, 'virtualRouters').map((v, i): VirtualRouterDecl => {
      const p = `virtualRouters[${i}]`;
      const o = r.obj(v, p);
      r.only(o, p, ['name', 'listener', 'routes']);
      const routes = r.unique(
        r.arr(o.routes, `${p}.routes`).map((rv, j): RouteDecl => {
          const rp = `${p}.routes[${j}]`;
          const ro = r.obj(rv, rp);
          r.only(ro, rp, ['name', 'prefix', 'targets']);
          const targets = r.arr(ro.targets, `${rp}.targets`, false).map((t, k) => {
            const tp = `${rp}.targets[${k}]`;
            const to = r.obj(t, tp);
            r.only(to, tp, ['virtualNode', 'weight']);
            const node = r.name(to.virtualNode, `${tp}.virtualNode`);
            if (!nodeNames.has(node)) r.fail(`${tp}.virtualNode`, `"${node}" is not a virtual node of this file`);
            return { virtualNode: node, weight: r.int(to.weight, `${tp}.weight`, 0, 100, 1) };
          });
          if (targets.length === 0) r.fail(`${rp}.targets`, 'needs at least one target');
          return { name: r.name(ro.name, `${rp}.name`), prefix: r.prefix(ro.prefix ?? '/', `${rp}.prefix`), targets };
        }),
        `${p}.routes`,
      );
      return { name: r.name(o.name, `${p}.name`), listener: r.listener(o.listener, `${p}.listener`), routes };
    }),
    'virtualRouters',
  );
  const routerNames = new Set(virtualRouters.map((x) => x.name));

  const virtualServices = r.unique(
    r.arr(root.virtualServices, 'virtualServices').map((v, i): VirtualServiceDecl => {
      const p = `virtualServices[${i}]`;
      const o = r.obj(v, p);
      r.only(o, p, ['name', 'provider']);
      const pr = r.obj(o.provider, `${p}.provider`);
      r.only(pr, `${p}.provider`, ['virtualRouter', 'virtualNode']);
      let provider: VirtualServiceDecl['provider'];
      if (pr.virtualRouter !== undefined) {
        const name = r.name(pr.virtualRouter, `${p}.provider.virtualRouter`);
        if (!routerNames.has(name)) r.fail(`${p}.provider.virtualRouter`, `"${name}" is not a virtual router of this file`);
        provider = { virtualRouter: name };
      } else if (pr.virtualNode !== undefined) {
        const name = r.name(pr.virtualNode, `${p}.provider.virtualNode`);
        if (!nodeNames.has(name)) r.fail(`${p}.provider.virtualNode`, `"${name}" is not a virtual node of this file`);
        provider = { virtualNode: name };
      } else return r.fail(`${p}.provider`, 'needs virtualRouter or virtualNode');
      return { name: r.name(o.name, `${p}.name`), provider };
    }),
    'virtualServices',
  );
  const serviceNames = new Set(virtualServices.map((s) => s.name));
  virtualNodes.forEach((n, i) =>
    n.backends.forEach((b, j) => {
      if (!serviceNames.has(b)) r.fail(`virtualNodes[${i}].backends[${j}]`, `"${b}" is not a virtual service of this file`);
    }),
  );

  let virtualGateway: VirtualGatewayDecl | undefined;
  if (root.virtualGateway !== undefined) {
    const o = r.obj(root.virtualGateway, 'virtualGateway');
    r.only(o, 'virtualGateway', ['name', 'listener', 'routes']);
    virtualGateway = {
      name: r.name(o.name, 'virtualGateway.name'),
      listener: r.listener(o.listener, 'virtualGateway.listener'),
      routes: r.unique(
        r.arr(o.routes, 'virtualGateway.routes').map((rv, j): GatewayRouteDecl => {
          const rp = `virtualGateway.routes[${j}]`;
          const ro = r.obj(rv, rp);
          r.only(ro, rp, ['name', 'prefix', 'virtualService', 'rewritePrefix']);
          const vs = r.name(ro.virtualService, `${rp}.virtualService`);
          if (!serviceNames.has(vs)) r.fail(`${rp}.virtualService`, `"${vs}" is not a virtual service of this file`);
          if (ro.rewritePrefix !== undefined && typeof ro.rewritePrefix !== 'boolean')
            r.fail(`${rp}.rewritePrefix`, 'must be true or false');
          return {
            name: r.name(ro.name, `${rp}.name`),
            prefix: r.prefix(ro.prefix, `${rp}.prefix`),
            virtualService: vs,
            rewritePrefix: ro.rewritePrefix === true,
          };
        }),
        'virtualGateway.routes',
      ),
    };
  }
  return {
    ...(namespace ? { namespace } : {}),
    mesh,
    virtualNodes,
    virtualRouters,
    virtualServices,
    ...(virtualGateway ? { virtualGateway } : {}),
  };
}
