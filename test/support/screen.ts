/**
 * What a terminal shows after `output`, for the sequences meshctl's board writes: text, `\n` (as a tty
 * sends it, back to column 0), `\r`, ESC[nF (n lines up, column 0), ESC[K (erase to the end of the
 * line) and ESC[J (erase to the end of the screen). Other escapes (colours, the cursor's visibility) are
 * dropped. The screen has no height: nothing scrolls out of reach.
 */
const CSI = new RegExp(`^${String.fromCharCode(27)}\\[([?0-9;]*)([A-Za-z])`);

export function renderScreen(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (ch: string) => {
    const line = lines[row]!.padEnd(col);
    lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col++;
  };
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === '\u001b') {
      const m = CSI.exec(output.slice(i));
      if (!m) continue;
      i += m[0].length - 1;
      const [, arg, op] = m;
      if (op === 'F') [row, col] = [Math.max(0, row - Number(arg || 1)), 0];
      else if (op === 'K') lines[row] = lines[row]!.slice(0, col);
      else if (op === 'J') lines.splice(row, lines.length, lines[row]!.slice(0, col));
    } else if (ch === '\n') {
      row++;
      col = 0;
      if (row === lines.length) lines.push('');
    } else if (ch === '\r') col = 0;
    else put(ch);
  }
  return lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
}
