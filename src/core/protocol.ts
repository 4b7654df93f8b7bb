/** App Mesh's listener and route protocols: the one list every reader, validator and planner uses. */
export const MESH_PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
export type MeshProtocol = (typeof MESH_PROTOCOLS)[number];

/**
 * The protocols a virtual gateway listens on, which are also the values of an ECS port mapping's
 * appProtocol (tcp has none there: a TCP port mapping leaves appProtocol out).
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
 */
export const APP_PROTOCOLS = ['http', 'http2', 'grpc'] as const;
export type AppProtocol = (typeof APP_PROTOCOLS)[number];

export const isMeshProtocol = (v: unknown): v is MeshProtocol => (MESH_PROTOCOLS as readonly unknown[]).includes(v);
export const isAppProtocol = (v: unknown): v is AppProtocol => (APP_PROTOCOLS as readonly unknown[]).includes(v);
