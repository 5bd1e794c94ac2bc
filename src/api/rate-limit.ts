import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isApi } from '../web/web.plugin.ts';
import { problem } from './problem.ts';

interface RateLimitOptions {
  /** How many requests one token may make in a minute. */
  readonly perMinute: number;
}

const windowSeconds = 60;

/** The key a token is counted under: a digest of its bearer value, so no token is held in memory. */
function tokenKey(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return createHash('sha256').update(header).digest('base64url');
}

/**
 * Rate limits per API token, announced with the IETF `RateLimit-Policy` and `RateLimit` fields
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy: "token";q=120;w=60` says how many
 * requests a token may make in a window of how many seconds, and `RateLimit: "token";r=57;t=42` how
 * many remain and in how many seconds the window resets. A token over its limit gets 429
 * problem+json with `Retry-After`. Runs after the bearer token is checked, so a request without a
 * valid token is refused with 401 before it is counted. The counts are held by each app server.
 */
export const apiRateLimit = fp<RateLimitOptions>(async (app: FastifyInstance, options) => {
  const limit = app.createRateLimit({
    max: options.perMinute,
    timeWindow: windowSeconds * 1000,
    keyGenerator: tokenKey,
  });
  const policy = `"token";q=${options.perMinute};w=${windowSeconds}`;
  app.addHook('onRequest', async (request, reply) => {
    if (!isApi(request.url) || request.viewer === undefined) return;
    const state = await limit(request);
    if (state.isAllowed) return;
    reply.header('ratelimit-policy', policy);
    reply.header('ratelimit', `"token";r=${state.remaining};t=${state.ttlInSeconds}`);
    if (!state.isExceeded) return;
    reply.header('retry-after', String(state.ttlInSeconds));
    return problem(
      reply,
      429,
      'Too many requests',
      `This token has made more than ${options.perMinute} requests in ${windowSeconds} seconds. Nothing has been changed: try again in ${state.ttlInSeconds} seconds.`,
    );
  });
});
