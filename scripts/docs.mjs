// `npm run docs`: rewrites every usage block in docs/ from the built program's own `--help`, so the
// command pages cannot drift from the program. A block is
//
//   <!-- usage:begin mesh plan -->
//   ```text
//   (what `node bin/meshctl.js mesh plan --help` prints, its Global Options section left out)
//   ```
//   <!-- usage:end -->
//
// and `<!-- usage:begin -->` alone is `meshctl --help`. test/e2e/docs.test.ts regenerates the blocks in
// memory and fails when a page differs, and checks that every path and link the docs name exists.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const BLOCK = /<!-- usage:begin( [a-z][a-z -]*)? -->\n[\s\S]*?<!-- usage:end -->/g;

/** The command words of every usage block in a page, in order ('' is the program itself). */
export function usageBlocksIn(markdown) {
  return [...markdown.matchAll(BLOCK)].map((m) => (m[1] ?? '').trim());
}

/** The block for `words`, from the help text the program printed. */
export function usageBlock(words, help) {
  const head = words ? `<!-- usage:begin ${words} -->` : '<!-- usage:begin -->';
  return `${head}\n\`\`\`text\n${withoutGlobalOptions(help).trimEnd()}\n\`\`\`\n<!-- usage:end -->`;
}

/** A subcommand's help repeats the program's options under "Global Options:"; docs/configuration.md has them once. */
export function withoutGlobalOptions(help) {
  return help.replace(/^Global Options:\n(?:.+\n)*\n?/m, '');
}

/** The page with each usage block rewritten from `helpOf(words)`. */
export function renderUsageBlocks(markdown, helpOf) {
  return markdown.replace(BLOCK, (_block, words) => usageBlock((words ?? '').trim(), helpOf((words ?? '').trim())));
}

/** The names listed under "Commands:" in a help text, `help` left out. */
export function commandsIn(help) {
  const at = help.indexOf('\nCommands:\n');
  if (at < 0) return [];
  return [...help.slice(at).matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
}

const run = promisify(execFile);

/** What `node bin/meshctl.js <words> --help` prints (a pipe, so commander wraps at 80 columns). */
export async function helpOf(words) {
  const args = [join(ROOT, 'bin/meshctl.js'), ...(words ? words.split(' ') : []), '--help'];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return stdout;
}

/** Every command and subcommand the program lists, as command words ('mesh plan'), with each one's help. */
export async function programHelp() {
  const help = new Map([['', await helpOf('')]]);
  const top = commandsIn(help.get(''));
  await Promise.all(top.map(async (c) => help.set(c, await helpOf(c))));
  const subs = top.flatMap((c) => commandsIn(help.get(c)).map((s) => `${c} ${s}`));
  await Promise.all(subs.map(async (w) => help.set(w, await helpOf(w))));
  return { commands: top, subcommands: subs, help };
}

/** Every markdown file of the docs: README.md, CONTRIBUTING.md and docs/**, relative to the root. */
export function docFiles(root = ROOT) {
  const walk = (dir) =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  return [
    ...['README.md', 'CONTRIBUTING.md'].filter((f) => existsSync(join(root, f))),
    ...(existsSync(join(root, 'docs')) ? walk('docs') : []),
  ];
}

// ---- paths and links -------------------------------------------------------------------------------------

const REPO_PATH = /^(?:src|test|docs|schemas|scripts|examples|bench|bin)\/[\w./-]*$/;

/** Markdown without its fenced code blocks (a command line there is an example, not a claim about the tree). */
function prose(markdown) {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** The backticked words of a page that look like repository paths (`src/core/`, `schemas/rollout.json`). */
export function repoPathsIn(markdown) {
  return [...prose(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => m[1].trim()).filter((p) => REPO_PATH.test(p));
}

/** The relative link targets of a page: `[text](target)`, without web and mail links. */
export function relativeLinksIn(markdown) {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; a repeat gets -1, -2 … */
export function anchorsOf(markdown) {
  const seen = new Map();
  const anchors = new Set();
  for (const m of prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm)) {
    const base = m[1]
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Each problem with the paths and links of `file` (relative to `root`), as a line that says what to fix. */
export function pathProblems(file, root = ROOT) {
  const text = readFileSync(join(root, file), 'utf8');
  const problems = [];
  for (const p of repoPathsIn(text)) {
    if (!existsSync(join(root, p))) problems.push(`${file}: \`${p}\` does not exist in the repository`);
  }
  for (const target of relativeLinksIn(text)) {
    const [path, anchor] = target.split('#', 2);
    const abs = path ? resolve(root, dirname(file), decodeURIComponent(path)) : join(root, file);
    if (!abs.startsWith(root) || !existsSync(abs)) {
      problems.push(`${file}: the link (${target}) points at ${relative(root, abs) || '.'}, which does not exist`);
    } else if (anchor && abs.endsWith('.md') && statSync(abs).isFile() && !anchorsOf(readFileSync(abs, 'utf8')).has(anchor)) {
      problems.push(`${file}: the link (${target}) names #${anchor}, which is no heading of ${relative(root, abs)}`);
    }
  }
  return problems;
}

// ---- npm run docs --------------------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { help } = await programHelp();
  const known = (words) => {
    const h = help.get(words);
    if (h === undefined) throw new Error(`a usage block names "meshctl ${words}", which the program does not list`);
    return h;
  };
  let changed = 0;
  for (const file of docFiles()) {
    const before = readFileSync(join(ROOT, file), 'utf8');
    const after = renderUsageBlocks(before, known);
    if (after !== before) {
      writeFileSync(join(ROOT, file), after);
      changed++;
      console.log(`docs: rewrote the usage blocks of ${file}`);
    }
  }
  console.log(changed ? `docs: ${changed} page(s) updated` : 'docs: every usage block is up to date');
}
