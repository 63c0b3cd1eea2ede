import type { ParseFailure, ParseResult } from './api-event.js';
import { DEFAULT_ENVIRONMENTS, EVENT_LIMITS } from './limits.js';
import { validateFields } from './validate-event.js';

export interface ParseOptions {
  /** Larger messages are rejected before decoding. Default `EVENT_LIMITS.maxMessageBytes`. */
  maxBytes?: number | undefined;
  /** Accepted values of `env` and `resource_env`. Default `DEFAULT_ENVIRONMENTS`. */
  environments?: readonly string[] | undefined;
  /** Clock for the "not in the future" check, in epoch ms. Default `Date.now`. */
  now?: (() => number) | undefined;
}

// One instance for the process: decoders are stateless between non-streaming decode() calls.
// `fatal` makes malformed UTF-8 throw instead of turning into U+FFFD, which would silently
// change IDs.
const utf8 = new TextDecoder('utf-8', { fatal: true });

// V8 quotes a slice of the input in some messages; keep reasons short whatever it does.
const MAX_JSON_MESSAGE = 160;

function fail(reason: string): ParseFailure {
  return { ok: false, reason };
}

function tooLarge(bytes: number, limit: number): ParseFailure {
  return fail(`message too large (${bytes} bytes > ${limit})`);
}

function shortMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > MAX_JSON_MESSAGE ? `${message.slice(0, MAX_JSON_MESSAGE)}…` : message;
}

/**
 * Decodes, parses and validates one v1 API-response event (one Kafka message value).
 *
 * Never throws: every problem, including ones the input provokes in the runtime (a stack
 * overflow, say), comes back as `{ ok: false, reason }` for the dead-letter topic. The message
 * is parsed by a single `JSON.parse`; unknown fields are ignored without being walked.
 */
export function parseEvent(bytes: Uint8Array | Buffer | string, opts?: ParseOptions): ParseResult {
  const maxBytes = opts?.maxBytes ?? EVENT_LIMITS.maxMessageBytes;
  let text: string;
  if (typeof bytes === 'string') {
    if (bytes.length === 0) return fail('empty message');
    // A UTF-16 code unit takes at most 3 UTF-8 bytes, so most strings skip the byte count.
    if (bytes.length * 3 > maxBytes) {
      const size = Buffer.byteLength(bytes, 'utf8');
      if (size > maxBytes) return tooLarge(size, maxBytes);
    }
    // TextDecoder drops a leading BOM from bytes; do the same for strings so both agree.
    text = bytes.charCodeAt(0) === 0xfeff ? bytes.slice(1) : bytes;
  } else {
    if (bytes.byteLength === 0) return fail('empty message');
    if (bytes.byteLength > maxBytes) return tooLarge(bytes.byteLength, maxBytes);
    try {
      text = utf8.decode(bytes);
    } catch {
      return fail('invalid UTF-8');
    }
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return fail(`invalid JSON: ${shortMessage(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed;
    return fail(`expected a JSON object, got ${kind}`);
  }

  try {
    return validateFields(
      parsed as Record<string, unknown>,
      opts?.environments ?? DEFAULT_ENVIRONMENTS,
      opts?.now?.() ?? Date.now(),
    );
  } catch (err) {
    // Not expected to happen; if it does, the message still goes to the dead-letter topic.
    return fail(`internal error while validating: ${shortMessage(err)}`);
  }
}
