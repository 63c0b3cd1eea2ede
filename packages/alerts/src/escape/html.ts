import { replaceUnsafe, toSpaceOrReplacement } from './unsafe-chars.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Untrusted text for HTML and SVG, in element content or a quoted attribute value: the five
 * characters that can end either context become entities; control characters, bidi controls and
 * lone surrogates are replaced first (unsafe-chars.ts). Never for unquoted attributes, URLs,
 * `<script>` or `<style>`: the reports put data in none of them.
 */
export function escapeHtml(value: string): string {
  return replaceUnsafe(value, toSpaceOrReplacement).replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}
