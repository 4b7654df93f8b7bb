// ---- What the user gives a template: parameter values from a file, checked against the template's names.

import { InputError } from '../../../errors.js';
import { escapeControls } from '../../escape.js';
import { isObj } from './common.js';
import { CFN_LIMITS, CfnResolver, type CfnDeployment } from './cfn-resolve.js';

/**
 * A parameters file's text in (`aws cloudformation`'s JSON list, `[{"ParameterKey": "K", "ParameterValue": "V"}]`,
 * or `KEY=VALUE` lines, `#` comments and blank lines ignored); the values by key out. Throws InputError naming the line.
 */
export function parseParametersText(text: string, file: string): Record<string, string> {
  const name = escapeControls(file);
  const out: Record<string, string> = {};
  const put = (key: string, value: string, where: string) => {
    if (Object.hasOwn(out, key)) throw new InputError(`${name}: ${where}: ${escapeControls(key)} is given twice`);
    out[key] = value;
  };
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch (err) {
      throw new InputError(`${name}: not valid JSON (${escapeControls((err as Error).message.split('\n')[0] ?? '')})`);
    }
    if (!Array.isArray(list)) throw new InputError(`${name}: expected a list of {"ParameterKey", "ParameterValue"}`);
    list.forEach((item, i) => {
      const ok =
        isObj(item) && typeof item.ParameterKey === 'string' && item.ParameterKey !== '' && typeof item.ParameterValue === 'string';
      if (!ok) throw new InputError(`${name}: [${i}] needs a "ParameterKey" and a string "ParameterValue"`);
      put(item.ParameterKey as string, item.ParameterValue as string, `[${i}]`);
    });
    return out;
  }
  trimmed.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) return;
    const eq = l.indexOf('=');
    const key = eq > 0 ? l.slice(0, eq).trim() : '';
    if (!key || /\s/.test(key)) throw new InputError(`${name}: line ${i + 1} is not KEY=VALUE`);
    put(key, l.slice(eq + 1).trim(), `line ${i + 1}`);
  });
  return out;
}

/** Each given parameter name the templates do not declare (pseudo parameters, AWS::…, excepted), as a problem naming theirs. */
export function unknownParameterProblems(given: Record<string, string>, templates: readonly unknown[], source: string): string[] {
  const declared = new Set(templates.flatMap((t) => (isObj(t) && isObj(t.Parameters) ? Object.keys(t.Parameters) : [])));
  const names = [...declared].join(', ') || 'none';
  return Object.keys(given)
    .filter((k) => !k.startsWith('AWS::') && !declared.has(k))
    .map((k) => `--parameter ${escapeControls(k)}: no such parameter in ${source} (its parameters: ${escapeControls(names)})`);
}

/**
 * The export names a template's Fn::ImportValue calls ask for, resolved with what its deployment knows; null
 * for a name that cannot be known without more (the account's exports, say). Tells whether --export gave them all.
 */
export function importNames(template: unknown, deployment: CfnDeployment, source: string): (string | null)[] {
  if (!isObj(template)) return [];
  const resolver = new CfnResolver(template, deployment, source);
  const out: (string | null)[] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > CFN_LIMITS.depth || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Fn::ImportValue') {
      const name = resolver.value((v as Record<string, unknown>)['Fn::ImportValue'], path);
      out.push(typeof name === 'string' ? name : null);
    }
    for (const k of keys) walk((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
  };
  walk(template, source, 0);
  return out;
}
