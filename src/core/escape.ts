// \p{Cc} is exactly the C0 controls (U+0000 to U+001F), DEL (U+007F) and the C1 controls (U+0080 to U+009F):
// what a terminal may act on (ESC starts a sequence that recolours, moves the cursor or sets the title).
const CONTROL = /\p{Cc}/gu;
const CONTROL_BUT_NEWLINE = /(?!\n)\p{Cc}/gu;

const asEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Text in, the same text with every control character written as `\u001b` out: safe to print. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, asEscape);
}

/** The same, keeping line breaks: for a message meshctl itself writes over several lines. */
export function escapeControlsButNewlines(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, asEscape);
}
