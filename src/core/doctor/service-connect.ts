// ---- the Service Connect checklist ---------------------------------------------------------------

import type { Service, ServiceConnectConfiguration, PortMapping, ContainerDefinition } from '@aws-sdk/client-ecs';
import { findNamespace, namespaceNameOf } from '../namespace.js';
import { normalizeHost, HostRef, aliasText, hostRefsOf } from '../host-refs.js';
import { policyOnlyAllowsAppMesh } from '../iam-policy.js';
import {
  ServiceConnectFacts,
  CheckStatus,
  DoctorFacts,
  TaskRoleFacts,
  isEnvoyAccess,
  policyLabel,
  ENVOY_ACTION,
  CheckResult,
} from './checks.js';
import { Results, worst } from './results.js';
import { carriedCheck } from './carried.js';

/** The serviceConnectConfiguration of the service's PRIMARY deployment (ECS reports it per deployment), if any. */
export function serviceConnectOf(service: Service | undefined): ServiceConnectConfiguration | undefined {
  return service?.deployments?.find((d) => d.status === 'PRIMARY')?.serviceConnectConfiguration;
}

type Namespaces = ServiceConnectFacts['namespaces'];

/** What two configurations' namespaces compare by: the Cloud Map id when known. */
const namespaceKey = (value: string | undefined, namespaces: Namespaces) => findNamespace(value, namespaces)?.id ?? value ?? '';

interface Alias {
  dnsName: string;
  port?: number;
}

/** A configuration's client aliases; ECS's default dnsName is discoveryName (else portName) in the namespace. */
function aliasesOf(sc: ServiceConnectConfiguration, namespaces: Namespaces): Alias[] {
  const ns = namespaceNameOf(sc.namespace, namespaces) ?? '';
  return (sc.services ?? []).flatMap((s) =>
    (s.clientAliases ?? []).map((a) => ({
      dnsName: normalizeHost(a.dnsName ?? `${s.discoveryName ?? s.portName}.${ns}`),
      port: a.port,
    })),
  );
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
    namespaceName: namespaceNameOf(sc.namespace, ns),
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
  const where = namespaceNameOf(sc.namespace, namespaces) ?? '(cluster default)';
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
  const nsName = namespaceNameOf(sc.namespace, sf.namespaces);
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

export function serviceConnectChecks(facts: DoctorFacts): CheckResult[] {
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
    carriedCheck(r, sc, facts.described.taskDefinition.containerDefinitions ?? [], sf);
  }
  serviceConnectTaskRoleCheck(r, facts.taskRole);
  return r.list;
}
