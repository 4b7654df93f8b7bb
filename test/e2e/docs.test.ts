// The docs against the program and the tree: every command page opens with the usage block the built
// program prints (npm run docs rewrites them), and every path and relative link the docs name exists.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  anchorsOf,
  commandsIn,
  docFiles,
  pathProblems,
  programHelp,
  relativeLinksIn,
  renderUsageBlocks,
  repoPathsIn,
  ROOT,
  usageBlocksIn,
  withoutGlobalOptions,
} from '../../scripts/docs.mjs';

describe('the checks themselves, on plain text', () => {
  const page = [
    '# A page',
    '<!-- usage:begin mesh plan -->',
    '```text',
    'Usage: meshctl mesh plan [options] (an old text)',
    '```',
    '<!-- usage:end -->',
    'See `src/core/` and [safety](../safety.md#nothing-deleted) and [AWS](https://aws.amazon.com/).',
    '```sh',
    'meshctl mesh plan -f `examples/missing.yaml` [x](nowhere.md)',
    '```',
  ].join('\n');

  it('finds the usage blocks and rewrites a stale one from the help', () => {
    expect(usageBlocksIn(page)).toEqual(['mesh plan']);
    const fresh = renderUsageBlocks(page, (w) => `Usage: meshctl ${w} [options]\n\nnew\n`);
    expect(fresh).not.toBe(page);
    expect(fresh).toContain('```text\nUsage: meshctl mesh plan [options]\n\nnew\n```\n<!-- usage:end -->');
    expect(renderUsageBlocks(fresh, (w) => `Usage: meshctl ${w} [options]\n\nnew\n`)).toBe(fresh);
  });

  it('leaves the global options out of a subcommand block, and lists the commands of a help', () => {
    const help =
      'Usage: x\n\nOptions:\n  -h\n\nGlobal Options:\n  --json  one object\n  --verbose  more\n\nCommands:\n  plan  p\n  help [command]  h\n';
    expect(withoutGlobalOptions(help)).toBe('Usage: x\n\nOptions:\n  -h\n\nCommands:\n  plan  p\n  help [command]  h\n');
    expect(commandsIn(help)).toEqual(['plan']);
  });

  it('reads backticked repository paths and relative links outside code blocks only', () => {
    expect(repoPathsIn(page)).toEqual(['src/core/']);
    expect(relativeLinksIn(page)).toEqual(['../safety.md#nothing-deleted']);
  });

  it("makes GitHub's anchors from headings", () => {
    const anchors = anchorsOf('# `meshctl mesh plan | apply`: one file\n## Safety\n## Safety\n## What it never touches (yet)\n');
    expect([...anchors]).toEqual(['meshctl-mesh-plan--apply-one-file', 'safety', 'safety-1', 'what-it-never-touches-yet']);
  });

  it('names a missing path, a missing file and a missing heading', () => {
    const root = mkdtempSync(join(tmpdir(), 'meshctl-docs-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs/safety.md'), '# Safety\n## Nothing deleted\n');
    writeFileSync(
      join(root, 'README.md'),
      'See `src/nowhere.ts`, [a](docs/safety.md#nothing-deleted), [b](docs/gone.md), [c](docs/safety.md#nope).\n',
    );
    expect(pathProblems('README.md', root)).toEqual([
      'README.md: `src/nowhere.ts` does not exist in the repository',
      'README.md: the link (docs/gone.md) points at docs/gone.md, which does not exist',
      'README.md: the link (docs/safety.md#nope) names #nope, which is no heading of docs/safety.md',
    ]);
  });
});

describe('the docs of this repository', () => {
  let program: Awaited<ReturnType<typeof programHelp>>;
  beforeAll(async () => {
    program = await programHelp();
  });

  it('every usage block is what the built program prints (else: npm run docs)', () => {
    const stale: string[] = [];
    for (const file of docFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const fresh = renderUsageBlocks(text, (words) => {
        const help = program.help.get(words);
        if (help === undefined) throw new Error(`${file}: a usage block names "meshctl ${words}", which the program does not list`);
        return help;
      });
      if (fresh !== text) stale.push(file);
    }
    expect(stale, `stale usage blocks in ${stale.join(', ')}: run \`npm run docs\` and commit the pages`).toEqual([]);
  });

  it('every command has docs/commands/<command>.md, with a usage block for it and each subcommand', () => {
    expect(program.commands.length).toBeGreaterThan(5);
    const missing: string[] = [];
    for (const command of program.commands) {
      const file = `docs/commands/${command}.md`;
      const blocks = docFiles().includes(file) ? usageBlocksIn(readFileSync(join(ROOT, file), 'utf8')) : [];
      for (const words of [command, ...program.subcommands.filter((s) => s.startsWith(`${command} `))]) {
        if (!blocks.includes(words)) missing.push(`${file}: no usage block for "meshctl ${words}"`);
      }
    }
    expect(missing, 'add <!-- usage:begin WORDS --> <!-- usage:end --> to the page, then run `npm run docs`').toEqual([]);
  });

  it('every repository path and relative link the docs name exists', () => {
    const files = docFiles();
    expect(files).toContain('README.md');
    expect(files).toContain('CONTRIBUTING.md');
    expect(files.flatMap((f) => pathProblems(f))).toEqual([]);
  });
});
