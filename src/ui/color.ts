import { Chalk, type ChalkInstance } from 'chalk';

/** Colour for one stream: on only when the stream is a terminal and neither --no-color nor NO_COLOR says otherwise. */
export function colorFor(isTTY: boolean, colorAllowed: boolean): ChalkInstance {
  return new Chalk({ level: isTTY && colorAllowed ? 1 : 0 });
}
