/** The usage blocks and path checks of the docs (scripts/docs.mjs). */
export declare const ROOT: string;
export declare function usageBlocksIn(markdown: string): string[];
export declare function usageBlock(words: string, help: string): string;
export declare function withoutGlobalOptions(help: string): string;
export declare function renderUsageBlocks(markdown: string, helpOf: (words: string) => string): string;
export declare function commandsIn(help: string): string[];
export declare function helpOf(words: string): Promise<string>;
export declare function programHelp(): Promise<{ commands: string[]; subcommands: string[]; help: Map<string, string> }>;
export declare function docFiles(root?: string): string[];
export declare function repoPathsIn(markdown: string): string[];
export declare function relativeLinksIn(markdown: string): string[];
export declare function anchorsOf(markdown: string): Set<string>;
export declare function pathProblems(file: string, root?: string): string[];
