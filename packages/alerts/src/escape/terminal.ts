import { codeUnitEscape, replaceUnsafe, truncate } from './unsafe-chars.js';

/**
 * Untrusted text for a terminal (`denyscope start`, `alerts list`): every control character, ESC
 * (which starts ANSI colour, cursor and OSC 8 hyperlink sequences), CR/LF and U+2028/2029 (which
 * forge lines), bidi control and lone surrogate is shown as a visible `\u001b`-style escape, so
 * the value prints on its own line as inert text and an injection attempt stays visible. `max`
 * cuts the value (before escaping, without breaking a surrogate pair).
 */
export function escapeTerminal(value: string, max?: number): string {
  return replaceUnsafe(max === undefined ? value : truncate(value, max), codeUnitEscape);
}
