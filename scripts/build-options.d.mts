import type { BuildOptions } from 'esbuild';

/** esbuild's options for dist/ (scripts/build-options.mjs). */
export declare function buildOptions(version: string): BuildOptions;
