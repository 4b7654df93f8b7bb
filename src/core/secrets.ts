/**
 * Names that look like they hold a secret: environment variables, secrets, labels, options. PASS and PWD
 * count only at the end (DB_PASS, MYSQL_PWD), where they name a password rather than, say, PASSTHROUGH.
 */
export const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE|AUTH|PASS$|PWD$/i;
export const MASK = '***';

// The userinfo of a URL ends at the first @ and holds no / ? # (RFC 3986, section 3.2.1).
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s/?#@]*@/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Text in; the same text with the password of every URL in it (`postgres://u:pw@db`) as `***` out. */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${MASK}@`);
}

/** Text in; the same text with the whole userinfo of every URL in it (`http://ci:pw@host`) as `***` out. */
export function redactUrlUserinfo(text: string): string {
  return text.replace(URL_USERINFO, `$1${MASK}@`);
}

/**
 * A deep copy of `value` with secret-looking values replaced by `***`: `{ name, value }` pairs whose
 * name looks secret (container environment), object keys that look secret (dockerLabels, options),
 * and the password of any URL inside a string (DATABASE_URL=postgres://u:pw@db/x).
 */
export function maskSecrets<T>(value: T): T {
  if (typeof value === 'string') return maskUrlPasswords(value) as T;
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
