import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The policy of every response: nothing may be loaded, framed or submitted. A JSON body never
 * needs more; a browser that opens one as a page gets no chance to run anything in it.
 */
const STRICT_CSP =
  "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * HTML reports (services/reporter render-html.ts) are self-contained: one inline <style>, inline
 * `style` attributes and inline <svg> elements, no script, no image, no font, no link. Inline SVG
 * is part of the document, so it needs no img-src; only the inline CSS needs a source.
 */
const HTML_CSP = `${STRICT_CSP}; style-src 'unsafe-inline'`;

const EVERY_RESPONSE: Readonly<Record<string, string>> = {
  // A report names account and key IDs an attacker chose: never let a browser guess a type.
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Sets the security headers on every response, errors and 404s included (onSend runs for each).
 * Written here rather than with @fastify/helmet: these few headers are the whole policy, and
 * helmet's defaults (a CSP for pages with scripts, cross-origin policies) would each need undoing.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    setSecurityHeaders(request, reply);
    done(null, payload);
  });
}

/** For answers that bypass onSend (Fastify's frameworkErrors); call before `send`. */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(EVERY_RESPONSE);
  const type = String(reply.getHeader('content-type') ?? '');
  reply.header('content-security-policy', type.startsWith('text/html') ? HTML_CSP : STRICT_CSP);
  // Incidents and reports are about one account's keys: no shared or browser cache keeps them.
  if (request.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
}
