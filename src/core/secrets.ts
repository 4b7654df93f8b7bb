/** Names that look like they hold a secret: environment variables, secrets, labels, options. */
export const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE|AUTH/i;
export const MASK = '***';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A deep copy of `value` with secret-looking values replaced by `***`: `{ name, value }` pairs whose
 * name looks secret (container environment), and object keys that look secret (dockerLabels, options).
 */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  const pairIsSecret = typeof value.name === 'string' && SECRET_NAME.test(value.name) && 'value' in value;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'value' && pairIsSecret) out[k] = MASK;
    else if (typeof v === 'string' && SECRET_NAME.test(k)) out[k] = MASK;
    else out[k] = maskSecrets(v);
  }
  return out as T;
}
