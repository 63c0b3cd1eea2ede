import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { setSecurityHeaders } from './security-headers.js';

/** An error the client caused or may see: status code, a stable `error` word and a message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);

export const unauthorized = () =>
  new ApiError(401, 'unauthorized', 'a valid bearer token is required', {
    'www-authenticate': 'Bearer realm="denyscope"',
  });

/** One body for every refusal, so a 403 never tells whether the resource exists. */
export const forbidden = () =>
  new ApiError(403, 'forbidden', 'this token may not access this resource');

/** `<field>: <what is wrong>` for each problem zod found, joined by `; `. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      return field === '' ? issue.message : `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** Fastify's own 4xx errors (bad JSON, wrong content type, body too large) keep their status. */
const CLIENT_ERROR_WORDS: Record<number, string> = {
  400: 'bad_request',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * Maps every error to a JSON body: client errors keep their status, anything else is a 500 whose
 * details (and stack) go to the log only.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send({ error: error.error, message: error.message });
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: CLIENT_ERROR_WORDS[status] ?? 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    }),
  );
}

/**
 * Fastify's router errors, answered in the API's format. A path parameter longer than
 * maxParamLength would otherwise get Fastify's own 414 body (older releases: a 404): the ID
 * limit is a client error like any other field, so it is a 400 naming the limit.
 */
export function frameworkErrors(maxParamLength: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const message =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? `path: expected IDs of at most ${maxParamLength} characters`
        : error.code === 'FST_ERR_BAD_URL'
          ? 'path: expected a valid percent-encoded URL'
          : 'bad request';
    // Router errors skip the onSend hooks.
    setSecurityHeaders(request, reply);
    void reply.code(400).send({ error: 'bad_request', message });
  };
}
