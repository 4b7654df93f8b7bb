// ---- --client-alias NAME[:PORT] and --alias-owner VIRTUAL_SERVICE=ECS_SERVICE, judged before any request ----

import { dnsNameProblem } from '../ecs-names.js';
import { ecsNameProblem } from '../arn.js';
import { normalizeHost } from '../host-refs.js';

/** `crystal.shop.local` or `crystal.shop.local:3000` (the form the plan prints); anything else is a problem. */
export function parseClientAlias(value: string): { name: string; port?: number } | { problem: string } {
  const m = /^([^:]*)(?::(\d{1,5}))?$/.exec(value);
  if (!m) return { problem: `--client-alias: ${JSON.stringify(value)} is not NAME or NAME:PORT (a DNS name, then a port 1-65535)` };
  const name = normalizeHost(m[1]!);
  const problem = dnsNameProblem(name);
  if (problem) return { problem: `--client-alias: ${problem}` };
  if (m[2] === undefined) return { name };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return { problem: `--client-alias: port ${m[2]} is not 1-65535` };
  return { name, port };
}

/** `color.shop.local=colorteller-white`: the virtual service's name and the ECS service that takes it. */
export function parseAliasOwner(value: string): { virtualService: string; service: string } | { problem: string } {
  const at = value.indexOf('=');
  const shape = `--alias-owner: ${JSON.stringify(value)} is not VIRTUAL_SERVICE=ECS_SERVICE (e.g. color.shop.local=colorteller-white)`;
  if (at <= 0) return { problem: shape };
  const virtualService = normalizeHost(value.slice(0, at));
  const service = value.slice(at + 1);
  const problem = dnsNameProblem(virtualService);
  if (problem) return { problem: `--alias-owner: ${problem.replace(/^client alias/, 'virtual service')}` };
  const serviceProblem = ecsNameProblem(service, '--alias-owner');
  return serviceProblem ? { problem: serviceProblem } : { virtualService, service };
}
