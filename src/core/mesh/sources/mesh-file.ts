// ---- meshctl's own mesh file.

import { MeshDescription, emptyMesh, DescribedRoute, DescribedGatewayRoute } from '../description.js';
import { MeshFile } from '../file.js';
import { RouteExtras, GatewayRouteExtras } from './common.js';
import { Described } from './group.js';

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
