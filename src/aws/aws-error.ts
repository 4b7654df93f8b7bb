import { escapeControls } from '../core/escape.js';
import { redactUrlUserinfo } from '../core/secrets.js';
import { AwsCallError, UsageError } from '../errors.js';

/** Hints by AWS error name: what the user can do next, in AWS's terms (commands add their own flags). */
const HINTS: Record<string, string> = {
  AccessDeniedException: 'the credentials in use lack permission for this call; check the IAM policy or the AWS profile',
  AccessDenied: 'the credentials in use lack permission for this call; check the IAM policy or the AWS profile',
  UnauthorizedOperation: 'the credentials in use lack permission for this call; check the IAM policy or the AWS profile',
  UnrecognizedClientException: 'AWS does not recognise these credentials; check the AWS profile or the AWS_* variables',
  InvalidSignatureException: 'the request signature was refused; check the credentials and the clock',
  ExpiredTokenException: 'the session token has expired; log in again',
  ThrottlingException: 'AWS throttled this call even after retries; wait a little and run the same command again',
  ClusterNotFoundException: 'check the cluster name',
  ServiceNotFoundException: 'check the service and cluster names',
  ServiceNotActiveException: 'the service is not ACTIVE; check the service and cluster names',
  NotFoundException: 'check the names of the App Mesh objects',
  InvalidInstanceId: 'the instance is not running the SSM agent or is not managed by SSM; choose another instance',
  CredentialsProviderError:
    'no AWS credentials found: pass --profile (or set AWS_PROFILE) naming a profile with credentials, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
};

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * Removes anything that could be a credential or a signature from a message AWS (or the SDK) sent
 * back, the userinfo of any URL in it (`http://ci:pw@host` shows as `http://***@host`), and control
 * characters: the message may quote what was sent.
 */
export function redactAwsMessage(message: string): string {
  const redacted = message
    .replace(/The Canonical String for this request should have been[\s\S]*/i, '(details removed)')
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '***')
    .replace(/(Signature|Credential|X-Amz-Security-Token|X-Amz-Signature)=[^\s,&"']+/gi, '$1=***');
  return escapeControls(redactUrlUserinfo(redacted));
}

/**
 * The configuration the SDK found wrong before sending anything (a region or endpoint from a profile,
 * or one that got past meshctl's own checks): bad input, exit 2, not an AWS error.
 */
function localConfigError(e: SdkLikeError, message: string): UsageError | undefined {
  if (/Region is missing/i.test(message)) return new UsageError('no AWS region: pass --region or set AWS_REGION');
  if (/Region not accepted|Invalid region/i.test(message)) {
    return new UsageError(`the AWS region is not valid (${message}); pass --region, or fix AWS_REGION or the profile's region`);
  }
  if (e.code === 'ERR_INVALID_URL') {
    return new UsageError("the AWS endpoint is not a valid URL; check --endpoint-url, AWS_ENDPOINT_URL or the profile's endpoint_url");
  }
  return undefined;
}

/** Turns whatever the SDK threw for `operation` into an AwsCallError (exit 3) or a UsageError. */
export function toAwsCallError(err: unknown, operation: string, endpoint?: string): Error {
  if (err instanceof AwsCallError || err instanceof UsageError) return err;
  const e = (err ?? {}) as SdkLikeError;
  const name = e.name ?? 'Error';
  const message = redactAwsMessage(String(e.message ?? err));
  const local = localConfigError(e, message);
  if (local) return local;
  const network = e.code ?? (/(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EPIPE)/.exec(message)?.[1] || undefined);
  if (network && !e.$metadata?.httpStatusCode) {
    const where = endpoint ? ` at ${escapeControls(redactUrlUserinfo(endpoint))}` : '';
    return new AwsCallError(
      operation,
      network,
      undefined,
      `${operation}: could not reach AWS${where} (${network})`,
      'check the network, --endpoint-url or AWS_ENDPOINT_URL, then run the same command again',
    );
  }
  if (e.$metadata?.httpStatusCode === 404 && /not valid JSON|Deserialization error/i.test(message)) {
    // An HTML 404 instead of an AWS error: the endpoint does not offer this operation at all.
    return new AwsCallError(
      operation,
      'NotImplemented',
      404,
      `${operation}: the endpoint does not offer this operation (HTTP 404); an emulator without it?`,
      'use an endpoint that offers it',
    );
  }
  if (/Deserialization error/i.test(message))
    return unreadableAnswer(operation, String(e.message ?? err), e.$metadata?.httpStatusCode, endpoint);
  const hint = HINTS[name] ?? (name.endsWith('NotFoundException') ? 'check the names passed to meshctl' : undefined);
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts && e.$metadata.attempts > 1 ? ` after ${e.$metadata.attempts} attempts` : '';
  const text = `${operation} failed${attempts}: ${name}${status ? ` (HTTP ${status})` : ''}: ${message}${hint ? `; ${hint}` : ''}`;
  return new AwsCallError(operation, name, status, text, hint);
}

/** A loopback endpoint: an emulator on this machine (moto, LocalStack), not AWS. */
function isLoopback(endpoint: string): boolean {
  const host = URL.canParse(endpoint) ? new URL(endpoint).hostname : '';
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(host);
}

/**
 * An answer the SDK could not parse. Its own text ends "to see the raw response, inspect the hidden
 * field {error}.$response", which no CLI user can do: name the operation and, for an emulator on
 * loopback, stock moto 5.2.1's App Mesh timestamps ("22/11/2026, 20:42:35"), the known cause.
 */
function unreadableAnswer(operation: string, sdkMessage: string, status: number | undefined, endpoint: string | undefined): AwsCallError {
  const detail = redactAwsMessage(sdkMessage.split(/\s*Deserialization error/i)[0]!.trim()) || 'unparsable';
  const local = endpoint !== undefined && isLoopback(endpoint);
  const hint = local
    ? 'use `meshctl sandbox up`, which starts moto with that bug patched'
    : 'check that --endpoint-url or AWS_ENDPOINT_URL points at AWS or at an emulator that answers as AWS does';
  const moto = local
    ? `; ${escapeControls(redactUrlUserinfo(endpoint))} is a local emulator, and stock moto 5.2.1 writes App Mesh timestamps as "22/11/2026, 20:42:35", which no AWS SDK can read (a known moto bug)`
    : '';
  return new AwsCallError(
    operation,
    'UnreadableResponse',
    status,
    `${operation}: the endpoint's answer could not be read (${detail})${moto}; ${hint}`,
    hint,
  );
}

/** What every SDK client has: send(command). */
interface SdkClient {
  send(command: never): Promise<unknown>;
}

/** The output type of an SDK command object, read from its middleware's handler. */
export type OutputOf<C> = C extends { resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: infer O }> } ? O : never;

/** The one way into AWS: sends `command` and translates any failure, once, into AwsCallError or UsageError. */
export type Send = <C extends object>(operation: string, command: C) => Promise<OutputOf<C>>;

/** The Send of one SDK client. */
export function sender(client: SdkClient, endpoint?: string): Send {
  return async <C extends object>(operation: string, command: C): Promise<OutputOf<C>> => {
    try {
      return (await client.send(command as never)) as OutputOf<C>;
    } catch (err) {
      throw toAwsCallError(err, operation, endpoint);
    }
  };
}

/**
 * "That object does not exist", decided once on a translated error: AWS answers NotFoundException
 * (404); moto answers VirtualNodeNotFound, MeshNotFound and the like (400); IAM answers NoSuchEntity.
 * An operation the endpoint does not offer at all (NotImplemented) is not this.
 */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof AwsCallError) || err.errorName === 'NotImplemented') return false;
  return /NotFound(Exception)?$|^NoSuchEntity/.test(err.errorName) || err.httpStatus === 404;
}

/** The call's answer, or undefined when AWS says the object does not exist; every other failure is thrown. */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Error names that mean "this service, or this operation, is not offered here (any more) to these credentials". */
const GONE_NAMES = new RegExp(
  `^(${[
    'AccessDenied(Exception)?',
    'Forbidden(Exception)?',
    'UnrecognizedClient(Exception)?',
    'InvalidClientTokenId',
    'NotImplemented',
    'UnknownOperation(Exception)?',
    'UnsupportedOperation(Exception)?',
    'InvalidAction',
    'OptInRequired',
    'SubscriptionRequiredException',
    'UnreadableResponse',
  ].join('|')})$`,
);

/**
 * A service that ended (App Mesh on 2026-09-30) or is out of reach, however it answers: every such answer
 * is treated alike. Access denied (403), an operation or service unknown (UnknownOperationException,
 * InvalidAction, an HTML 404, 404/405/410/501 with or without a body), an answer that is not the
 * service's (unreadable, a redirect), a server error that lasted through the SDK's retries (5xx), or no
 * answer at all (refused, reset, name not resolved, timed out, TLS refused). Throttling after retries and
 * "that object does not exist" (a named *NotFound*) are not this and are thrown by the caller.
 */
export function isServiceGone(err: unknown): err is AwsCallError {
  if (!(err instanceof AwsCallError)) return false;
  if (GONE_NAMES.test(err.errorName)) return true;
  const status = err.httpStatus;
  if (status === undefined)
    return /^(E[A-Z]+|ERR_[A-Z_]+|[A-Z_]*CERT[A-Z_]*|TimeoutError|RequestTimeout|TimeoutException)$/.test(err.errorName);
  if (/NotFound(Exception)?$|^NoSuchEntity|Throttl|TooManyRequests|RequestLimitExceeded/.test(err.errorName)) return false;
  return status === 403 || status === 404 || status === 405 || status === 410 || (status >= 300 && status < 400) || status >= 500;
}
