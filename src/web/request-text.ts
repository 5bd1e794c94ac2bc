import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { decodeUtf8, parseUrlEncoded } from '../lib/text.ts';

/**
 * How request bodies become text, in one place: forms and JSON must be UTF-8, read strictly. The
 * default readers put U+FFFD (or, for a form, the `%FF` escape itself) where the bytes are not UTF-8,
 * so text nobody typed would be stored; here such a body is refused with 400 and changes nothing.
 */
export class NotUtf8Error extends Error {
  readonly statusCode = 400;
  readonly code = 'SAFESHARE_BODY_NOT_UTF8';
  constructor() {
    super('the request body is not UTF-8');
  }
}

export function registerStrictBodyParsers(
  app: FastifyInstance,
  options: { readonly formBodyLimit: number },
): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: options.formBodyLimit },
    (_request, body: Buffer, done) => {
      const fields = parseUrlEncoded(body);
      if (fields === undefined) done(new NotUtf8Error(), undefined);
      else done(null, fields);
    },
  );
  // Fastify's own JSON reader (with its prototype-poisoning checks), given text decoded strictly.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    const text = decodeUtf8(body);
    if (text === undefined) done(new NotUtf8Error(), undefined);
    // The default reader answers through `done` at once; it returns nothing to wait for.
    else void json(request, text, done);
  });
}

/** A refusal to show instead of the generic one: what went wrong with the text sent, and that nothing changed. */
export interface TextRefusal {
  readonly status: 400;
  readonly title: string;
  readonly detail: string;
}

/**
 * SQLSTATEs PostgreSQL raises for text it cannot take: a NUL or a character the database encoding
 * lacks (22021, 22P05), or text longer than its column (22001). A field's rule should have refused
 * the text first; this backstop keeps any it missed a 400, not a 500 (invariant 8). The transaction
 * has rolled back, so nothing was saved.
 */
const badTextStates = new Set(['22021', '22P05', '22001']);

export function textRefusalOf(error: unknown): TextRefusal | undefined {
  if (error instanceof NotUtf8Error) {
    return {
      status: 400,
      title: 'What you sent could not be read',
      detail: 'It contained characters that are not valid text (it must be UTF-8). Nothing has been changed.',
    };
  }
  if (error instanceof pg.DatabaseError && error.code !== undefined && badTextStates.has(error.code)) {
    return error.code === '22001'
      ? {
          status: 400,
          title: 'What you entered is too long',
          detail:
            'An answer is longer than Safeshare can store. Shorten it and try again. Nothing has been saved.',
        }
      : {
          status: 400,
          title: 'What you entered contains characters that cannot be saved',
          detail:
            'An answer contains control characters, such as a null character, that cannot be saved. Remove them and try again. Nothing has been saved.',
        };
  }
  return undefined;
}
