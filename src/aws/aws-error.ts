import { AwsCallError, UsageError } from '../errors.js';

/** Hints by AWS error name: what the user can do next. */
const HINTS: Record<string, string> = {
  AccessDeniedException: 'the credentials in use lack permission for this call; check the IAM policy or --profile',
  AccessDenied: 'the credentials in use lack permission for this call; check the IAM policy or --profile',
  UnauthorizedOperation: 'the credentials in use lack permission for this call; check the IAM policy or --profile',
  UnrecognizedClientException: 'AWS does not recognise these credentials; check --profile or the AWS_* variables',
  InvalidSignatureException: 'the request signature was refused; check the credentials and the clock',
  ExpiredTokenException: 'the session token has expired; log in again',
  ThrottlingException: 'AWS throttled this call even after retries; wait a little and run the same command again',
  ClusterNotFoundException: 'check --cluster or the EcsClusterName key of cfn-output.json',
  ServiceNotFoundException: 'check --service and --cluster',
  ServiceNotActiveException: 'the service is not ACTIVE; check --service and --cluster',
  NotFoundException: 'check the mesh and virtual node names (--mesh, --virtual-node), or pass --skip-mesh-check',
  InvalidInstanceId: 'the instance is not running the SSM agent or is not managed by SSM; pass another --instance-id',
  CredentialsProviderError: 'no AWS credentials found: set AWS_PROFILE or pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
};

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Removes anything that could be a credential or a signature from a message AWS sent back. */
export function redactAwsMessage(message: string): string {
  return message
    .replace(/The Canonical String for this request should have been[\s\S]*/i, '(details removed)')
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '***')
    .replace(/(Signature|Credential|X-Amz-Security-Token|X-Amz-Signature)=[^\s,&"']+/gi, '$1=***');
}

/** Turns whatever the SDK threw for `operation` into an AwsCallError (exit 3) or a UsageError. */
export function toAwsCallError(err: unknown, operation: string, endpoint?: string): Error {
  if (err instanceof AwsCallError || err instanceof UsageError) return err;
  const e = (err ?? {}) as SdkLikeError;
  const name = e.name ?? 'Error';
  const message = redactAwsMessage(String(e.message ?? err));
  if (/Region is missing/i.test(message)) {
    return new UsageError('no AWS region: pass --region or set AWS_REGION');
  }
  const network = e.code ?? (/(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EPIPE)/.exec(message)?.[1] || undefined);
  if (network && !e.$metadata?.httpStatusCode) {
    const where = endpoint ? ` at ${endpoint}` : '';
    return new AwsCallError(operation, network, undefined, `${operation}: could not reach AWS${where} (${network})`, 'check the network, --endpoint-url or AWS_ENDPOINT_URL, then run the same command again');
  }
  if (e.$metadata?.httpStatusCode === 404 && /not valid JSON|Deserialization error/i.test(message)) {
    // An HTML 404 instead of an AWS error: the endpoint does not offer this operation at all.
    return new AwsCallError(operation, 'NotImplemented', 404, `${operation}: the endpoint does not offer this operation (HTTP 404); an emulator without it?`, 'use an endpoint that offers it');
  }
  const hint = HINTS[name] ?? (name.endsWith('NotFoundException') ? 'check the names passed to meshctl' : undefined);
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts && e.$metadata.attempts > 1 ? ` after ${e.$metadata.attempts} attempts` : '';
  const text = `${operation} failed${attempts}: ${name}${status ? ` (HTTP ${status})` : ''}: ${message}${hint ? `; ${hint}` : ''}`;
  return new AwsCallError(operation, name, status, text, hint);
}

/** Sends one call and translates any failure, once, here. */
export async function callAws<T>(operation: string, send: () => Promise<T>, endpoint?: string): Promise<T> {
  try {
    return await send();
  } catch (err) {
    throw toAwsCallError(err, operation, endpoint);
  }
}

/**
 * "That object does not exist": AWS answers NotFoundException (404); moto answers VirtualNodeNotFound,
 * MeshNotFound and the like (400). An operation the endpoint does not offer at all is not this.
 */
export function isNotFound(err: unknown): boolean {
  const name = err instanceof AwsCallError ? err.errorName : ((err as { name?: string }).name ?? '');
  if (name === 'NotImplemented') return false;
  const rawStatus = err instanceof AwsCallError ? undefined : (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NotFoundException' || /NotFound$/.test(name) || rawStatus === 404;
}
