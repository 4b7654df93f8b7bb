import { escapeControls } from './escape.js';
import { redactUrlUserinfo } from './secrets.js';

/**
 * What is wrong with an endpoint URL, as a message naming where it came from (`from`: `--endpoint-url`,
 * `AWS_ENDPOINT_URL_ECS`, `profile "p" endpoint_url`...), or undefined when it is a usable http(s) URL.
 * The SDK parses it only at the first call, where a bad port or bracket looks like an AWS error (exit 3).
 */
export function endpointUrlProblem(url: string, from: string): string | undefined {
  const shown = escapeControls(redactUrlUserinfo(url));
  const port = /^[a-z]+:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)(?:[/?#]|$)/i.exec(url)?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))
    return `${from}: "${shown}": port ${port} is out of range (1 to 65535)`;
  if (!/^https?:\/\/\S+$/.test(url) || !URL.canParse(url)) return `${from}: "${shown}" is not an http(s) URL`;
  return undefined;
}

/** The region of a regional ARN (`arn:aws:ecs:eu-west-1:...`), or undefined for anything else (IAM and Route 53 ARNs have none). */
export function regionOfRegionalArn(value: string): string | undefined {
  return /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/.exec(value)?.[1];
}
