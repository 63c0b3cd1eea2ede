import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Principal } from '../auth.js';
import { ApiError } from '../errors.js';

const MINUTE_MS = 60_000;

export interface RateLimits {
  /** Requests per minute per token, from every address together. */
  rateLimitPerMinute: number;
  /** Requests per minute per client address (IPv6 per /64), whatever the token. */
  addressRateLimitPerMinute: number;
}

export interface RateLimitHooks {
  /** Runs before authentication, so guessing tokens is limited too. */
  byAddress: onRequestAsyncHookHandler;
  /** Runs after authentication: a stolen token used from many addresses is still one token. */
  byToken: onRequestAsyncHookHandler;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

function enforce(limiter: Limiter, what: string, variable: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const outcome = await limiter(request);
    if (outcome.isAllowed || !outcome.isExceeded) return;
    const seconds = String(Math.max(1, outcome.ttlInSeconds));
    throw new ApiError(
      429,
      'rate_limited',
      `more than ${outcome.max} requests a minute ${what} (${variable}); retry in ${seconds} s`,
      { 'retry-after': seconds },
    );
  };
}

/**
 * Registers @fastify/rate-limit without global hooks and builds one limiter per key. The plugin's
 * own route hook marks a request as limited once (one symbol per registration), so two of its hooks
 * on one route would let the second pass unchecked: createRateLimit() returns the bare check instead,
 * and `enforce` answers in the API's error format. Counters live in memory (an LRU per limiter):
 * one API process is the deployment this limits; behind several replicas each has its own.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  limits: RateLimits,
  principals: WeakMap<FastifyRequest, Principal>,
): Promise<RateLimitHooks> {
  await app.register(rateLimit, { global: false });
  const byAddress = app.createRateLimit({
    max: limits.addressRateLimitPerMinute,
    timeWindow: MINUTE_MS,
  });
  const byToken = app.createRateLimit({
    max: limits.rateLimitPerMinute,
    timeWindow: MINUTE_MS,
    // Only ever called after authorization resolved a principal (see byToken below).
    keyGenerator: (request) => `token:${principals.get(request)?.label ?? ''}`,
  });
  const checkAddress = enforce(
    byAddress,
    'from this address',
    'API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE',
  );
  const checkToken = enforce(byToken, 'for this token', 'API_RATE_LIMIT_PER_MINUTE');
  return {
    byAddress: (request) => checkAddress(request),
    // Open routes have no principal; they are limited by address only.
    byToken: async (request) => {
      if (principals.has(request)) await checkToken(request);
    },
  };
}
