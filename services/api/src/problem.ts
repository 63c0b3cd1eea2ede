import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** RFC 9457's media type; Fastify serializes it as JSON (any `…json` type) and adds the charset. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Every problem the API names has a type under this base, ending in its `error` word: the two
 * words a client already matched on (`rate_limited`, `too_many_reports`, …) stay the key, and the
 * URI is an identifier documented in docs/api.md#errors, never fetched by a client.
 */
export const PROBLEM_TYPE_BASE = 'https://denyscope.dev/problems/';

/** The title of each problem type: the same for every occurrence (RFC 9457 §3.1.3). */
const TITLES: Readonly<Record<string, string>> = {
  bad_request: 'Bad request',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Rate limit exceeded',
  too_many_reports: 'Too many reports at once',
  internal: 'Internal error',
};

/** The body of every error answer: RFC 9457 members, then the API's earlier two as extensions. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request's path, without the query string. */
  instance: string;
  /** The stable word of the format before problem details (`bad_request`, …); kept for clients. */
  error: string;
  /** Same text as `detail`; kept for clients of the earlier format. */
  message: string;
}

/**
 * The problem for `error` (a word of TITLES) at `status`. A word the API does not define, as for a
 * Fastify 4xx it has no name for, is `about:blank` (RFC 9457 §4.2.1): no meaning beyond the status,
 * whose reason phrase is the title and, in snake case, the `error` word (`request_timeout`).
 */
export function problemOf(
  request: FastifyRequest,
  status: number,
  error: string | undefined,
  detail: string,
): Problem {
  const instance = request.url.split('?')[0] ?? '';
  const title = error === undefined ? undefined : TITLES[error];
  if (error === undefined || title === undefined) {
    const phrase = STATUS_CODES[status] ?? 'Error';
    const word = phrase.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    return {
      type: 'about:blank',
      title: phrase,
      status,
      detail,
      instance,
      error: word,
      message: detail,
    };
  }
  const type = `${PROBLEM_TYPE_BASE}${error}`;
  return { type, title, status, detail, instance, error, message: detail };
}

/** Sets the status and the media type of `problem`; send it after any header that reads them. */
export const problemReply = (reply: FastifyReply, problem: Problem): FastifyReply =>
  reply.code(problem.status).type(PROBLEM_CONTENT_TYPE);
