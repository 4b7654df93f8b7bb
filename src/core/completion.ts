import { shellQuote } from './shell-quote.js';

/** The shells `meshctl completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** One flag as the program declares it: its spellings, and the value it takes (null: none). */
export interface CompletionOption {
  /** `-h`, `--help`: short first, as commander lists them. */
  names: string[];
  description: string;
  value: { placeholder: string; choices: string[] } | null;
}

/** A command, its flags and its subcommands, read from the program (src/cli/completion.ts). */
export interface CompletionCommand {
  name: string;
  aliases: string[];
  description: string;
  options: CompletionOption[];
  /** Words its positional arguments can be (an argument's choices; `help`'s command names). */
  argumentWords: string[];
  commands: CompletionCommand[];
}

/** What a flag's value is completed with: files, folders, a fixed list, or nothing (a name, a number). */
type ValueKind = { kind: 'file' } | { kind: 'folder' } | { kind: 'word' } | { kind: 'choice'; words: string[] };

/** Placeholders (`--cfn-output <file>`) whose value is a path; any other value is free text. */
const FILE_PLACEHOLDERS = new Set(['file', 'template']);
const FOLDER_PLACEHOLDERS = new Set(['folder', 'dir']);

function valueKind(value: NonNullable<CompletionOption['value']>): ValueKind {
  if (value.choices.length) return { kind: 'choice', words: value.choices };
  if (FILE_PLACEHOLDERS.has(value.placeholder)) return { kind: 'file' };
  if (FOLDER_PLACEHOLDERS.has(value.placeholder)) return { kind: 'folder' };
  return { kind: 'word' };
}

const kindText = (k: ValueKind): string => (k.kind === 'choice' ? `choice ${k.words.join(' ')}` : k.kind);

/** A command reached by a path of subcommand names ('' is the program), with the flags that apply there. */
interface Node {
  path: string;
  command: CompletionCommand;
  /** Its own flags and every ancestor's (commander accepts a parent's flags after a subcommand), each once. */
  options: CompletionOption[];
  /** The flags it adds to its ancestors': what fish lists under its path. */
  ownOptions: CompletionOption[];
}

/** Every command of the tree, depth first, the program first. */
function nodesOf(root: CompletionCommand): Node[] {
  const out: Node[] = [];
  const visit = (command: CompletionCommand, path: string, inherited: CompletionOption[]) => {
    const seen = new Set(inherited.flatMap((o) => o.names));
    const ownOptions = command.options.filter((o) => !o.names.some((n) => seen.has(n)));
    const options = [...inherited, ...ownOptions];
    out.push({ path, command, options, ownOptions });
    for (const sub of command.commands) visit(sub, path ? `${path} ${sub.name}` : sub.name, options);
  };
  visit(root, '', []);
  return out;
}

const namesOf = (c: CompletionCommand): string[] => [c.name, ...c.aliases];
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Lines of a shell `case` arm per node (`'mesh') echo ... ;;`), for the nodes that have something to say. */
function caseArms(nodes: Node[], body: (n: Node) => string | undefined): string[] {
  return nodes.flatMap((n) => {
    const b = body(n);
    return b === undefined ? [] : [`    ${shellQuote(n.path)}) ${b} ;;`];
  });
}

/** For each node, its value flags grouped by kind: `--a|--b) echo file ;;`. */
function valueArms(n: Node, arm: (flags: string[], kind: string) => string): string[] {
  const byKind = new Map<string, string[]>();
  for (const o of n.options) {
    if (!o.value) continue;
    const k = kindText(valueKind(o.value));
    byKind.set(k, [...(byKind.get(k) ?? []), ...o.names]);
  }
  return [...byKind].map(([k, flags]) => arm(flags, k));
}

const words = (list: string[]): string | undefined => (list.length ? `echo ${shellQuote(list.join(' '))}` : undefined);

/** The shell functions bash and zsh share: a node's subcommands, flags, argument words and flag values. */
function posixTables(nodes: Node[]): string[] {
  const values = nodes.flatMap((n) => {
    const arms = valueArms(n, (flags, k) => `        ${flags.map(shellQuote).join('|')}) echo ${shellQuote(k)} ;;`);
    return arms.length ? [`    ${shellQuote(n.path)})`, '      case "$2" in', ...arms, '      esac ;;'] : [];
  });
  return [
    '# The subcommands of a command path ("" is meshctl itself), its flags, and the words its arguments take.',
    '__meshctl_commands() {',
    '  case "$1" in',
    ...caseArms(nodes, (n) => words(n.command.commands.flatMap(namesOf))),
    '  esac',
    '}',
    '__meshctl_flags() {',
    '  case "$1" in',
    ...caseArms(nodes, (n) => words(n.options.flatMap((o) => o.names))),
    '  esac',
    '}',
    '__meshctl_args() {',
    '  case "$1" in',
    ...caseArms(nodes, (n) => words(n.command.argumentWords)),
    '  esac',
    '}',
    '# What the value of flag $2 in command path $1 is completed with: file, folder, word or "choice A B";',
    '# nothing when the flag takes no value.',
    '__meshctl_value() {',
    '  case "$1" in',
    ...values,
    '  esac',
    '}',
  ];
}

/**
 * The walk both bash and zsh do over the words before the cursor: a subcommand name extends the path,
 * a flag that takes a value skips that value (or, just before the cursor, means its value is being
 * typed), anything else is an argument.
 */
const walk = (first: string, last: string, word: string): string[] => [
  `  for ((i = ${first}; i < ${last}; i++)); do`,
  `    w=${word}`,
  '    case "$w" in',
  '      --*=*) ;;',
  '      -*)',
  '        kind="$(__meshctl_value "$cmdpath" "$w")"',
  '        if [[ -n "$kind" ]]; then',
  `          ((i + 1 == ${last})) && break`,
  "          ((i++)); kind=''",
  '        fi ;;',
  '      *) [[ " $(__meshctl_commands "$cmdpath") " == *" $w "* ]] && cmdpath="${cmdpath:+$cmdpath }$w" ;;',
  '    esac',
  '  done',
];

const header = (shell: Shell, version: string, load: string[]): string[] => [
  `# ${shell} completion for meshctl ${version}, printed by \`meshctl completion ${shell}\` from meshctl's own`,
  '# commands and flags: print it again after an upgrade.',
  ...load.map((l) => `# ${l}`),
];

/**
 * A bash script: `source <(meshctl completion bash)`. Needs no bash-completion package, and keeps to what
 * bash 3.2 (macOS) has: no associative arrays or mapfile, compopt only where bash has it.
 */
export function bashCompletion(root: CompletionCommand, version: string): string {
  return [
    ...header('bash', version, [
      'Load it in this shell:  source <(meshctl completion bash)',
      'or for every shell:     meshctl completion bash > ~/.local/share/bash-completion/completions/meshctl',
    ]),
    '',
    ...posixTables(nodesOf(root)),
    '',
    '_meshctl() {',
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath='' kind='' w i list`,
    ...walk('1', 'COMP_CWORD', '"${COMP_WORDS[i]}"'),
    '  case "$kind" in',
    // File names may hold spaces: one per line.
    '    file) compopt -o filenames 2>/dev/null; local IFS=$\'\\n\'; COMPREPLY=($(compgen -f -- "$cur")); return ;;',
    '    folder) compopt -o filenames 2>/dev/null; local IFS=$\'\\n\'; COMPREPLY=($(compgen -d -- "$cur")); return ;;',
    '    word) COMPREPLY=(); return ;;',
    '    choice\\ *) list="${kind#choice }" ;;',
    '    *) if [[ "$cur" == -* ]]; then list="$(__meshctl_flags "$cmdpath")"; else list="$(__meshctl_commands "$cmdpath") $(__meshctl_args "$cmdpath")"; fi ;;',
    '  esac',
    '  COMPREPLY=($(compgen -W "$list" -- "$cur"))',
    '}',
    'complete -F _meshctl meshctl',
    '',
  ].join('\n');
}

/** zsh's `_describe` items, `name:description`, a colon in a name escaped. */
function describeItems(items: [string, string][]): string | undefined {
  if (!items.length) return undefined;
  return `reply=(${items.map(([name, d]) => shellQuote(`${name.replace(/:/g, '\\:')}:${oneLine(d)}`)).join(' ')})`;
}

/** A zsh script: `source <(meshctl completion zsh)` after compinit, or saved as `_meshctl` on $fpath. */
export function zshCompletion(root: CompletionCommand, version: string): string {
  const nodes = nodesOf(root);
  return [
    '#compdef meshctl',
    ...header('zsh', version, [
      'Load it in this shell (after compinit):  source <(meshctl completion zsh)',
      'or for every shell: save it as _meshctl in a folder on $fpath, before compinit runs.',
    ]),
    '',
    ...posixTables(nodes),
    '# The same lists with descriptions, for _describe (in $reply).',
    '__meshctl_describe_commands() {',
    '  reply=()',
    '  case "$1" in',
    ...caseArms(nodes, (n) =>
      describeItems(n.command.commands.flatMap((c) => namesOf(c).map((m): [string, string] => [m, c.description]))),
    ),
    '  esac',
    '}',
    '__meshctl_describe_flags() {',
    '  reply=()',
    '  case "$1" in',
    ...caseArms(nodes, (n) => describeItems(n.options.flatMap((o) => o.names.map((m): [string, string] => [m, o.description])))),
    '  esac',
    '}',
    '',
    '_meshctl() {',
    // Not `path`: in zsh that is $PATH.
    "  local cmdpath='' kind='' w i",
    '  local -a reply',
    ...walk('2', 'CURRENT', '"${words[i]}"'),
    '  case "$kind" in',
    '    (file) _files ;;',
    '    (folder) _files -/ ;;',
    "    (word) _message 'a value' ;;",
    '    (choice\\ *) compadd -- ${=kind#choice } ;;',
    '    (*)',
    '      if [[ "$PREFIX" == -* ]]; then',
    '        __meshctl_describe_flags "$cmdpath"; _describe -t options \'flag\' reply',
    '      else',
    '        __meshctl_describe_commands "$cmdpath"; (( $#reply )) && _describe -t commands \'command\' reply',
    '        reply=(${=$(__meshctl_args "$cmdpath")}); (( $#reply )) && compadd -- $reply',
    '      fi ;;',
    '  esac',
    '}',
    // Loaded from $fpath the file is _meshctl's body: define, then run. Sourced: register it.
    'if [[ "${funcstack[1]}" == _meshctl ]]; then _meshctl "$@"; else compdef _meshctl meshctl; fi',
    '',
  ].join('\n');
}

/** fish's quoting: inside single quotes only \\ and \' are special. */
const fishQuote = (s: string): string => `'${s.replace(/[\\']/g, '\\$&')}'`;

/** fish's `complete` flags for one option: `-s h -l help -r -F -d '...'`. */
function fishOption(o: CompletionOption): string {
  const spell = o.names.map((n) => (n.startsWith('--') ? `-l ${fishQuote(n.slice(2))}` : `-s ${fishQuote(n.slice(1))}`));
  const k = o.value ? valueKind(o.value) : undefined;
  const value =
    k === undefined
      ? []
      : k.kind === 'file'
        ? ['-r', '-F']
        : k.kind === 'folder'
          ? ['-x', "-a '(__fish_complete_directories)'"]
          : k.kind === 'choice'
            ? ['-x', `-a ${fishQuote(k.words.join(' '))}`]
            : ['-x'];
  return [...spell, ...value, '-d', fishQuote(oneLine(o.description))].join(' ');
}

/** A fish script: `meshctl completion fish | source`, or saved in ~/.config/fish/completions/meshctl.fish. */
export function fishCompletion(root: CompletionCommand, version: string): string {
  const nodes = nodesOf(root);
  const sw = (name: string, arms: string[]) => [`function ${name}`, '    switch "$argv[1]"', ...arms, '    end', 'end'];
  const lines = (n: Node, list: string[]) =>
    list.length ? [`        case ${fishQuote(n.path)}`, `            printf '%s\\n' ${list.map(fishQuote).join(' ')}`] : [];
  const values = nodes.flatMap((n) => {
    const arms = valueArms(
      n,
      (flags, k) => `                case ${flags.map(fishQuote).join(' ')}\n                    echo ${fishQuote(k)}`,
    );
    return arms.length ? [`        case ${fishQuote(n.path)}`, '            switch "$argv[2]"', ...arms, '            end'] : [];
  });
  // A node's own flags apply at its path and under it; the program's anywhere.
  const at = (n: Node, under: boolean) =>
    n.path === '' && under ? '' : `-n ${fishQuote(`__meshctl_${under ? 'under' : 'at'} ${fishQuote(n.path)}`)} `;
  return [
    ...header('fish', version, [
      'Load it in this shell:  meshctl completion fish | source',
      'or for every shell:     meshctl completion fish > ~/.config/fish/completions/meshctl.fish',
    ]),
    '',
    ...sw(
      '__meshctl_commands',
      nodes.flatMap((n) => lines(n, n.command.commands.flatMap(namesOf))),
    ),
    '# What the value of flag $argv[2] in command path $argv[1] is (file, folder, word, "choice A B"); nothing: no value.',
    ...sw('__meshctl_value', values),
    '# The command path before the cursor: subcommand names, without flags, flag values and arguments.',
    'function __meshctl_path',
    '    set -l tokens (commandline -opc)',
    '    set -e tokens[1]',
    "    set -l cmdpath ''",
    '    set -l skip 0',
    '    for w in $tokens',
    '        if test $skip = 1',
    '            set skip 0',
    '            continue',
    '        end',
    '        switch $w',
    "            case '--*=*'",
    "            case '-*'",
    '                set -l kind (__meshctl_value "$cmdpath" $w)',
    '                if test -n "$kind"',
    '                    set skip 1',
    '                end',
    "            case '*'",
    '                if contains -- $w (__meshctl_commands "$cmdpath")',
    '                    set cmdpath (string trim -- "$cmdpath $w")',
    '                end',
    '        end',
    '    end',
    '    echo $cmdpath',
    'end',
    'function __meshctl_at',
    '    set -l p (__meshctl_path)',
    '    test "$p" = "$argv[1]"',
    'end',
    'function __meshctl_under',
    '    set -l p (__meshctl_path)',
    '    test "$p" = "$argv[1]"; or string match -q -- "$argv[1] *" "$p"',
    'end',
    '',
    '# No file names unless a flag takes one.',
    'complete -c meshctl -f',
    ...nodes.flatMap((n) => [
      ...n.command.commands.flatMap((c) =>
        namesOf(c).map((m) => `complete -c meshctl ${at(n, false)}-a ${fishQuote(m)} -d ${fishQuote(oneLine(c.description))}`),
      ),
      ...(n.command.argumentWords.length ? [`complete -c meshctl ${at(n, false)}-a ${fishQuote(n.command.argumentWords.join(' '))}`] : []),
      ...n.ownOptions.map((o) => `complete -c meshctl ${at(n, true)}${fishOption(o)}`),
    ]),
    '',
  ].join('\n');
}

/** The completion script of `shell` for the program `root`. */
export function completionScript(shell: Shell, root: CompletionCommand, version: string): string {
  return { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell](root, version);
}
