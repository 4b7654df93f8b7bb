/**
 * Quotes one value for a POSIX shell: the result is always a single word that the shell reads back
 * as exactly `value`, whatever it holds (`;`, `$(...)`, backticks, quotes, newlines).
 */
export function shellQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Joins argv into one shell command line, each word quoted. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
