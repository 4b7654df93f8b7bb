import type { ContainerDefinition, PortMapping, Service, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import { nameOfArn, regionOfArn } from '../arn.js';
import {
  EGRESS_IGNORED_IPS,
  ENVOY_CONTAINER,
  ENVOY_UID,
  OLDEST_SUPPORTED_ENVOY_TAG,
  WORKSHOP_ENVOY_TAG,
  hasEnvoy,
  type DescribedTaskDefinition,
} from '../envoy/render.js';
import { meshNodeOf, type VirtualNodeSpec } from '../envoy/proxy.js';

export const ENVOY_ACCESS_POLICY = 'arn:aws:iam::aws:policy/AWSAppMeshEnvoyAccess';
/** What envoy calls to fetch its configuration; a task role without it fails its health check. */
export const ENVOY_ACTION = 'appmesh:StreamAggregatedResources';

/** A service with envoy gets the App Mesh checklist; one without gets the Service Connect one (after `meshctl migrate`). */
export type Checklist = 'app-mesh' | 'service-connect';

/** Every check doctor runs, in the order a report shows them: the id (stable, in --json) and its title. */
export const CHECKS = {
  'app-mesh': { checklist: 'app-mesh', title: 'App Mesh can be read' },
  'task-role': { checklist: 'app-mesh', title: `the task role allows ${ENVOY_ACTION}` },
  'virtual-node': { checklist: 'app-mesh', title: 'the virtual node envoy names exists' },
  'listener-port': { checklist: 'app-mesh', title: "the node's listener port is among AppPorts and the app's ports" },
  'cloud-map': { checklist: 'app-mesh', title: "the node's Cloud Map service is the ECS service's registry" },
  awsvpc: { checklist: 'app-mesh', title: 'the task uses awsvpc networking' },
  'ignored-uid': { checklist: 'app-mesh', title: "envoy's user is the proxy's IgnoredUID or IgnoredGID" },
  'depends-on': { checklist: 'app-mesh', title: 'the app container waits for envoy HEALTHY' },
  'egress-ignored-ips': { checklist: 'app-mesh', title: 'EgressIgnoredIPs holds the metadata addresses' },
  'image-region': { checklist: 'app-mesh', title: "the envoy image is in the task's region" },
  'image-version': { checklist: 'app-mesh', title: 'the envoy image is current' },
  'sc-configuration': { checklist: 'service-connect', title: 'the service has a Service Connect configuration' },
  'sc-namespace': { checklist: 'service-connect', title: 'its namespace exists in Cloud Map' },
  'sc-port-names': { checklist: 'service-connect', title: 'its portNames are named ports of the task definition' },
  'sc-app-protocol': { checklist: 'service-connect', title: 'those port mappings set appProtocol' },
  'sc-alias-count': { checklist: 'service-connect', title: 'each Service Connect service has exactly one client alias' },
  'sc-alias-unique': { checklist: 'service-connect', title: 'its client aliases are unique in the namespace' },
  'sc-backends': { checklist: 'service-connect', title: 'every backend it calls is served through Service Connect' },
  'sc-task-role': { checklist: 'service-connect', title: 'the task role exists and holds no App Mesh-only policy' },
} as const satisfies Record<string, { checklist: Checklist; title: string }>;

export type CheckId = keyof typeof CHECKS;

/** A policy of the task role, as IAM gives it. */
export interface RolePolicy {
  kind: 'managed' | 'inline';
  name: string;
  /** A managed policy's ARN. */
  arn?: string;
  /** The document (URL-encoded JSON as IAM returns it, or parsed); not read for AWSAppMeshEnvoyAccess, whose content is known. */
  document?: unknown;
}

/** The task role: whether it exists, its policies, and its permissions boundary (GetRole's PermissionsBoundary). */
export interface TaskRoleFacts {
  name: string;
  exists: boolean;
  policies?: RolePolicy[];
  /** Whether the boundary policy allows (and does not deny) envoy's action. */
  boundary?: { arn: string; allows: boolean };
}

/** What the Service Connect checks read besides the service itself; only gathered when it has a configuration. */
export interface ServiceConnectFacts {
  /** Cloud Map namespaces (ListNamespaces). */
  namespaces: { id: string; name: string }[];
  /** The cluster's services as DescribeServices answers them (this one may be among them). */
  clusterServices: Service[];
  /** Cloud Map registrations by registry ARN (serviceRegistries → GetService, and its namespace's name). */
  registries: Record<string, { service: string; namespace: string }>;
}

/** What doctor read from AWS, as plain data; undefined where it could not be read. */
export interface DoctorFacts {
  described: DescribedTaskDefinition;
  service?: Service;
  taskRole?: TaskRoleFacts;
  virtualNode?: { mesh: string; name: string; exists: boolean; spec?: VirtualNodeSpec };
  /** Why App Mesh could not be read (gone after 2026-09-30, or out of reach): the checks that need it are skipped. */
  appMeshUnreachable?: string;
  /** The Cloud Map service behind the ECS service's first registry. */
  registry?: { namespace?: string; service?: string };
  serviceConnect?: ServiceConnectFacts;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  title: string;
  detail: string;
  fix?: string;
}

/** The checklist a task definition gets: App Mesh's while it runs envoy, Service Connect's after. */
export function checklistOf(described: DescribedTaskDefinition): Checklist {
  return hasEnvoy(described) ? 'app-mesh' : 'service-connect';
}

// ---- IAM policy documents ------------------------------------------------------------------------

interface Statement {
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
}

function statementsOf(document: unknown): Statement[] {
  let doc = document;
  if (typeof document === 'string') {
    // IAM returns documents URL-encoded; moto and hand-written input may not.
    try {
      doc = JSON.parse(document);
    } catch {
      doc = JSON.parse(decodeURIComponent(document));
    }
  }
  const statement = (doc as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statement) ? statement : statement ? [statement] : [];
  return list.filter((s): s is Statement => !!s && typeof s === 'object');
}

const listOf = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((a) => typeof a === 'string');
const escapeRegExp = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** IAM action patterns: `*` and `?` wildcards, compared without case. */
function actionMatches(pattern: string, action: string): boolean {
  return new RegExp(`^${escapeRegExp(pattern).replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);
}

function covers(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return listOf(s.Action).some((p) => actionMatches(p, action));
  if (s.NotAction !== undefined) return !listOf(s.NotAction).some((p) => actionMatches(p, action));
  return false;
}

/** An IAM policy document allows the action when a statement with Effect Allow names it (or a wildcard that covers it). */
export function policyAllows(document: unknown, action: string): boolean {
  return statementsOf(document).some((s) => s.Effect === 'Allow' && covers(s, action));
}

/** An IAM policy document denies the action when a statement with Effect Deny covers it: such a Deny beats every Allow. */
export function policyDenies(document: unknown, action: string): boolean {
  return statementsOf(document).some((s) => s.Effect === 'Deny' && covers(s, action));
}

/** A boundary (or any policy) lets the action through: it allows it and does not deny it. */
export function policyPermits(document: unknown, action: string): boolean {
  return policyAllows(document, action) && !policyDenies(document, action);
}

/** A document whose every statement allows App Mesh actions only: once off App Mesh, the whole policy can go. */
export function policyOnlyAllowsAppMesh(document: unknown): boolean {
  const statements = statementsOf(document);
  return (
    statements.length > 0 &&
    statements.every((s) => s.Effect === 'Allow' && s.NotAction === undefined && listOf(s.Action).length > 0) &&
    statements.every((s) => listOf(s.Action).every((a) => /^appmesh:/i.test(a)))
  );
}

const isEnvoyAccess = (p: RolePolicy) => p.arn === ENVOY_ACCESS_POLICY;
const policyLabel = (p: RolePolicy) => (isEnvoyAccess(p) ? 'AWSAppMeshEnvoyAccess' : `${p.kind} policy ${p.name}`);

/** Which of the role's policies allows envoy's action (AWSAppMeshEnvoyAccess first), and which denies it. */
export function envoyAccessOf(role: TaskRoleFacts): { allowedBy?: string; deniedBy?: string } {
  const policies = role.policies ?? [];
  const allowing = policies.find(isEnvoyAccess) ?? policies.find((p) => policyAllows(p.document, ENVOY_ACTION));
  const denying = policies.find((p) => !isEnvoyAccess(p) && policyDenies(p.document, ENVOY_ACTION));
  return { allowedBy: allowing && policyLabel(allowing), deniedBy: denying && policyLabel(denying) };
}

// ---- results -------------------------------------------------------------------------------------

type Outcome = CheckStatus | boolean;

class Results {
  readonly list: CheckResult[] = [];
  add(id: CheckId, outcome: Outcome, detail: string, fix?: string): void {
    const status: CheckStatus = outcome === true ? 'pass' : outcome === false ? 'fail' : outcome;
    this.list.push({ id, title: CHECKS[id].title, status, detail, ...(status === 'fail' || status === 'warn' ? { fix } : {}) });
  }
}

/** The worst of several outcomes: fail, then warn, then pass; skip when there are none. */
function worst(outcomes: CheckStatus[]): CheckStatus {
  for (const s of ['fail', 'warn', 'pass'] as const) if (outcomes.includes(s)) return s;
  return 'skip';
}

/** DoctorFacts in; one result per check, with a fix for each failure and warning. */
export function runChecks(facts: DoctorFacts): CheckResult[] {
  return checklistOf(facts.described) === 'app-mesh' ? appMeshChecks(facts) : serviceConnectChecks(facts);
}

// ---- the App Mesh checklist ----------------------------------------------------------------------

const propertyOf = (facts: DoctorFacts, name: string) =>
  facts.described.taskDefinition.proxyConfiguration?.properties?.find((p) => p.name === name)?.value;

function taskRoleCheck(r: Results, role: TaskRoleFacts | undefined): void {
  if (!role) {
    r.add(
      'task-role',
      false,
      'the task definition has no taskRoleArn',
      `give the task a role with ${ENVOY_ACCESS_POLICY} attached (taskRoleArn)`,
    );
    return;
  }
  if (!role.exists) {
    const fix = `create role ${role.name} for ecs-tasks.amazonaws.com and attach ${ENVOY_ACCESS_POLICY}`;
    r.add('task-role', false, `role ${role.name} does not exist`, fix);
    return;
  }
  const { allowedBy, deniedBy } = envoyAccessOf(role);
  const problems: string[] = [];
  const fixes: string[] = [];
  if (deniedBy) {
    const despite = allowedBy ? `, although ${allowedBy} allows it` : '';
    problems.push(`is denied ${ENVOY_ACTION} by ${deniedBy}${despite}: an explicit Deny beats every Allow`);
    fixes.push(`take ${ENVOY_ACTION} (and appmesh:*, *) out of the Deny statements of ${deniedBy}`);
  } else if (!allowedBy) {
    problems.push(`has no policy that allows ${ENVOY_ACTION}; envoy cannot fetch its configuration and the task fails its health check`);
    fixes.push(`aws iam attach-role-policy --role-name ${role.name} --policy-arn ${ENVOY_ACCESS_POLICY}`);
  }
  if (role.boundary && !role.boundary.allows) {
    problems.push(`has a permissions boundary (${nameOfArn(role.boundary.arn)}) that does not allow ${ENVOY_ACTION}`);
    fixes.push(
      `allow ${ENVOY_ACTION} in the boundary policy ${role.boundary.arn}, or remove the boundary: aws iam delete-role-permissions-boundary --role-name ${role.name}`,
    );
  }
  if (problems.length === 0) r.add('task-role', true, `role ${role.name}: allowed by ${allowedBy}`);
  else r.add('task-role', false, `role ${role.name} ${problems.join('; it ')}`, fixes.join('; '));
}

/**
 * The proxy ignores envoy's own traffic by uid (IgnoredUID) or gid (IgnoredGID); either is enough.
 * A `user` of `uid:gid` sets both; a bare uid leaves the gid to the image, which doctor cannot see.
 */
function ignoredIdCheck(r: Results, user: string | undefined, uid: string | undefined, gid: string | undefined): void {
  const [userUid, userGid] = (user ?? '').split(':');
  const detail = `envoy user ${user ?? 'unset'}, IgnoredUID ${uid ?? 'unset'}${gid ? `, IgnoredGID ${gid}` : ''}`;
  if (!uid && !gid) {
    r.add('ignored-uid', false, detail, `set IgnoredUID in the proxy configuration to envoy's uid (${ENVOY_UID})`);
    return;
  }
  if (!user) {
    r.add('ignored-uid', false, detail, `set envoy's user to ${uid ?? `${ENVOY_UID}:${gid}`}`);
    return;
  }
  if ((uid && userUid === uid) || (gid && userGid === gid)) {
    r.add('ignored-uid', true, detail);
    return;
  }
  if (gid && userGid === undefined) {
    const why = `; envoy's user names no group, so its gid comes from the image and may not be ${gid}`;
    r.add('ignored-uid', 'warn', detail + why, `set envoy's user to ${userUid}:${gid}`);
    return;
  }
  const fix = uid ? `set envoy's user and IgnoredUID to the same uid (${ENVOY_UID})` : `set envoy's user to ${userUid}:${gid} (a uid:gid)`;
  r.add('ignored-uid', false, detail, fix);
}

function appMeshChecks(facts: DoctorFacts): CheckResult[] {
  const td = facts.described.taskDefinition;
  const containers = td.containerDefinitions ?? [];
  const envoy = containers.find((c) => c.name === ENVOY_CONTAINER)!;
  const app = containers.find((c) => c.name !== ENVOY_CONTAINER);
  const r = new Results();

  if (facts.appMeshUnreachable) {
    const needing = (['virtual-node', 'listener-port', 'cloud-map'] as const).join(', ');
    r.add('app-mesh', 'skip', `${facts.appMeshUnreachable}: the checks that need it were skipped (${needing})`);
  }
  taskRoleCheck(r, facts.taskRole);

  const node = meshNodeOf(facts.described);
  const vn = facts.virtualNode;
  if (!node) {
    const fix = 'set APPMESH_VIRTUAL_NODE_NAME on the envoy container (meshctl add-envoy does)';
    r.add('virtual-node', false, 'envoy has no APPMESH_VIRTUAL_NODE_NAME (mesh/M/virtualNode/N)', fix);
  } else if (!facts.appMeshUnreachable) {
    r.add(
      'virtual-node',
      !!vn?.exists,
      `mesh/${node.mesh}/virtualNode/${node.node} ${vn?.exists ? 'exists' : 'does not exist'}`,
      `create virtual node ${node.node} in mesh ${node.mesh}, or point envoy at an existing one`,
    );
  }

  if (!facts.appMeshUnreachable) {
    const listenerPorts = (vn?.spec?.listeners ?? []).map((l) => l.portMapping?.port).filter((p): p is number => typeof p === 'number');
    const appPorts = (propertyOf(facts, 'AppPorts') ?? '').split(',').filter(Boolean).map(Number);
    const containerPorts = (app?.portMappings ?? []).map((p) => p.containerPort);
    if (!vn?.spec) r.add('listener-port', 'skip', 'no virtual node to read');
    else {
      const missing = listenerPorts.filter((p) => !appPorts.includes(p) || !containerPorts.includes(p));
      r.add(
        'listener-port',
        listenerPorts.length > 0 && missing.length === 0,
        `listener ${listenerPorts.join(',') || 'none'}; AppPorts ${appPorts.join(',') || 'none'}; ${app?.name ?? 'app'} ports ${containerPorts.join(',') || 'none'}`,
        'make the virtual node listener, the proxyConfiguration AppPorts and the app container port the same (meshctl add-envoy --app-ports)',
      );
    }

    const cm = vn?.spec?.serviceDiscovery?.awsCloudMap;
    if (!cm) {
      const dns = vn?.spec?.serviceDiscovery?.dns;
      r.add('cloud-map', 'skip', dns ? `the node uses DNS (${dns.hostname})` : 'the node names no Cloud Map service');
    } else if (!facts.registry) {
      r.add(
        'cloud-map',
        false,
        `the node uses ${cm.serviceName}.${cm.namespaceName}, the ECS service registers nowhere`,
        `add serviceRegistries to the ECS service with the Cloud Map service ${cm.serviceName} in ${cm.namespaceName}`,
      );
    } else {
      r.add(
        'cloud-map',
        facts.registry.service === cm.serviceName && facts.registry.namespace === cm.namespaceName,
        `node: ${cm.serviceName}.${cm.namespaceName}; ECS service registers in ${facts.registry.service}.${facts.registry.namespace}`,
        'make the virtual node and the ECS service use the same Cloud Map service',
      );
    }
  }

  r.add(
    'awsvpc',
    td.networkMode === 'awsvpc',
    `networkMode ${td.networkMode ?? 'bridge (default)'}`,
    'set networkMode to awsvpc: the APPMESH proxy configuration needs it',
  );
  ignoredIdCheck(r, envoy.user, propertyOf(facts, 'IgnoredUID'), propertyOf(facts, 'IgnoredGID'));
  const waits = app?.dependsOn?.some((d) => d.containerName === ENVOY_CONTAINER && d.condition === 'HEALTHY') ?? false;
  r.add(
    'depends-on',
    waits,
    waits ? `${app?.name} depends on envoy HEALTHY` : `${app?.name ?? 'the app'} does not wait for envoy`,
    `add dependsOn [{containerName: envoy, condition: HEALTHY}] to ${app?.name ?? 'the app container'}`,
  );
  const ignored = (propertyOf(facts, 'EgressIgnoredIPs') ?? '').split(',');
  r.add(
    'egress-ignored-ips',
    EGRESS_IGNORED_IPS.split(',').every((ip) => ignored.includes(ip)),
    `EgressIgnoredIPs ${ignored.filter(Boolean).join(',') || 'unset'}`,
    `set EgressIgnoredIPs to include ${EGRESS_IGNORED_IPS}`,
  );

  const region = regionOfArn(td.taskDefinitionArn);
  const image = envoy.image ?? '';
  const ecrRegion = /\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\//.exec(image)?.[1];
  if (!region || !ecrRegion) r.add('image-region', 'skip', `image ${image}${region ? '' : '; the task region is unknown'}`);
  else
    r.add(
      'image-region',
      ecrRegion === region,
      `image from ${ecrRegion}, task in ${region}`,
      `use the envoy image of ${region}: 840364872350.dkr.ecr.${region}.amazonaws.com/aws-appmesh-envoy:<tag>`,
    );
  if (image.endsWith(`:${WORKSHOP_ENVOY_TAG}`)) {
    r.add(
      'image-version',
      'warn',
      `${WORKSHOP_ENVOY_TAG} is the workshop's`,
      `App Mesh required ${OLDEST_SUPPORTED_ENVOY_TAG} or later: register a revision with a current image (meshctl add-envoy --envoy-image on an envoy-free revision)`,
    );
  }
  return r.list;
}

// ---- the Service Connect checklist ---------------------------------------------------------------

/** The serviceConnectConfiguration of the service's PRIMARY deployment (ECS reports it per deployment), if any. */
export function serviceConnectOf(service: Service | undefined): ServiceConnectConfiguration | undefined {
  return service?.deployments?.find((d) => d.status === 'PRIMARY')?.serviceConnectConfiguration;
}

type Namespaces = ServiceConnectFacts['namespaces'];

/** A configuration's namespace, which ECS gives as a name, an id or an ARN (ending in the id). */
function findNamespace(value: string | undefined, namespaces: Namespaces): Namespaces[number] | undefined {
  if (!value) return undefined;
  const id = value.startsWith('arn:') ? nameOfArn(value) : value;
  return namespaces.find((n) => n.id === id || n.name === value);
}

/** What two configurations' namespaces compare by: the Cloud Map id when known. */
const namespaceKey = (value: string | undefined, namespaces: Namespaces) => findNamespace(value, namespaces)?.id ?? value ?? '';
const namespaceName = (value: string | undefined, namespaces: Namespaces) =>
  findNamespace(value, namespaces)?.name ?? (value?.startsWith('arn:') ? nameOfArn(value) : value);

/** Lower case, no trailing dot: how DNS names are compared. */
const normalizeHost = (name: string) => name.trim().toLowerCase().replace(/\.+$/, '');

interface Alias {
  dnsName: string;
  port?: number;
}

/** A configuration's client aliases; ECS's default dnsName is discoveryName (else portName) in the namespace. */
function aliasesOf(sc: ServiceConnectConfiguration, namespaces: Namespaces): Alias[] {
  const ns = namespaceName(sc.namespace, namespaces) ?? '';
  return (sc.services ?? []).flatMap((s) =>
    (s.clientAliases ?? []).map((a) => ({
      dnsName: normalizeHost(a.dnsName ?? `${s.discoveryName ?? s.portName}.${ns}`),
      port: a.port,
    })),
  );
}

const aliasText = (a: { dnsName: string; port?: number }) => `${a.dnsName}${a.port === undefined ? '' : `:${a.port}`}`;

/** A name another service is called by, found in an environment value. */
interface HostRef {
  host: string;
  port?: number;
  variable: string;
}

// An optional scheme, a host, an optional port: `http://payments.local:5000/x`, `payments.local:5000`, `payments`.
const HOST_REF = /(?:([a-z][a-z0-9+.-]*):\/\/)?([a-z0-9_-]+(?:\.[a-z0-9_-]+)*)(?::(\d{1,5}))?/gi;
const SCHEME_PORTS: Record<string, number> = { http: 80, https: 443 };

/** Hosts an environment value may name: URL hosts, dotted names, or the whole value when it is one word (not a path segment). */
export function hostRefsIn(value: string): { host: string; port?: number }[] {
  const out: { host: string; port?: number }[] = [];
  for (const m of value.matchAll(HOST_REF)) {
    const [whole, scheme, host, port] = m;
    if (!scheme && !host!.includes('.') && whole !== value.trim()) continue;
    const explicit = port ? Number(port) : scheme ? SCHEME_PORTS[scheme.toLowerCase()] : undefined;
    out.push({ host: normalizeHost(host!), ...(explicit === undefined ? {} : { port: explicit }) });
  }
  return out;
}

function hostRefsOf(containers: readonly ContainerDefinition[]): HostRef[] {
  const seen = new Set<string>();
  const out: HostRef[] = [];
  for (const c of containers) {
    for (const e of c.environment ?? []) {
      for (const ref of hostRefsIn(e.value ?? '')) {
        const key = aliasText({ dnsName: ref.host, port: ref.port });
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ ...ref, variable: e.name ?? '?' });
      }
    }
  }
  return out;
}

interface Publisher {
  service: string;
  namespace: string;
  alias: Alias;
}

/** A backend's verdict: pass (served through Service Connect), fail or warn, with a line and a fix. */
interface BackendVerdict {
  status: CheckStatus;
  line: string;
  fix?: string;
}

function backendVerdict(
  ref: HostRef,
  own: { service: string; namespace: string; namespaceName?: string },
  published: Publisher[],
  registered: { service: string; onServiceConnect: boolean; alias?: string }[],
): BackendVerdict | undefined {
  const called = `${aliasText({ dnsName: ref.host, port: ref.port })} (${ref.variable})`;
  const byName = published.filter((p) => p.alias.dnsName === ref.host);
  const sameNamespace = byName.filter((p) => p.namespace === own.namespace);
  const hit = sameNamespace.find((p) => ref.port === undefined || p.alias.port === ref.port);
  if (hit) return { status: 'pass', line: `${called} is served through Service Connect by ${hit.service}` };
  if (sameNamespace.length) {
    const p = sameNamespace[0]!;
    const line = `${called}: ${p.service} publishes ${aliasText(p.alias)} on Service Connect, another port`;
    return { status: 'warn', line, fix: `call ${aliasText(p.alias)}, or give ${p.service} a client alias on port ${ref.port}` };
  }
  if (byName.length) {
    const p = byName[0]!;
    const line = `${called} is published by ${p.service} in another namespace; Service Connect clients reach only their own (${own.namespaceName})`;
    return { status: 'fail', line, fix: `put ${own.service} and ${p.service} in one namespace (meshctl migrate apply --namespace)` };
  }
  const server = registered.find((s) => !s.onServiceConnect) ?? registered[0];
  if (server && !server.onServiceConnect) {
    const line = `${called} is the Cloud Map name of ${server.service}, which is not on Service Connect yet`;
    return { status: 'fail', line, fix: `migrate ${server.service} first: meshctl migrate apply --service ${server.service}` };
  }
  if (server) {
    const line = `${called} is the Cloud Map name of ${server.service}, which publishes ${server.alias ?? 'no alias'} on Service Connect: calls go by DNS, past Service Connect`;
    return {
      status: 'warn',
      line,
      fix: `call ${server.alias ?? `a client alias of ${server.service}`}, or give ${server.service} the client alias ${ref.host}`,
    };
  }
  if (own.namespaceName && ref.host.endsWith(`.${own.namespaceName.toLowerCase()}`)) {
    const line = `${called} is in namespace ${own.namespaceName}, but no service of the cluster publishes or registers it`;
    return { status: 'warn', line, fix: `check the name in ${ref.variable}, or migrate the service that serves ${ref.host} first` };
  }
  return undefined;
}

function backendsCheck(r: Results, facts: DoctorFacts, sc: ServiceConnectConfiguration, sf: ServiceConnectFacts): void {
  const self = facts.service?.serviceName;
  const ns = sf.namespaces;
  const others = sf.clusterServices.filter((s) => s.serviceName !== self);
  const published: Publisher[] = others.flatMap((s) => {
    const theirs = serviceConnectOf(s);
    if (!theirs?.enabled) return [];
    return aliasesOf(theirs, ns).map((alias) => ({ service: s.serviceName ?? '?', namespace: namespaceKey(theirs.namespace, ns), alias }));
  });
  const ownAliases = new Set(aliasesOf(sc, ns).map((a) => a.dnsName));
  const own = {
    service: self ?? 'this service',
    namespace: namespaceKey(sc.namespace, ns),
    namespaceName: namespaceName(sc.namespace, ns),
  };
  const registeredAs = (host: string) =>
    others
      .filter((s) =>
        (s.serviceRegistries ?? []).some((reg) => {
          const cm = reg.registryArn ? sf.registries[reg.registryArn] : undefined;
          return !!cm && normalizeHost(`${cm.service}.${cm.namespace}`) === host;
        }),
      )
      .map((s) => {
        const theirs = serviceConnectOf(s);
        const alias = theirs?.enabled ? aliasesOf(theirs, ns)[0] : undefined;
        return { service: s.serviceName ?? '?', onServiceConnect: !!theirs?.enabled, alias: alias && aliasText(alias) };
      });
  const verdicts = hostRefsOf(facts.described.taskDefinition.containerDefinitions ?? [])
    .filter((ref) => !ownAliases.has(ref.host))
    .map((ref) => backendVerdict(ref, own, published, registeredAs(ref.host)))
    .filter((v): v is BackendVerdict => !!v);
  if (verdicts.length === 0) {
    r.add(
      'sc-backends',
      'skip',
      "no app environment value names another service's client alias, Cloud Map name or a name in its namespace",
    );
    return;
  }
  const fixes = [...new Set(verdicts.flatMap((v) => (v.fix ? [v.fix] : [])))];
  r.add('sc-backends', worst(verdicts.map((v) => v.status)), verdicts.map((v) => v.line).join('; '), fixes.join('; '));
}

type NamedPort = PortMapping & { container?: string };

function namedPorts(containers: readonly ContainerDefinition[]): NamedPort[] {
  return containers.flatMap((c) => (c.portMappings ?? []).filter((m) => m.name).map((m) => ({ ...m, container: c.name })));
}

function appProtocolCheck(r: Results, mappings: NamedPort[]): void {
  if (mappings.length === 0) {
    r.add('sc-app-protocol', 'skip', 'no named port to read');
    return;
  }
  const bare = mappings.filter((m) => !m.appProtocol);
  const list = mappings.map((m) => `${m.name} (${m.containerPort}) ${m.appProtocol ?? 'none'}`).join(', ');
  if (bare.length === 0) {
    r.add('sc-app-protocol', true, `appProtocol: ${list}`);
    return;
  }
  const names = bare.map((m) => `${m.name} (${m.containerPort})`).join(', ');
  r.add(
    'sc-app-protocol',
    'warn',
    `${names} sets no appProtocol: Service Connect treats it as TCP, with no HTTP metrics`,
    `set portMappings[].appProtocol (http, http2 or grpc) for ${bare.map((m) => m.name).join(', ')} in a new revision, then meshctl update-service`,
  );
}

function serviceConnectTaskRoleCheck(r: Results, role: TaskRoleFacts | undefined): void {
  if (!role) {
    r.add('sc-task-role', true, 'the task definition has no task role');
    return;
  }
  if (!role.exists) {
    r.add(
      'sc-task-role',
      false,
      `role ${role.name} does not exist; ECS cannot start tasks that name it`,
      `create role ${role.name} for ecs-tasks.amazonaws.com, or drop taskRoleArn`,
    );
    return;
  }
  const policies = role.policies ?? [];
  const leftovers = policies.filter((p) => isEnvoyAccess(p) || policyOnlyAllowsAppMesh(p.document));
  if (leftovers.length === 0) {
    r.add('sc-task-role', true, `role ${role.name}: no policy grants App Mesh alone`);
    return;
  }
  const fixes = leftovers.map((p) =>
    p.kind === 'managed'
      ? `aws iam detach-role-policy --role-name ${role.name} --policy-arn ${p.arn}`
      : `aws iam delete-role-policy --role-name ${role.name} --policy-name ${p.name}`,
  );
  r.add(
    'sc-task-role',
    'warn',
    `role ${role.name} still has ${leftovers.map(policyLabel).join(', ')}, which allow${leftovers.length === 1 ? 's' : ''} App Mesh only; without envoy nothing calls ${ENVOY_ACTION}`,
    `${fixes.join('; ')} (meshctl migrate cleanup will do this; it is not built yet)`,
  );
}

/** Without a configuration (moto leaves it out of its answers): one line says so, the port and role checks still run. */
function withoutConfiguration(r: Results, facts: DoctorFacts, sc: ServiceConnectConfiguration | undefined, ports: NamedPort[]): void {
  const td = facts.described.taskDefinition;
  const name = facts.service?.serviceName;
  const needing = (['sc-namespace', 'sc-alias-count', 'sc-alias-unique', 'sc-backends'] as const).join(', ');
  const answer = sc
    ? "the service's Service Connect configuration is disabled (enabled: false)"
    : "the service's answer holds no serviceConnectConfiguration (emulators such as moto leave it out)";
  r.add(
    'sc-configuration',
    'warn',
    `${answer}: the checks that need it were skipped (${needing})`,
    `if ${name ?? 'the service'} should be on Service Connect: meshctl migrate plan --service ${name ?? '<service>'}`,
  );
  if (ports.length)
    r.add('sc-port-names', true, `named ports: ${ports.map((m) => `${m.name} (${m.container} ${m.containerPort})`).join(', ')}`);
  else
    r.add(
      'sc-port-names',
      'warn',
      `${td.taskDefinitionArn ?? td.family} names no port mapping; Service Connect publishes only named ports`,
      'name the app port mapping (portMappings[].name) in a new revision; meshctl migrate apply does',
    );
  appProtocolCheck(r, ports);
}

function configurationCheck(r: Results, sc: ServiceConnectConfiguration, namespaces: Namespaces): void {
  const services = sc.services ?? [];
  const published = services.map((s) => {
    const aliases = (s.clientAliases ?? []).map((a) => aliasText({ dnsName: a.dnsName ?? '(default)', port: a.port }));
    return `${s.portName} → ${aliases.join(', ') || 'no alias'}`;
  });
  const where = namespaceName(sc.namespace, namespaces) ?? '(cluster default)';
  r.add('sc-configuration', true, `enabled in namespace ${where}${services.length ? `; ${published.join('; ')}` : '; a client only'}`);
}

function namespaceCheck(r: Results, sc: ServiceConnectConfiguration, namespaces: Namespaces): void {
  const ns = findNamespace(sc.namespace, namespaces);
  if (!sc.namespace) r.add('sc-namespace', 'skip', "the configuration names no namespace: ECS uses the cluster's default");
  else if (ns) r.add('sc-namespace', true, `namespace ${ns.name} (${ns.id}) exists in Cloud Map`);
  else
    r.add(
      'sc-namespace',
      false,
      `namespace ${sc.namespace} is not in Cloud Map; Service Connect cannot register or resolve anything`,
      sc.namespace.startsWith('arn:')
        ? 'point serviceConnectConfiguration.namespace at an existing namespace (meshctl migrate apply --namespace NAME --create-namespace)'
        : `aws servicediscovery create-http-namespace --name ${sc.namespace}, or meshctl migrate apply --namespace ${sc.namespace} --create-namespace`,
    );
}

/** Every portName a named port; then appProtocol on those that are. */
function portChecks(r: Results, facts: DoctorFacts, sc: ServiceConnectConfiguration, ports: NamedPort[]): void {
  const td = facts.described.taskDefinition;
  const services = sc.services ?? [];
  const byName = new Map(ports.map((m) => [m.name!, m]));
  const found = services.flatMap((s) => {
    const m = byName.get(s.portName ?? '');
    return m ? [m] : [];
  });
  const missing = services.map((s) => s.portName ?? '').filter((n) => !byName.has(n));
  if (services.length === 0) r.add('sc-port-names', 'skip', 'the configuration publishes no port (a client only)');
  else if (missing.length === 0)
    r.add('sc-port-names', true, found.map((m) => `${m.name} is ${m.container} port ${m.containerPort}`).join('; '));
  else
    r.add(
      'sc-port-names',
      false,
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} no named port of ${td.taskDefinitionArn ?? td.family} (named: ${[...byName.keys()].join(', ') || 'none'})`,
      `name the app's port mapping ${missing.join(', ')} (portMappings[].name) in a new revision, or change the portName`,
    );
  appProtocolCheck(r, found);
}

/** ECS allows one client alias per Service Connect service, and a server needs one for clients to call it by. */
function aliasCountCheck(r: Results, sc: ServiceConnectConfiguration): void {
  const counts = (sc.services ?? []).map((s) => ({ portName: s.portName, n: s.clientAliases?.length ?? 0 }));
  const wrong = counts.filter((c) => c.n !== 1);
  if (counts.length === 0) r.add('sc-alias-count', 'skip', 'the configuration publishes no port (a client only)');
  else if (wrong.length === 0) r.add('sc-alias-count', true, counts.map((c) => `${c.portName}: 1`).join(', '));
  else
    r.add(
      'sc-alias-count',
      false,
      wrong.map((c) => `${c.portName} has ${c.n} client aliases`).join('; '),
      `give ${wrong.map((c) => c.portName).join(', ')} exactly one clientAlias (a dnsName and port): ECS allows one, and clients call the service by it`,
    );
}

/** A client alias (name and port) is unique in its namespace: within this configuration and across the cluster's. */
function aliasUniqueCheck(r: Results, facts: DoctorFacts, sc: ServiceConnectConfiguration, sf: ServiceConnectFacts): void {
  const mine = aliasesOf(sc, sf.namespaces);
  const key = namespaceKey(sc.namespace, sf.namespaces);
  const nsName = namespaceName(sc.namespace, sf.namespaces);
  const same = (a: Alias) => (b: Alias) => b.dnsName === a.dnsName && b.port === a.port;
  const others = sf.clusterServices.flatMap((s) => {
    const theirs = serviceConnectOf(s);
    const inNamespace =
      s.serviceName !== facts.service?.serviceName && theirs?.enabled && namespaceKey(theirs.namespace, sf.namespaces) === key;
    return inNamespace ? [{ service: s.serviceName, aliases: aliasesOf(theirs, sf.namespaces) }] : [];
  });
  const clashes = mine.flatMap((a, i) => [
    ...(mine.findIndex(same(a)) !== i ? [`${aliasText(a)} is given twice in this configuration`] : []),
    ...others.filter((o) => o.aliases.some(same(a))).map((o) => `${aliasText(a)} is also ${o.service}'s`),
  ]);
  if (mine.length === 0) r.add('sc-alias-unique', 'skip', 'the configuration publishes no client alias');
  else if (clashes.length === 0)
    r.add(
      'sc-alias-unique',
      true,
      `${mine.map(aliasText).join(', ')}: no other service of the cluster publishes ${mine.length === 1 ? 'it' : 'them'} in ${nsName}`,
    );
  else
    r.add(
      'sc-alias-unique',
      false,
      `in namespace ${nsName}: ${clashes.join('; ')}`,
      'a client alias (name and port) must be unique in its namespace: give one of the services another dnsName or port (meshctl migrate apply --client-alias)',
    );
}

function serviceConnectChecks(facts: DoctorFacts): CheckResult[] {
  const ports = namedPorts(facts.described.taskDefinition.containerDefinitions ?? []);
  const sc = serviceConnectOf(facts.service);
  const r = new Results();
  if (!sc?.enabled) {
    withoutConfiguration(r, facts, sc, ports);
  } else {
    const sf: ServiceConnectFacts = facts.serviceConnect ?? { namespaces: [], clusterServices: [], registries: {} };
    configurationCheck(r, sc, sf.namespaces);
    namespaceCheck(r, sc, sf.namespaces);
    portChecks(r, facts, sc, ports);
    aliasCountCheck(r, sc);
    aliasUniqueCheck(r, facts, sc, sf);
    backendsCheck(r, facts, sc, sf);
  }
  serviceConnectTaskRoleCheck(r, facts.taskRole);
  return r.list;
}
