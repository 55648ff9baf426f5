/**
 * Text from buyers (or platforms) printed on an operator's terminal: escape sequences could move the
 * cursor, rewrite earlier lines, set the window title or hide text. `forTerminal` removes ANSI escape
 * sequences (CSI, OSC, other ESC sequences) and every other C0/C1 control character and DEL, keeping
 * newline and tab.
 */
/* eslint-disable no-control-regex -- matching control characters is the point of this module */
// OSC (ESC ] … BEL|ST) and DCS/SOS/PM/APC strings, CSI sequences, two-byte ESC sequences, then single controls.
const ESC_STRING = /(?:\u001B[\]PX^_]|[\u0090\u0098\u009D\u009E\u009F])[^\u0007\u001B\u009C]*(?:\u0007|\u001B\\|\u009C)?/g;
const CSI = /(?:\u001B\[|\u009B)[\u0030-\u003F]*[\u0020-\u002F]*[\u0040-\u007E]?/g;
const ESC_SEQ = /\u001B[\u0020-\u002F]*[\u0030-\u007E]?/g;
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

export function forTerminal(text: string): string {
  return text.replace(ESC_STRING, '').replace(CSI, '').replace(ESC_SEQ, '').replace(CONTROLS, '');
}

const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Whether `text` holds a C0/C1 control character or DEL (newline and tab allowed with `allowLayout`). */
export function hasControlChars(text: string, o: { allowLayout?: boolean } = {}): boolean {
  return (o.allowLayout ? new RegExp(CONTROLS.source) : ANY_CONTROL).test(text);
}
