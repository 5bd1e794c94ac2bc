import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isApi } from '../web/web.plugin.ts';
import { problem } from './problem.ts';

/** What the plugin needs of the key store (src/auth/api-idempotency.service.ts). */
interface KeyStore {
  claim(
    tokenId: string,
    key: string,
    requestDigest: string,
  ): Promise<
    | { readonly kind: 'claimed' }
    | { readonly kind: 'in-progress' }
    | { readonly kind: 'other-request' }
    | {
        readonly kind: 'answered';
        readonly answer: {
          readonly status_code: number;
          readonly content_type: string | null;
          readonly location: string | null;
          readonly body: string | null;
        };
      }
  >;
  complete(
    tokenId: string,
    key: string,
    answer: { statusCode: number; contentType: string | null; location: string | null; body: string },
  ): Promise<void>;
  release(tokenId: string, key: string): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The idempotency key this request claimed, to keep its answer with. */
    idempotencyKey: { readonly tokenId: string; readonly key: string } | undefined;
  }
}

/** Printable ASCII without spaces, as the IETF draft's examples (a UUID is typical). */
const keyShape = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on every API POST: a client that did not hear the answer retries with the same
 * key and gets the first answer again (with `Idempotent-Replayed: true`), so a retried request
 * never records twice. The same key with a different request is refused 422; a retry while the
 * first is still running, 409. An answer of 5xx is not kept, so the retry runs. Keys are per token
 * and kept 24 hours.
 */
export const apiIdempotency = fp<{ readonly keys: KeyStore }>(async (app: FastifyInstance, options) => {
  const { keys } = options;
  app.decorateRequest('idempotencyKey', undefined);

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !isApi(request.url)) return;
    const token = request.apiToken;
    if (token === undefined) return;
    if (typeof header !== 'string' || !keyShape.test(header))
      return problem(
        reply,
        400,
        'Idempotency-Key is not valid',
        'Send one Idempotency-Key of 1 to 255 printable characters without spaces, such as a UUID. Nothing has been changed.',
      );
    const digest = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const claim = await keys.claim(token.id, header, digest);
    if (claim.kind === 'claimed') {
      request.idempotencyKey = { tokenId: token.id, key: header };
      return;
    }
    if (claim.kind === 'other-request')
      return problem(
        reply,
        422,
        'Idempotency-Key already used',
        'This token already used this Idempotency-Key for a different request. Use a new key for a new request. Nothing has been changed.',
      );
    if (claim.kind === 'in-progress')
      return problem(
        reply.header('retry-after', '5'),
        409,
        'Request still being processed',
        'A request with this Idempotency-Key is still being processed. Try again shortly with the same key. Nothing has been changed.',
      );
    // The first request's answer, again: the handler does not run, so nothing is recorded.
    const answer = claim.answer;
    reply.code(answer.status_code).header('idempotent-replayed', 'true').header('cache-control', 'no-store');
    if (answer.content_type !== null) reply.header('content-type', answer.content_type);
    if (answer.location !== null) reply.header('location', answer.location);
    return reply.send(answer.body ?? '');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claimed = request.idempotencyKey;
    if (claimed === undefined) return payload;
    request.idempotencyKey = undefined;
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (reply.statusCode >= 500 || body === undefined) {
      await keys.release(claimed.tokenId, claimed.key);
      return payload;
    }
    const header = (name: string) => {
      const value = reply.getHeader(name);
      return value === undefined ? null : String(value);
    };
    await keys.complete(claimed.tokenId, claimed.key, {
      statusCode: reply.statusCode,
      contentType: header('content-type'),
      location: header('location'),
      body,
    });
    return payload;
  });
});
