import { unlessNotFound } from '../aws/aws-error.js';
import { nameOfArn } from '../core/arn.js';
import type { Context } from '../runtime/context.js';

/** A Cloud Map namespace with its services, as the migration's planner and cleanup read them. */
export interface CloudMapNamespace {
  id: string;
  name: string;
  /** ListNamespaces' type (DNS_PRIVATE, DNS_PUBLIC, HTTP). */
  type: string;
  services: { id: string; name: string }[];
}

/** Every Cloud Map namespace of the account and region, each with its services (following pages). */
export async function readCloudMap(ctx: Context): Promise<CloudMapNamespace[]> {
  const sd = await ctx.aws.serviceDiscovery();
  const namespaces: CloudMapNamespace[] = [];
  for (const ns of await sd.listNamespaces()) {
    ctx.checkpoint();
    namespaces.push({ ...ns, services: (await sd.listServices(ns.id)).map(({ id, name }) => ({ id, name })) });
  }
  return namespaces;
}

/**
 * The Cloud Map service and namespace an ECS service registry points at, or undefined when the Cloud
 * Map service was deleted (a registry then names nothing). `known` saves the lookups: a service its
 * namespace's listing holds (readCloudMap) needs no GetService, so a cluster's plan makes none per service.
 */
export async function registryOf(
  ctx: Context,
  registryArn: string,
  known: readonly { id: string; name: string; type?: string; services?: readonly { id: string; name: string }[] }[] = [],
): Promise<{ service: string; namespace: string; namespaceType?: string } | undefined> {
  const id = nameOfArn(registryArn);
  // Only a listing that holds it once: an emulator that ignores ListServices' namespace filter (moto 5.2.1) lists
  // every service under every namespace, and GetService then says which namespace it is in.
  const holding = known.filter((ns) => ns.services?.some((s) => s.id === id));
  if (holding.length === 1) {
    const ns = holding[0]!;
    return { service: ns.services!.find((s) => s.id === id)!.name, namespace: ns.name, namespaceType: ns.type };
  }
  const sd = await ctx.aws.serviceDiscovery();
  const cm = await unlessNotFound(sd.getService(id));
  if (!cm?.name || !cm.namespaceId) return undefined;
  const ns = known.find((n) => n.id === cm.namespaceId) ?? (await unlessNotFound(sd.getNamespace(cm.namespaceId)));
  return ns?.name ? { service: cm.name, namespace: ns.name, namespaceType: ns.type } : undefined;
}
