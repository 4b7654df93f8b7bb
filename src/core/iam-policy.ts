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
