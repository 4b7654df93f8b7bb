// ---- the settings a migration carried from App Mesh, as ECS reports them -------------------------

import type { ContainerDefinition, ServiceConnectConfiguration } from '@aws-sdk/client-ecs';
import { TLS_ROLE_POLICY } from '../migrate/carry.js';
import type { ServiceConnectFacts } from './checks.js';
import { Results, worst } from './results.js';
import type { CheckStatus } from './checks.js';

interface Verdict {
  status: CheckStatus;
  line: string;
  fix?: string;
}

/** What IAM said of a TLS role: found, and its attached managed policies; undefined when IAM did not answer. */
export type TlsRoleState = { found: boolean; attached: string[] } | undefined;

const HTTP = new Set(['http', 'http2', 'grpc']);

function timeoutVerdicts(sc: ServiceConnectConfiguration, containers: readonly ContainerDefinition[]): Verdict[] {
  const out: Verdict[] = [];
  const protocolOf = (portName: string | undefined) =>
    containers.flatMap((c) => c.portMappings ?? []).find((m) => m.name === portName)?.appProtocol ?? 'tcp';
  for (const s of sc.services ?? []) {
    const t = s.timeout;
    if (!t) continue;
    const per = t.perRequestTimeoutSeconds;
    const idle = t.idleTimeoutSeconds;
    const protocol = protocolOf(s.portName);
    if (per !== undefined && !HTTP.has(protocol)) {
      const line = `${s.portName}: perRequestTimeoutSeconds ${per} on a ${protocol} port, where ECS allows only the idle timeout`;
      out.push({ status: 'fail', line, fix: `set the port mapping's appProtocol (http, http2, grpc), or drop perRequestTimeoutSeconds` });
    } else if (per && idle && idle < per) {
      const line = `${s.portName}: idle ${idle} s is less than per request ${per} s: a request that waits longer ends at ${idle} s`;
      out.push({ status: 'warn', line, fix: `raise idleTimeoutSeconds to at least ${per}` });
    } else {
      const parts = [per !== undefined ? `per request ${per} s` : '', idle !== undefined ? `idle ${idle} s` : ''].filter(Boolean);
      out.push({ status: 'pass', line: `${s.portName}: timeout ${parts.join(', ')}` });
    }
  }
  return out;
}

function tlsVerdicts(sc: ServiceConnectConfiguration, roles: Record<string, TlsRoleState>): Verdict[] {
  const out: Verdict[] = [];
  const policy = TLS_ROLE_POLICY.split('/').pop();
  for (const s of sc.services ?? []) {
    const tls = s.tls;
    if (!tls) continue;
    const ca = tls.issuerCertificateAuthority?.awsPcaAuthorityArn;
    const at = `${s.portName}: TLS from ${ca ?? 'no CA'}`;
    if (!ca) out.push({ status: 'fail', line: at, fix: 'set tls.issuerCertificateAuthority.awsPcaAuthorityArn to the AWS Private CA' });
    else if (!tls.roleArn)
      out.push({ status: 'fail', line: `${at}, no role`, fix: `set tls.roleArn (meshctl migrate apply --tls-role ARN)` });
    else {
      const state = roles[tls.roleArn];
      if (!state) out.push({ status: 'pass', line: `${at}, role ${tls.roleArn} (IAM not read)` });
      else if (!state.found)
        out.push({ status: 'fail', line: `${at}: role ${tls.roleArn} does not exist`, fix: 'create the role, or set another' });
      else if (!state.attached.includes(TLS_ROLE_POLICY))
        out.push({ status: 'warn', line: `${at}: role ${tls.roleArn} has no ${policy} attached`, fix: `attach ${TLS_ROLE_POLICY}` });
      else out.push({ status: 'pass', line: `${at}, role ${tls.roleArn} with ${policy}` });
    }
  }
  return out;
}

function logVerdicts(sc: ServiceConnectConfiguration): Verdict[] {
  const access = sc.accessLogConfiguration;
  if (!access) return [];
  const what = `access log ${access.format ?? '?'}, query ${access.includeQueryParameters ?? 'DISABLED'}`;
  if (!sc.logConfiguration?.logDriver) {
    const fix = "give serviceConnectConfiguration a logConfiguration (the app container's, with its own stream prefix)";
    return [{ status: 'fail', line: `${what}, but no logConfiguration: ECS writes access logs only with one`, fix }];
  }
  return [{ status: 'pass', line: `${what}, to ${sc.logConfiguration.logDriver}` }];
}

/** The timeouts, TLS and access log of a Service Connect configuration hold together; skip when none is set. */
export function carriedCheck(
  r: Results,
  sc: ServiceConnectConfiguration,
  containers: readonly ContainerDefinition[],
  sf: Pick<ServiceConnectFacts, 'tlsRoles'>,
): void {
  const verdicts = [...timeoutVerdicts(sc, containers), ...tlsVerdicts(sc, sf.tlsRoles ?? {}), ...logVerdicts(sc)];
  if (!verdicts.length) return r.add('sc-carried', 'skip', 'no timeout, TLS or access log set');
  const status = worst(verdicts.map((v) => v.status));
  const fixes = verdicts.filter((v) => v.fix && v.status !== 'pass').map((v) => v.fix!);
  r.add('sc-carried', status, verdicts.map((v) => v.line).join('; '), fixes.join('; ') || undefined);
}
