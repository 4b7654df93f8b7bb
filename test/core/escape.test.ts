import { describe, expect, it } from 'vitest';
import { escapeControls, escapeControlsButNewlines } from '../../src/core/escape.js';
import { createUi } from '../../src/ui/output.js';
import { captureStream } from '../support/fake-deps.js';

const ESC = String.fromCharCode(0x1b);
/** Any C0 or C1 control or DEL, line breaks included. */
const ANY_CONTROL = /\p{Cc}/u;

describe('escapeControls', () => {
  it.each([
    ['an escape sequence', `${ESC}[31mred${ESC}[0m`, '\\u001b[31mred\\u001b[0m'],
    ['a terminal title (OSC ... BEL)', `${ESC}]0;owned\u0007`, '\\u001b]0;owned\\u0007'],
    ['NUL', 'a\u0000b', 'a\\u0000b'],
    ['a carriage return that would overwrite the line', 'ok\rFAKE', 'ok\\u000dFAKE'],
    ['a line break', 'a\nb', 'a\\u000ab'],
    ['a tab', 'a\tb', 'a\\u0009b'],
    ['DEL', 'a\u007fb', 'a\\u007fb'],
    ['a C1 CSI, which some terminals take for ESC [', 'a\u009b31mb', 'a\\u009b31mb'],
    ['the last C1 control', '\u009f', '\\u009f'],
  ])('escapes %s', (_name, input, expected) => {
    expect(escapeControls(input)).toBe(expected);
  });

  it.each([
    ['plain text', 'td.json: not valid JSON'],
    ['accents and emoji', 'café ✔ 🚀'],
    ['a no-break space, just past the C1 controls', 'a\u00a0b'],
    ['a backslash sequence that is already text', 'a\\u001bb'],
  ])('keeps %s as it is', (_name, input) => {
    expect(escapeControls(input)).toBe(input);
  });

  it('keeps line breaks only when asked, and escapes the rest', () => {
    expect(escapeControlsButNewlines(`one\ntwo${ESC}[2J\r`)).toBe('one\ntwo\\u001b[2J\\u000d');
  });
});

describe('Ui messages', () => {
  const ui = (json = false) => {
    const stdout = captureStream();
    const stderr = captureStream();
    const facts = { stderrIsTTY: false, ci: true, json, color: false, verbose: false };
    return { ui: createUi(facts, { stdout, stderr }), stdout, stderr };
  };

  it.each(['error', 'warn', 'info'] as const)('%s writes no control character from its message, only its line breaks', (level) => {
    const t = ui();
    t.ui[level](`bad ${ESC}[31mred\u0007\u009b\nsecond line`);
    const text = t.stderr.text();
    expect(text).toContain('bad \\u001b[31mred\\u0007\\u009b\nsecond line\n');
    expect(text.replaceAll('\n', '')).not.toMatch(ANY_CONTROL);
  });

  it.each(['error', 'warn', 'info'] as const)('%s never shows the userinfo of a URL', (level) => {
    const t = ui();
    t.ui[level]('resume with: meshctl rollout --endpoint-url http://ci:s3cr3t@127.0.0.1:5000');
    expect(t.stderr.text()).toContain('--endpoint-url http://***@127.0.0.1:5000');
    expect(t.stderr.text()).not.toContain('s3cr3t');
  });

  it('leaves --json output to JSON.stringify: the value reads back exactly', () => {
    const t = ui(true);
    const data = { name: `a${ESC}[31m\u007f\u009b` };
    t.ui.result({ data, lines: [] });
    expect(JSON.parse(t.stdout.text())).toEqual(data);
    expect(t.stdout.text()).toContain('\\u001b[31m');
  });
});
