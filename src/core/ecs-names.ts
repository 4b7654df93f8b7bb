/**
 * ECS Service Connect and Cloud Map name rules as small validators. Each returns the problem in words,
 * or undefined when ECS would accept the name. The rules, as the API references state them:
 * - PortMapping.name and ServiceConnectService.discoveryName: up to 64 lowercase letters, digits, `_`
 *   and `-`, not starting with `-`.
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html
 * - ServiceConnectClientAlias.dnsName: "a valid DNS name", up to 127 characters (not DNS's 253), of
 *   lowercase letters, digits, `_`, `-` and `.`, not starting with `-`. meshctl adds the DNS label rule
 *   (1 to 63 characters, no `-` at either end) that "valid DNS name" implies.
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectClientAlias.html
 * - CreateHttpNamespace Name: `^(?!arn:)[!-~]{1,1024}$`, printable ASCII without spaces.
 *   https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html
 */

/** Longest port name or discoveryName ECS accepts. */
export const ECS_NAME_MAX = 64;
/** Longest client alias dnsName ECS accepts. */
export const DNS_NAME_MAX = 127;
/** Longest DNS label. */
export const DNS_LABEL_MAX = 63;
/** Longest Cloud Map HTTP namespace name. */
export const HTTP_NAMESPACE_NAME_MAX = 1024;

const ECS_NAME_CHAR = /^[a-z0-9_-]$/;
const DNS_NAME_CHAR = /^[a-z0-9_.-]$/;
const PRINTABLE_ASCII = /^[!-~]$/;

/** The characters of `name` (code points) that `allowed` rejects, each once, quoted. */
function rejected(name: string, allowed: RegExp): string | undefined {
  const bad = [...new Set([...name].filter((ch) => !allowed.test(ch)))];
  return bad.length > 0 ? bad.map((ch) => JSON.stringify(ch)).join(', ') : undefined;
}

function ecsNameProblem(what: string, name: string): string | undefined {
  if (name === '') return `${what} is empty; ECS needs 1 to ${ECS_NAME_MAX} characters`;
  const bad = rejected(name, ECS_NAME_CHAR);
  if (bad) return `${what} ${JSON.stringify(name)} has characters ECS rejects (${bad}); use lowercase letters, digits, _ and -`;
  if (name.length > ECS_NAME_MAX) return `${what} ${JSON.stringify(name)} has ${name.length} characters; ECS allows ${ECS_NAME_MAX}`;
  if (name.startsWith('-')) return `${what} ${JSON.stringify(name)} starts with "-", which ECS rejects`;
  return undefined;
}

/** The problem with a task definition port mapping name, or undefined when ECS accepts it. */
export function portNameProblem(name: string): string | undefined {
  return ecsNameProblem('port name', name);
}

/** The problem with a Service Connect discoveryName (the Cloud Map service ECS creates), or undefined. */
export function discoveryNameProblem(name: string): string | undefined {
  return ecsNameProblem('discoveryName', name);
}

function labelProblem(name: string, label: string): string | undefined {
  const at = `client alias ${JSON.stringify(name)}`;
  if (label === '') return `${at} has an empty label (a leading, trailing or double dot)`;
  const quoted = JSON.stringify(label);
  if (label.length > DNS_LABEL_MAX) return `${at}: label ${quoted} has ${label.length} characters; DNS allows ${DNS_LABEL_MAX}`;
  if (label.startsWith('-') || label.endsWith('-')) return `${at}: label ${quoted} starts or ends with "-", so it is no valid DNS name`;
  return undefined;
}

/** The problem with a Service Connect client alias dnsName, or undefined when ECS accepts it. */
export function dnsNameProblem(name: string): string | undefined {
  const at = `client alias ${JSON.stringify(name)}`;
  if (name === '') return 'client alias is empty; ECS needs a DNS name of 1 to 127 characters';
  const bad = rejected(name, DNS_NAME_CHAR);
  if (bad) return `${at} has characters ECS rejects (${bad}); use lowercase letters, digits, _, - and .`;
  if (name.length > DNS_NAME_MAX) return `${at} has ${name.length} characters; ECS allows at most ${DNS_NAME_MAX}`;
  if (name.startsWith('-')) return `${at} starts with "-", which ECS rejects`;
  for (const label of name.split('.')) {
    const problem = labelProblem(name, label);
    if (problem) return problem;
  }
  return undefined;
}

/** The problem with the name of a Cloud Map HTTP namespace to create, or undefined when Cloud Map accepts it. */
export function httpNamespaceNameProblem(name: string): string | undefined {
  const at = `namespace ${JSON.stringify(name)}`;
  if (name === '') return 'namespace name is empty; Cloud Map needs 1 to 1024 characters';
  const bad = rejected(name, PRINTABLE_ASCII);
  if (bad) return `${at} has characters Cloud Map rejects (${bad}); an HTTP namespace name is printable ASCII without spaces`;
  if (name.length > HTTP_NAMESPACE_NAME_MAX) return `${at} has ${name.length} characters; Cloud Map allows ${HTTP_NAMESPACE_NAME_MAX}`;
  if (name.startsWith('arn:')) return `${at} starts with "arn:"; Cloud Map takes that for an ARN, not a name`;
  return undefined;
}

/**
 * Any string in; a name ECS accepts as a port name or discoveryName out, or '' when nothing is left:
 * lower-cased, each other character replaced with `-`, leading `-` stripped, then cut to 64. Stripping
 * before cutting keeps the name from ending up empty when the raw string starts with many bad characters.
 */
export function toEcsName(raw: string): string {
  const replaced = [...raw.toLowerCase()].map((ch) => (ECS_NAME_CHAR.test(ch) ? ch : '-')).join('');
  return replaced.replace(/^-+/, '').slice(0, ECS_NAME_MAX);
}

/** `base` + `suffix` within 64 characters: the base is cut, never the suffix (`-8443`, `-sc2`). */
export function suffixedEcsName(base: string, suffix: string): string {
  return `${base.slice(0, Math.max(0, ECS_NAME_MAX - suffix.length))}${suffix}`;
}
