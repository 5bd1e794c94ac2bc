import fastifyMultipart, { type MultipartFile, type Multipart } from '@fastify/multipart';
import { finished } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RuleError } from '../lib/errors.ts';
import type { PolicyPack } from '../policy/index.ts';
import type { IncomingFile } from './exchange.sealing.ts';

/** The field that carries files in the exchange's forms. */
const filesField = 'files';
const upload = Symbol('exchange upload');

/** The files of a streamed form, not yet read: the rest of the request. */
interface PendingUpload {
  next: MultipartFile | undefined;
  readonly parts: AsyncIterator<Multipart>;
  /** The part handed out last, which its reader may have left unread. */
  current: MultipartFile | undefined;
}

type StreamedBody = Record<string, string | string[]> & { [upload]?: PendingUpload };

/** The form could not be read to its end (the connection broke, or it was not a form a browser makes). */
export class UnreadableUploadError extends RuleError {
  override readonly name: string = 'UnreadableUploadError';

  constructor() {
    super([
      {
        field: 'files',
        code: 'EXCHANGE.UPLOAD',
        message: 'The files could not be read: choose them again and send the form again',
      },
    ]);
  }
}

/**
 * Multipart forms that carry files, read as a stream (the exchange's memory stays flat for a 500 MB
 * file). Registered in the caller's scope: before the handler, the fields that come before the first
 * file (the CSRF token first of them, so the web plugin's CSRF check stands as it is) land in
 * `request.body`; the files stay in the request until `filesOf` hands them out in order. A page's
 * form must therefore put its file input last.
 */
export async function streamedForms(scope: FastifyInstance, policy: PolicyPack): Promise<void> {
  const limits = policy.exchange;
  await scope.register(fastifyMultipart, {
    limits: {
      // One byte over the pack's limit, so that the exchange's own check refuses the file by name first.
      fileSize: limits.maxFileMegabytes * 1_048_576 + 1,
      files: limits.maxFiles + 1,
      fields: 40,
      fieldSize: 64 * 1024,
      parts: limits.maxFiles + 41,
      headerPairs: 50,
    },
  });
  scope.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const parts = request.parts()[Symbol.asyncIterator]();
    const body: StreamedBody = {};
    const pending: PendingUpload = { next: undefined, parts, current: undefined };
    try {
      for (;;) {
        const step = await parts.next();
        if (step.done === true) break;
        const part = step.value;
        if (part.type === 'file') {
          pending.next = part;
          break;
        }
        if (typeof part.value !== 'string') continue;
        const before = body[part.fieldname];
        body[part.fieldname] =
          before === undefined ? part.value : [...(Array.isArray(before) ? before : [before]), part.value];
      }
    } catch (error) {
      request.log.info({ err: error }, 'a streamed form could not be read');
    }
    body[upload] = pending;
    request.body = body;
  });
}

/**
 * The files of a streamed form, one after another: each must be read to its end before the next is
 * asked for. File inputs left empty are skipped; parts that are not the form's files are drained.
 */
export async function* filesOf(request: FastifyRequest): AsyncGenerator<IncomingFile> {
  const pending = (request.body as StreamedBody | undefined)?.[upload];
  if (pending === undefined) return;
  for (;;) {
    const part = pending.next;
    if (part === undefined) return;
    pending.current = part;
    // A file input left empty arrives with no name at all, whatever the types say.
    const name: unknown = part.filename;
    if (part.fieldname === filesField && typeof name === 'string' && name !== '')
      yield { name, content: part.file };
    else part.file.resume();
    await advance(pending);
  }
}

async function advance(pending: PendingUpload): Promise<void> {
  const file = pending.current?.file;
  if (file !== undefined && !file.readableEnded) {
    file.resume();
    // Ended, or broken (a dropped connection): either way nothing more comes of it.
    await finished(file).catch(() => undefined);
  }
  pending.current = undefined;
  pending.next = undefined;
  try {
    for (;;) {
      const step = await pending.parts.next();
      if (step.done === true) return;
      if (step.value.type === 'file') {
        pending.next = step.value;
        return;
      }
    }
  } catch {
    throw new UnreadableUploadError();
  }
}

/** Reads and drops whatever of the form is left, so that a refusal can be answered on a clean connection. */
export async function drainFiles(request: FastifyRequest): Promise<void> {
  const pending = (request.body as StreamedBody | undefined)?.[upload];
  if (pending === undefined) return;
  try {
    while (pending.next !== undefined || pending.current !== undefined) {
      pending.current ??= pending.next;
      await advance(pending);
    }
  } catch {
    // The connection is gone: nothing is left to read.
  }
}
