import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal } from './auth.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { problemBody } from './schemas.js';

/**
 * Who may call a route: anyone (health, metrics, the OpenAPI document), admin tokens only, or
 * admin tokens and the token of the account named by the `:account` path parameter.
 */
export type Access = 'open' | 'admin' | 'own-account';

export interface ResponseSpec {
  description: string;
  /** The body's schema, for each of `contentTypes` (default `application/json`). */
  schema?: z.ZodType;
  contentTypes?: readonly string[];
}

/** An error answer of a route: problem details (docs/api.md#errors). */
export const problemResponse = (description: string): ResponseSpec => ({
  description,
  schema: problemBody,
  contentTypes: [PROBLEM_CONTENT_TYPE],
});

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One route, the single source of both the Fastify route and its OpenAPI operation: the handler
 * only ever sees input these schemas accepted.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify syntax: `/v1/alerts/:id`. */
  url: string;
  summary: string;
  access: Access;
  /**
   * An orchestrator's probe (/healthz, /readyz): never rate-limited, because a 429 would restart or
   * drain a healthy API. Both are cheap whoever calls them (readiness is cached).
   */
  probe?: boolean;
  schemas: {
    params?: P;
    query?: Q;
    body?: B;
    responses: Record<number, ResponseSpec>;
  };
  // Method syntax on purpose: it lets a table hold routes of different input types.
  handler(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

/** Keeps the schema types of one route for its handler, then erases them for the table. */
export function defineRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec;
}

/** `/v1/alerts/:id` → `/v1/alerts/{id}` */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}
