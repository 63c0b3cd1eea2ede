import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { problemOf, problemReply } from './problem.js';
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
 * Maps every error to RFC 9457 problem details (problem.ts): client errors keep their status, anything
 * else is a 500 whose details (and stack) go to the log only.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      const problem = problemOf(request, error.statusCode, error.error, error.message);
      return problemReply(reply, problem).headers(error.headers).send(problem);
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const problem = problemOf(request, status, CLIENT_ERROR_WORDS[status], error.message);
      return problemReply(reply, problem).send(problem);
    }
    request.log.error({ err: error }, 'request failed');
    const problem = problemOf(request, 500, 'internal', 'internal error');
    return problemReply(reply, problem).send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const problem = problemOf(request, 404, 'not_found', `no route ${request.method} ${path}`);
    return problemReply(reply, problem).send(problem);
  });
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
    const problem = problemOf(request, 400, 'bad_request', message);
    problemReply(reply, problem);
    // Router errors skip the onSend hooks; after the type, which chooses the CSP.
    setSecurityHeaders(request, reply);
    void reply.send(problem);
  };
}
