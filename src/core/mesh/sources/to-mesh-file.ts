// ---- Back to a mesh file.

import { InputError } from '../../../errors.js';
import type { MeshDescription } from '../description.js';
import type { Listener, MeshFile, VirtualNodeDecl } from '../file.js';
import { type MeshObject, UNEXPRESSIBLE, objectsToMeshFile } from '../plan.js';
import { isName, isObj, PORTS, shown } from './common.js';
import { listenerFields } from '../shapes.js';
import { MESH_PROTOCOLS as PROTOCOLS } from '../../protocol.js';

type Decl = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Obj = { kind: MeshObject['kind']; name: string; parent?: string; d: Decl };

const KIND_LABEL: Record<string, string> = {
  mesh: 'mesh',
  virtualNode: 'virtual node',
  virtualRouter: 'virtual router',
  route: 'route',
  virtualService: 'virtual service',
  virtualGateway: 'virtual gateway',
  gatewayRoute: 'gateway route',
};
const what = (o: { kind: string; name: string; parent?: string }): string => {
  const parent =
    o.kind === 'route' ? ` of virtual router "${o.parent}"` : o.kind === 'gatewayRoute' ? ` of virtual gateway "${o.parent}"` : '';
  return `${KIND_LABEL[o.kind] ?? o.kind} "${o.name}"${parent}`;
};

/** A description built without objects (by hand, in tests): its fields as objects, in the file's terms. */
function objectsOfDescription(desc: MeshDescription): MeshObject[] {
  const out: MeshObject[] = [{ kind: 'mesh', name: desc.mesh, decl: { egressFilter: desc.egressFilter ?? 'DROP_ALL' } }];
  const listeners = (ls: readonly { port: number; protocol: string }[]) => ({ listeners: ls.map((l) => ({ ...l })) });
  for (const n of desc.virtualNodes) {
    const serviceDiscovery = n.discovery ? structuredClone(n.discovery) : {};
    out.push({ kind: 'virtualNode', name: n.name, decl: { ...listeners(n.listeners), serviceDiscovery, backends: [...n.backends] } });
  }
  for (const vr of desc.virtualRouters) {
    out.push({ kind: 'virtualRouter', name: vr.name, decl: listeners(vr.listeners) });
    for (const r of vr.routes) {
      const decl = { protocol: r.kind === 'http' ? undefined : r.kind, prefix: r.prefix, targets: r.targets.map((t) => ({ ...t })) };
      out.push({ kind: 'route', name: r.name, parent: vr.name, decl: JSON.parse(JSON.stringify(decl)) });
    }
  }
  for (const s of desc.virtualServices) out.push({ kind: 'virtualService', name: s.name, decl: { provider: { ...s.provider } } });
  for (const g of desc.virtualGateways) out.push({ kind: 'virtualGateway', name: g.name, decl: listeners(g.listeners) });
  for (const gr of desc.gatewayRoutes) {
    const decl = {
      prefix: gr.prefix,
      virtualService: gr.virtualService,
      rewritePrefix: gr.prefix === undefined ? undefined : (gr.rewritePrefix ?? true),
    };
    out.push({ kind: 'gatewayRoute', name: gr.name, parent: gr.gateway, decl: JSON.parse(JSON.stringify(decl)) });
  }
  return out;
}

/** The import's notes in order; `lost` holds those that leave something out of the file. */
class Notes {
  readonly all: string[] = [];
  readonly lost: string[] = [];
  /** Something of the source the file does not hold. */
  lose(note: string): void {
    this.all.push(note);
    this.lost.push(note);
  }
  /** Something said that loses nothing. */
  say(note: string): void {
    this.all.push(note);
  }
}

/** Keeps the first of each name (per parent); notes names the file cannot hold and names given twice. */
function unique(objects: Obj[], notes: Notes): Obj[] {
  const seen = new Set<string>();
  return objects.filter((o) => {
    if (!isName(o.name)) return void notes.lose(`${what(o)}: not a name the mesh file can hold (letters, digits, . _ -), left out`);
    const key = `${o.kind}/${o.parent ?? ''}/${o.name}`;
    if (seen.has(key)) return void notes.lose(`${what(o)}: declared twice; the second is left out`);
    seen.add(key);
    return true;
  });
}

/** The object's listeners the file can hold; false (noted) when none is left. */
function keepListeners(o: Obj, notes: Notes): boolean {
  const all = (Array.isArray(o.d.listeners) ? o.d.listeners : o.d.listener ? [o.d.listener] : []) as Decl[];
  const valid = all.filter((l) => Number.isInteger(l.port) && l.port >= PORTS.min && l.port <= PORTS.max && PROTOCOLS.includes(l.protocol));
  for (const l of all.filter((x) => !valid.includes(x))) {
    notes.lose(`${what(o)}: listener ${shown(l.port)}/${shown(l.protocol)} is not a port and protocol the mesh file holds, left out`);
  }
  if (valid.length === 0) {
    notes.lose(`${what(o)}: no listener; the mesh file needs one, so it is left out`);
    return false;
  }
  if (Array.isArray(o.d.listeners)) {
    // The shortest form again: `listener` (and a node's `healthCheck`) for one that says no more.
    const { listeners: _all, ...rest } = o.d;
    o.d = { ...rest, ...listenerFields(valid as Listener[], o.kind === 'virtualNode') };
  }
  return true;
}

function hasDiscovery(o: Obj, notes: Notes): boolean {
  const sd = o.d.serviceDiscovery as Decl | undefined;
  const ok = sd?.cloudMap ? isName(sd.cloudMap.namespace) && isName(sd.cloudMap.service) : typeof sd?.dns?.hostname === 'string';
  if (!ok)
    notes.lose(
      `${what(o)}: ${sd?.cloudMap || sd?.dns ? 'service discovery names the mesh file cannot hold' : 'no service discovery'}, so it is left out`,
    );
  return ok;
}

/** Routes to nodes the file holds: other targets are noted and left out, and a route left without any with them. */
function keepTargets(o: Obj, nodes: ReadonlySet<string>, notes: Notes): boolean {
  o.d.targets = ((o.d.targets ?? []) as Decl[]).filter((t) => {
    if (!nodes.has(t.virtualNode)) notes.lose(`${what(o)}: target "${t.virtualNode}" is not a virtual node of the mesh file, left out`);
    return nodes.has(t.virtualNode);
  });
  if (o.d.targets.length === 0) notes.lose(`${what(o)}: no target left, so it is left out`);
  return o.d.targets.length > 0;
}

/** The Cloud Map namespace the nodes are found in; the file declares one (without its VPC, which no description says). */
function fileNamespace(nodes: readonly VirtualNodeDecl[], notes: Notes): MeshFile['namespace'] {
  const byNamespace = new Map<string, string[]>();
  for (const n of nodes) {
    if (!('cloudMap' in n.serviceDiscovery)) continue;
    const { namespace, service } = n.serviceDiscovery.cloudMap;
    const services = byNamespace.get(namespace) ?? byNamespace.set(namespace, []).get(namespace)!;
    if (!services.includes(service)) services.push(service);
  }
  const [first, ...rest] = [...byNamespace.entries()];
  for (const [name] of rest) {
    notes.say(`Cloud Map namespace "${name}": the mesh file declares one namespace ("${first![0]}"), so it is not declared`);
  }
  return first && { name: first[0], services: first[1] };
}

/**
 * A description in; the same mesh in meshctl's mesh file out, every field App Mesh held that the file can express
 * (all of them but what `unexpressible` names), with a note for each thing left out, naming the object and why.
 * Anything left out takes what depends on it along (a route to a left-out node), so the file validates. A backend
 * that names a virtual service the file does not declare is kept as a reference (`externalVirtualServices`).
 */
export function descriptionToMeshFile(desc: MeshDescription): { file: MeshFile; notes: string[]; lost: string[] } {
  if (!isName(desc.mesh)) {
    throw new InputError(`${desc.source}: mesh "${desc.mesh}" is not a name the mesh file can hold (letters, digits, . _ -)`);
  }
  const notes = new Notes();
  const all = unique(
    (desc.objects ?? objectsOfDescription(desc))
      .filter((o) => o.kind !== 'namespace' && o.kind !== 'cloudMapService')
      .map((o) => ({
        kind: o.kind,
        name: o.name,
        ...(o.parent !== undefined ? { parent: o.parent } : {}),
        d: structuredClone(o.decl ?? {}) as Decl,
      })),
    notes,
  );
  for (const o of all) {
    const lost = o.d[UNEXPRESSIBLE];
    if (isObj(lost)) for (const path of Object.keys(lost)) notes.lose(`${what(o)}: ${path} is not expressible in the mesh file, left out`);
    delete o.d[UNEXPRESSIBLE];
  }
  const of = (kind: MeshObject['kind']) => all.filter((o) => o.kind === kind);
  const nodes = of('virtualNode').filter((o) => keepListeners(o, notes) && hasDiscovery(o, notes));
  const nodeNames = new Set(nodes.map((n) => n.name));
  const routers = of('virtualRouter').filter((o) => keepListeners(o, notes));
  const routerNames = new Set(routers.map((r) => r.name));
  const routes = of('route').filter((o) => {
    const router = routers.find((r) => r.name === o.parent);
    if (!router) return void notes.lose(`${what(o)}: its virtual router is not in the mesh file, so it is left out`);
    const protocol = o.d.protocol ?? 'http';
    const offered = ((router.d.listeners ?? [router.d.listener]) as Decl[]).map((l) => l.protocol);
    if ((protocol === 'http' || protocol === 'http2') && o.d.prefix === undefined && o.d.match?.path === undefined) {
      return void notes.lose(`${what(o)}: matches neither a path prefix nor a path, so it is left out`);
    }
    if (!offered.includes(protocol)) {
      return void notes.lose(`${what(o)}: a ${protocol} route under ${offered.join(', ')} listeners, so it is left out`);
    }
    return keepTargets(o, nodeNames, notes);
  });
  const services = of('virtualService').filter((o) => {
    const p = (o.d.provider ?? {}) as Decl;
    const ok =
      typeof p.virtualNode === 'string'
        ? nodeNames.has(p.virtualNode)
        : typeof p.virtualRouter === 'string' && routerNames.has(p.virtualRouter);
    const which = p.virtualNode !== undefined ? `virtual node "${p.virtualNode}"` : `virtual router "${p.virtualRouter}"`;
    if (!ok)
      notes.lose(
        `${what(o)}: ${(p.virtualNode ?? p.virtualRouter) ? `its provider ${which} is not in the mesh file` : 'no provider'}, so it is left out`,
      );
    return ok;
  });
  const serviceNames = new Set(services.map((s) => s.name));
  const external = new Set<string>();
  for (const n of nodes) {
    n.d.backends = [...new Set((n.d.backends ?? []) as string[])];
    for (const b of n.d.backends as string[]) {
      if (serviceNames.has(b) || external.has(b)) continue;
      external.add(b);
      notes.say(`${what(n)}: backend "${b}" is not a virtual service of the mesh file; kept as a reference (externalVirtualServices)`);
    }
  }
  const gateways = of('virtualGateway').filter((o) => keepListeners(o, notes));
  const gatewayNames = new Set(gateways.map((g) => g.name));
  const gatewayRoutes = of('gatewayRoute').filter((o) => {
    if (!gatewayNames.has(o.parent!)) return void notes.lose(`${what(o)}: its virtual gateway is not in the mesh file, so it is left out`);
    if (typeof o.d.virtualService !== 'string') return void notes.lose(`${what(o)}: no virtual service target, so it is left out`);
    if (o.d.protocol !== 'grpc' && o.d.prefix === undefined && o.d.match?.path === undefined) {
      return void notes.lose(`${what(o)}: matches neither a path prefix nor a path, so it is left out`);
    }
    if (serviceNames.has(o.d.virtualService)) return true;
    notes.lose(`${what(o)}: target "${o.d.virtualService}" is not a virtual service of the mesh file, so it is left out`);
    return false;
  });
  const kept = [...of('mesh'), ...nodes, ...routers, ...routes, ...services, ...gateways, ...gatewayRoutes];
  const file = objectsToMeshFile(kept.map(({ d, ...o }) => ({ ...o, decl: d }))) as MeshFile;
  const namespace = fileNamespace(file.virtualNodes, notes);
  const meshDecl = (of('mesh')[0]?.d ?? {}) as Decl;
  return {
    file: {
      ...(namespace ? { namespace } : {}),
      mesh: {
        name: desc.mesh,
        egressFilter: meshDecl.egressFilter === 'ALLOW_ALL' ? 'ALLOW_ALL' : (desc.egressFilter ?? 'DROP_ALL'),
        ...(meshDecl.serviceDiscovery ? { serviceDiscovery: meshDecl.serviceDiscovery } : {}),
        ...(desc.owner !== undefined ? { owner: desc.owner } : {}),
      },
      virtualNodes: file.virtualNodes,
      virtualRouters: file.virtualRouters,
      virtualServices: file.virtualServices,
      ...(external.size ? { externalVirtualServices: [...external] } : {}),
      ...(file.virtualGateway ? { virtualGateway: file.virtualGateway } : {}),
      ...(file.virtualGateways ? { virtualGateways: file.virtualGateways } : {}),
    },
    notes: notes.all,
    lost: notes.lost,
  };
}
