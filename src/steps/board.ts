import type { Context } from '../runtime/context.js';
import { boardUi, type Board } from '../ui/board.js';

/** No keys, no board: nothing is drawn (a terminal would get an empty block). */
const NO_BOARD: Board = { set() {}, log() {}, stop() {} };

/**
 * Many services (or other keys) on one board, the one progress surface of a many-service command:
 * `work` gets, for each key, a context whose ui draws that key's line (its steps, its waits' progress),
 * and the board itself (to mark a key not started). In a terminal one line per key is rewritten in
 * place; piped, in CI or with --json, a `key: text` line is written per change. The board is stopped
 * whatever happens, before the summary or the error: one left running would redraw under them.
 */
export async function onBoard<T>(
  ctx: Context,
  keys: readonly string[],
  work: (lineOf: (key: string) => Context, board: Board) => Promise<T>,
): Promise<T> {
  const board = keys.length ? ctx.ui.startBoard(keys) : NO_BOARD;
  try {
    return await work((key) => ({ ...ctx, ui: boardUi(ctx.ui, board, key) }), board);
  } finally {
    board.stop();
  }
}
