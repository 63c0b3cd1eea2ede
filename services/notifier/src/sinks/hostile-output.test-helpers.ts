/**
 * What no rendered notification may contain, whatever the alert held: Slack control sequences
 * (mentions, links), raw control characters, bidi overrides, line separators, lone surrogates.
 */
export const SLACK_CONTROL_SEQUENCE = /<[!@#]|<https?:|<mailto:/i;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
export const BIDI_OR_SEPARATOR = /[\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

export function hasLoneSurrogate(text: string): boolean {
  return !text.isWellFormed();
}
