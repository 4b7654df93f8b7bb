/** The colours meshctl uses; chalk provides them in a terminal. */
export interface Colors {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
}

const same = (text: string) => text;
export const NO_COLORS: Colors = { red: same, yellow: same, green: same, cyan: same, dim: same };

/**
 * Colour for one stream: on only when the stream is a terminal and neither --no-color nor NO_COLOR
 * says otherwise. chalk loads only then: it costs every start several milliseconds.
 */
export async function colorFor(isTTY: boolean, colorAllowed: boolean): Promise<Colors> {
  if (!isTTY || !colorAllowed) return NO_COLORS;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}
