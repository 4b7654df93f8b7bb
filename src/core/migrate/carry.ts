// ---- rule 12: what the mesh did that Service Connect has a setting for --------------------------
//
// A node's listener timeouts and its routes' timeouts, a listener's TLS from AWS Private CA and the node's
// access log are carried into the serviceConnectConfiguration `migrate apply` sends; what cannot be carried
// is a parity row that says so (parity.ts adds the features Service Connect runs without a setting).
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectConfiguration.html

import type {
  LogConfiguration,
  ServiceConnectAccessLogConfiguration,
  ServiceConnectTlsConfiguration,
  TimeoutConfiguration,
} from '@aws-sdk/client-ecs';
import type { Duration, HttpTimeout, ListenerTimeout, Logging, NodeListener, RouteDecl, VirtualNodeDecl } from '../mesh/file.js';
import type { MeshDescription } from '../mesh/description.js';
import type { ParityRow } from './parity.js';
import { containersOf, type Draft, type PlannedListener } from './types.js';

/** What ACM said of a listener's certificate (DescribeCertificate): its type and the AWS Private CA that issued it. */
export interface CertificateFacts {
  arn: string;
  /** AMAZON_ISSUED, PRIVATE or IMPORTED. */
  type?: string;
  /** CertificateAuthorityArn: the AWS Private CA that issued a PRIVATE certificate. */
  issuer?: string;
}

/** What IAM said of --tls-role: whether it exists and its attached managed policies. */
export interface TlsRoleFacts {
  arn: string;
  found: boolean;
  attached: string[];
}

/** Every ACM certificate ARN a node listener of the descriptions names, once each. */
export function certificateArns(meshes: readonly MeshDescription[]): string[] {
  const arns = meshes.flatMap((m) =>
    (m.objects ?? [])
      .filter((o) => o.kind === 'virtualNode')
      .flatMap((o) => listenersOfNode(o.decl as VirtualNodeDecl))
      .map((l) => (l.tls?.certificate as Decl | undefined)?.acm?.certificateArn)
      .filter((a): a is string => typeof a === 'string'),
  );
  return [...new Set(arns)];
}

/** What one port of the service carries, by the listener's port. */
export interface CarriedPort {
  timeout?: TimeoutConfiguration;
  tls?: ServiceConnectTlsConfiguration;
}

/** What the plan carries into the serviceConnectConfiguration, and the rows that say what came of each setting. */
export interface Carried {
  ports: Record<number, CarriedPort>;
  logConfiguration?: LogConfiguration;
  accessLogConfiguration?: ServiceConnectAccessLogConfiguration;
  rows: ParityRow[];
}

/** App Mesh's per-request timeout where neither a listener nor a route sets one (its default, and envoy's). */
export const APP_MESH_DEFAULT_PER_REQUEST_S = 15;
/** The managed policy the Service Connect TLS infrastructure role needs (ECS assumes the role). */
export const TLS_ROLE_POLICY =
  'arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity';
/** The stream prefix of the Service Connect proxy's own log streams, beside the application's. */
export const PROXY_STREAM_PREFIX = 'service-connect';

type Decl = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const same = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** The node's declaration (in the mesh file's terms) and the routes that send to it, from the description the plan used. */
export function nodeDecls(d: Draft, meshes: readonly MeshDescription[]): { node?: VirtualNodeDecl; routes: RouteDecl[] } {
  const vn = d.virtualNode;
  const m = vn && meshes.find((x) => x.source === d.nodeSource && same(x.mesh, vn.mesh));
  if (!vn || !m?.objects) return { routes: [] };
  const node = m.objects.find((o) => o.kind === 'virtualNode' && same(o.name, vn.name))?.decl as VirtualNodeDecl | undefined;
  const routes = m.objects
    .filter((o) => o.kind === 'route')
    .map((o) => ({ ...(o.decl as Decl), name: o.name }) as RouteDecl)
    .filter((r) => (r.targets ?? []).some((t) => same(t.virtualNode, vn.name)));
  return { ...(node ? { node } : {}), routes };
}

/** Every listener of a node declaration, whole (the `listener` shorthand with its top-level health check, or `listeners`). */
export function listenersOfNode(node: VirtualNodeDecl): NodeListener[] {
  if (node.listeners?.length) return node.listeners;
  if (!node.listener) return [];
  return [{ ...node.listener, ...(node.healthCheck ? { healthCheck: node.healthCheck } : {}) }];
}

const seconds = (x: Duration) => (x.unit === 'ms' ? x.value / 1000 : x.value);
const say = (x: Duration) => `${x.value} ${x.unit}`;
/** The larger of two timeouts in seconds, 0 (no timeout) being the largest. */
const longer = (a: number, b: number) => (a === 0 || b === 0 ? 0 : Math.max(a, b));
const sayS = (s: number) => (s === 0 ? 'none (0)' : `${s} s`);

function listenerTimeout(t: ListenerTimeout | undefined): HttpTimeout | undefined {
  if (!t) return undefined;
  const decl = t as Decl;
  return (decl.http ?? decl.http2 ?? decl.grpc ?? decl.tcp) as HttpTimeout | undefined;
}

/** The port of the node a route's target sends to: its port, else the node's only (first) listener. */
function targetPort(r: RouteDecl, node: string, first: number | undefined): number | undefined {
  const t = r.targets.find((x) => same(x.virtualNode, node));
  return t?.port ?? first;
}

// ---- timeouts ----------------------------------------------------------------------------------

interface Source {
  what: string;
  perRequest?: Duration;
  idle?: Duration;
}

/**
 * One port's timeouts: the listener's and those of the routes that send to it. Service Connect has one
 * timeout per port, so the largest is taken (0, no timeout, is the largest); a route (or the listener) that had
 * less gets a longer timeout than before, and the row says which. A route without a per-request timeout had App Mesh's 15 s.
 */
export function carryTimeout(l: NodeListener, routes: RouteDecl[]): { timeout?: TimeoutConfiguration; row?: ParityRow } {
  const sources: Source[] = [];
  const own = listenerTimeout(l.timeout);
  if (own) sources.push({ what: `listener ${l.port}`, ...own });
  for (const r of routes) sources.push({ what: `route ${r.name}`, ...(r.timeout ?? {}) });
  if (!sources.some((s) => s.perRequest || s.idle)) return {};
  const tcp = l.protocol === 'tcp';
  const perOf = (s: Source) => (s.perRequest ? seconds(s.perRequest) : APP_MESH_DEFAULT_PER_REQUEST_S);
  const timeout: TimeoutConfiguration = {};
  const idles = sources.filter((s) => s.idle).map((s) => seconds(s.idle!));
  if (idles.length) timeout.idleTimeoutSeconds = Math.ceil(idles.reduce(longer));
  const pers = sources.map(perOf);
  const per = pers.reduce(longer);
  // ECS: perRequestTimeoutSeconds only where the appProtocol is not TCP.
  if (!tcp && sources.some((s) => s.perRequest)) timeout.perRequestTimeoutSeconds = Math.ceil(per);
  const appMesh = sources
    .map((s) => {
      const parts = [
        ...(tcp ? [] : [`per request ${s.perRequest ? say(s.perRequest) : `${APP_MESH_DEFAULT_PER_REQUEST_S} s (default)`}`]),
        ...(s.idle ? [`idle ${say(s.idle)}`] : []),
      ];
      return `${s.what}: ${parts.join(', ') || 'none'}`;
    })
    .join('; ');
  const sent = [
    ...(timeout.perRequestTimeoutSeconds !== undefined ? [`perRequestTimeoutSeconds ${timeout.perRequestTimeoutSeconds}`] : []),
    ...(timeout.idleTimeoutSeconds !== undefined ? [`idleTimeoutSeconds ${timeout.idleTimeoutSeconds}`] : []),
  ].join(', ');
  const longerNow = tcp ? [] : sources.filter((s) => perOf(s) !== per).map((s) => s.what);
  const rounded = [...sources.flatMap((s) => [s.perRequest, s.idle])].some((x) => x && x.unit === 'ms' && x.value % 1000 !== 0);
  const why: string[] = [];
  if (longerNow.length)
    why.push(`one timeout per port: ${longerNow.join(', ')} ${longerNow.length > 1 ? 'get' : 'gets'} ${sayS(per)}, longer than before`);
  if (rounded) why.push('Service Connect counts whole seconds: rounded up');
  const base = { feature: `timeout (port ${l.port})`, appMesh, serviceConnect: `services[].timeout ${sent}` };
  const row: ParityRow = why.length
    ? {
        ...base,
        level: 'approximated',
        why: why.join('; '),
        keep: 'a timeout per route in the application, or routes split into their own ports',
      }
    : { ...base, level: 'carried', why: 'the same timeout', keep: null };
  return { timeout, row };
}

// ---- TLS ---------------------------------------------------------------------------------------

const TLS_KEEP = 'issue its certificates from AWS Private CA and pass --tls-role; Service Connect TLS takes no file or SDS certificate';

/** A listener's TLS: an ACM certificate AWS Private CA issued becomes services[].tls with --tls-role; anything else is lost. */
export function carryTls(
  l: NodeListener,
  certificates: readonly CertificateFacts[],
  tlsRole: string | undefined,
): { tls?: ServiceConnectTlsConfiguration; rows: ParityRow[] } {
  const tls = l.tls;
  if (!tls || tls.mode === 'DISABLED') return { rows: [] };
  const feature = `TLS (port ${l.port})`;
  const rows: ParityRow[] = [];
  const cert = tls.certificate as Decl;
  let out: ServiceConnectTlsConfiguration | undefined;
  if (cert.acm) {
    const arn = String(cert.acm.certificateArn);
    const facts = certificates.find((c) => c.arn === arn);
    const appMesh = `${tls.mode}, ACM certificate ${arn}`;
    if (!facts) {
      rows.push({
        feature,
        appMesh,
        serviceConnect: 'none',
        level: 'lost',
        why: 'ACM did not say which CA issued the certificate',
        keep: TLS_KEEP,
      });
    } else if (!facts.issuer) {
      const why = `the certificate is ${facts.type ?? 'not from AWS Private CA'}; Service Connect TLS needs an AWS Private CA`;
      rows.push({ feature, appMesh, serviceConnect: 'none', level: 'lost', why, keep: TLS_KEEP });
    } else if (!tlsRole) {
      const why = `issued by ${facts.issuer}, but Service Connect TLS needs an infrastructure role and none was given`;
      const keep = `pass --tls-role ARN (a role ECS can assume, with ${TLS_ROLE_POLICY.split('/').pop()})`;
      rows.push({ feature, appMesh, serviceConnect: 'none', level: 'lost', why, keep });
    } else {
      out = { issuerCertificateAuthority: { awsPcaAuthorityArn: facts.issuer }, roleArn: tlsRole };
      const serviceConnect = `services[].tls from ${facts.issuer}, role ${tlsRole}`;
      const permissive = tls.mode === 'PERMISSIVE';
      rows.push({
        feature,
        appMesh,
        serviceConnect,
        level: permissive ? 'approximated' : 'carried',
        why: permissive
          ? 'PERMISSIVE also took plain text; Service Connect clients always use TLS to it, other callers need TLS too'
          : `the same CA issues the certificates Service Connect rotates; the role needs ${TLS_ROLE_POLICY.split('/').pop()}`,
        keep: null,
      });
    }
  } else {
    const kind = cert.file ? 'a file certificate' : 'an SDS certificate';
    const why = `${kind}: Service Connect TLS takes certificates only from AWS Private CA`;
    rows.push({ feature, appMesh: `${tls.mode}, ${kind}`, serviceConnect: 'none', level: 'lost', why, keep: TLS_KEEP });
  }
  if (tls.validation) {
    const trust = Object.keys(tls.validation.trust ?? {})[0] ?? 'trust';
    const why = 'Service Connect TLS does not ask callers for certificates';
    const keep = 'check callers in the application, or a VPC Lattice service network with auth policies';
    rows.push({
      feature: `mutual TLS (port ${l.port})`,
      appMesh: `client certificates validated (${trust})`,
      serviceConnect: 'none',
      level: 'lost',
      why,
      keep,
    });
  }
  return { ...(out ? { tls: out } : {}), rows };
}

/** The node as a client: its TLS client policies (trust, client certificates) for the services it calls. */
export function clientTlsRows(node: VirtualNodeDecl): ParityRow[] {
  const policies = [
    ...(node.backendDefaults?.clientPolicy?.tls ? [['backend defaults', node.backendDefaults.clientPolicy.tls] as const] : []),
    ...Object.entries(node.backendClientPolicies ?? {}).flatMap(([vs, p]) => (p.tls ? [[vs, p.tls] as const] : [])),
  ];
  const rows: ParityRow[] = [];
  for (const [to, tls] of policies) {
    const trust = Object.keys((tls.validation?.trust ?? {}) as Decl)[0] ?? 'none';
    rows.push({
      feature: `client TLS (${to})`,
      appMesh: `validates with ${trust}${tls.validation?.subjectAlternativeNames ? ', subject alternative names' : ''}`,
      serviceConnect: 'a Service Connect client trusts the CA of the service it calls',
      level: 'approximated',
      why: 'the trust list and subject alternative names are not kept; TLS applies where the server sets it',
      keep: null,
    });
    if (tls.certificate) {
      const why = 'Service Connect clients present no certificate';
      const keep = 'authenticate in the application, or a VPC Lattice service network with auth policies';
      rows.push({
        feature: `client certificate (${to})`,
        appMesh: 'mutual TLS client certificate',
        serviceConnect: 'none',
        level: 'lost',
        why,
        keep,
      });
    }
  }
  return rows;
}

// ---- access logs -------------------------------------------------------------------------------

/**
 * The node's access log: accessLogConfiguration (TEXT or JSON; the query string kept where the format logged
 * the path, as envoy's default format does) and a logConfiguration for the proxy, the application container's
 * with its own stream prefix. ECS takes access logs only with a logConfiguration.
 */
export function carryAccessLog(
  logging: Logging | undefined,
  app: LogConfiguration | undefined,
): { accessLogConfiguration?: ServiceConnectAccessLogConfiguration; logConfiguration?: LogConfiguration; row?: ParityRow } {
  const file = logging?.accessLog?.file;
  if (!file) return {};
  const format = file.format as Decl | undefined;
  const text = format?.text as string | undefined;
  const json = format?.json as { key: string; value: string }[] | undefined;
  const fields = text ?? (json ? json.map((j) => j.value).join(' ') : undefined);
  const query = fields === undefined || /PATH/.test(fields);
  const accessLogConfiguration: ServiceConnectAccessLogConfiguration = {
    format: json ? 'JSON' : 'TEXT',
    includeQueryParameters: query ? 'ENABLED' : 'DISABLED',
  };
  const appMesh = `access log to ${file.path}${text ? ', text format' : json ? `, json format (${json.length} keys)` : ''}`;
  const feature = 'access log';
  if (!app?.logDriver) {
    const why = 'ECS takes access logs only with a logConfiguration, and the application container has none to take';
    return {
      row: { feature, appMesh, serviceConnect: 'none', level: 'lost', why, keep: 'give the application container a logConfiguration' },
    };
  }
  const logConfiguration: LogConfiguration = { ...app, options: { ...(app.options ?? {}) } };
  if (app.logDriver === 'awslogs') logConfiguration.options!['awslogs-stream-prefix'] = PROXY_STREAM_PREFIX;
  const sent = `accessLogConfiguration ${accessLogConfiguration.format}, query ${accessLogConfiguration.includeQueryParameters}; logs ${app.logDriver}`;
  const custom = text !== undefined || json !== undefined;
  const row: ParityRow = custom
    ? {
        feature,
        appMesh,
        serviceConnect: sent,
        level: 'approximated',
        why: "Service Connect writes its own fields, not the mesh's format",
        keep: null,
      }
    : {
        feature,
        appMesh,
        serviceConnect: sent,
        level: 'carried',
        why: "the proxy's default access log, in the application's log destination",
        keep: null,
      };
  return { accessLogConfiguration, logConfiguration, row };
}

// ---- the service -------------------------------------------------------------------------------

export interface CarryInput {
  meshes: readonly MeshDescription[];
  certificates: readonly CertificateFacts[];
  tlsRole?: string;
  tlsRoleFacts?: TlsRoleFacts;
}

/** Findings on --tls-role where a service's TLS is carried with it: a role IAM does not have, or one without the policy. */
export function tlsRoleProblems(facts: TlsRoleFacts | undefined): { level: 'error' | 'warn'; message: string }[] {
  if (!facts) return [];
  if (!facts.found) return [{ level: 'error', message: `--tls-role: IAM has no role ${facts.arn}; create it, or pass one that exists` }];
  if (facts.attached.includes(TLS_ROLE_POLICY)) return [];
  const policy = TLS_ROLE_POLICY.split('/').pop();
  const why = 'unless an inline policy grants the same, ECS cannot manage the TLS secrets';
  return [{ level: 'warn', message: `--tls-role: ${facts.arn} has no ${policy} attached; ${why}: attach ${TLS_ROLE_POLICY}` }];
}

/** A migrating service's draft and what was read in; what its serviceConnectConfiguration carries and its rows out. */
export function carrySettings(d: Draft, input: CarryInput): Carried {
  const carried: Carried = { ports: {}, rows: [] };
  const { node, routes } = nodeDecls(d, input.meshes);
  if (!node || !d.virtualNode) return carried;
  const listeners = listenersOfNode(node);
  const first = listeners[0]?.port;
  const planned = new Map<number, PlannedListener>(d.listeners.map((l) => [l.port, l]));
  for (const l of listeners) {
    if (d.kind !== 'server' || !planned.has(l.port)) continue;
    const own = routes.filter((r) => targetPort(r, d.virtualNode!.name, first) === l.port);
    const t = carryTimeout(l, own);
    const tls = carryTls(l, input.certificates, input.tlsRole);
    carried.ports[l.port] = { ...(t.timeout ? { timeout: t.timeout } : {}), ...(tls.tls ? { tls: tls.tls } : {}) };
    carried.rows.push(...(t.row ? [t.row] : []), ...tls.rows);
  }
  carried.rows.push(...clientTlsRows(node));
  const app = containersOf(d).find((c) => c.name === d.app);
  const log = carryAccessLog(node.logging, app?.logConfiguration);
  if (log.accessLogConfiguration) carried.accessLogConfiguration = log.accessLogConfiguration;
  if (log.logConfiguration) carried.logConfiguration = log.logConfiguration;
  if (log.row) carried.rows.push(log.row);
  return carried;
}
