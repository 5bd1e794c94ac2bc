import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import { RuleError } from '../lib/errors.ts';
import type { PolicyPack } from '../policy/index.ts';
import { cleanFileName, detectFileType } from './exchange.intake.ts';
import { ScannerUnavailableError, type MalwareScanner, type ScanResult } from './exchange.scanner.ts';
import type { ExchangeVault, SealedObject } from './exchange.vault.ts';
import { maxViewableMegabytes, viewableTypes } from './exchange.view-only.ts';

/** A package or reply refused: each problem names its field. */
export class ExchangeRuleError extends RuleError {
  override readonly name: string = 'ExchangeRuleError';
}

/** A file as it arrives: the name its sender gave it and its bytes, read once. */
export interface IncomingFile {
  readonly name: string;
  readonly content: Readable;
}

/** A file sealed in the vault, checked and scanned. */
export interface SealedFile {
  readonly object: SealedObject;
  readonly name: string;
  readonly mediaType: string;
}

const megabyte = 1_048_576;

/** What the audit trail keeps of sealed files: the evidence of what was sent, never the content. */
export function evidenceOf(files: readonly SealedFile[]) {
  return files.map((file) => ({
    name: file.name,
    type: file.mediaType,
    bytes: file.object.plaintextBytes,
    sha256: file.object.sha256,
  }));
}

/**
 * How the exchange takes files in, for packages and replies alike: names cleaned, count and sizes
 * within the pack's limits, the type read from the first bytes, every file sealed as it streams in
 * (the plaintext never touches the disk) and then scanned through the vault. Anything refused is
 * shredded before the refusal is thrown; malware is recorded in the audit trail.
 */
export function fileSealer(deps: {
  readonly db: Db;
  readonly audit: AuditService;
  readonly policy: PolicyPack;
  readonly vault: ExchangeVault;
  readonly scanner: MalwareScanner | undefined;
}) {
  const { db, audit, vault } = deps;
  const limits = deps.policy.exchange;

  function refuse(code: string, message: string): never {
    throw new ExchangeRuleError([{ field: 'files', code, message }]);
  }

  function tooLarge(name: string): string {
    return `${name} must be smaller than ${String(limits.maxFileMegabytes)} MB, and all files together smaller than ${String(limits.maxTotalMegabytes)} MB`;
  }

  /** Shreds objects sealed for something never sent. */
  async function discard(objectIds: readonly string[]): Promise<void> {
    for (const id of objectIds) {
      await db.transaction().execute((trx) => vault.shred(trx, id));
      await vault.removeBytes(id);
    }
  }

  async function sealOne(
    by: { readonly organisationId: string; readonly actor: AuditActor },
    name: string,
    content: Readable,
    maxBytes: number,
    viewOnly: boolean,
  ): Promise<SealedFile> {
    let head: Buffer = Buffer.alloc(0);
    let seen = 0;
    const guard = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        seen += chunk.length;
        if (head.length < 4096) head = Buffer.concat([head, chunk.subarray(0, 4096 - head.length)]);
        if (seen > maxBytes) {
          callback(
            new ExchangeRuleError([
              { field: 'files', code: 'EXCHANGE.FILE_TOO_LARGE', message: tooLarge(name) },
            ]),
          );
          return;
        }
        callback(null, chunk);
      },
    });
    content.on('error', (error) => guard.destroy(error));
    const object = await vault.seal(db, by.organisationId, content.pipe(guard).pipe(new PassThrough()));
    const type = detectFileType(head);
    const refusal =
      object.plaintextBytes === 0
        ? `${name} is empty`
        : type === undefined
          ? `${name} is not a kind of file the exchange accepts: send a PDF, an image, an Office document or plain text`
          : viewOnly && !viewableTypes.has(type.type)
            ? `${name} cannot be sent view only: view only shows PDFs, images and plain text, so save it as a PDF or let the recipient download it`
            : viewOnly && object.plaintextBytes > maxViewableMegabytes * megabyte
              ? `${name} is too large to send view only: files sent view only must be smaller than ${String(maxViewableMegabytes)} MB`
              : undefined;
    if (refusal !== undefined) {
      await discard([object.id]);
      refuse('EXCHANGE.FILE_REFUSED', refusal);
    }
    await scan(by, name, object);
    return { object, name, mediaType: type?.type ?? 'application/octet-stream' };
  }

  /**
   * Scans a sealed file (read back through the vault) and shreds it if malware is found, recording
   * the attempt. A scanner that cannot answer refuses the file too: a file is never passed unscanned
   * when scanning is configured.
   */
  async function scan(
    by: { readonly organisationId: string; readonly actor: AuditActor },
    name: string,
    object: SealedObject,
  ): Promise<void> {
    if (deps.scanner === undefined) return;
    let result: ScanResult;
    try {
      result = await deps.scanner.scan(await vault.open(object.id));
    } catch (error) {
      await discard([object.id]);
      if (!(error instanceof ScannerUnavailableError)) throw error;
      refuse(
        'EXCHANGE.SCANNER_UNAVAILABLE',
        `${name} could not be checked for malware just now: try again in a few minutes, or tell the IT service desk`,
      );
    }
    if (result.clean) return;
    await db.transaction().execute(async (trx) => {
      await vault.shred(trx, object.id);
      await audit.record(trx, {
        organisationId: by.organisationId,
        actor: by.actor,
        action: 'exchange.malware_refused',
        entity: { type: 'exchange_object', id: object.id },
        change: { name, signature: result.signature, sha256: object.sha256 },
      });
    });
    await vault.removeBytes(object.id);
    refuse(
      'EXCHANGE.MALWARE',
      `${name} contains malware (${result.signature}) and was not accepted: tell the IT service desk`,
    );
  }

  return {
    discard,

    /**
     * Seals the files one after another as they arrive (a form's files stream in order). Refused
     * (a bad name, too many, too large, an unaccepted type, malware): whatever was sealed is
     * shredded and the refusal thrown. Files the caller could not name are not read.
     */
    async sealAll(
      by: { readonly organisationId: string; readonly actor: AuditActor },
      files: Iterable<IncomingFile> | AsyncIterable<IncomingFile>,
      options: { readonly viewOnly: boolean },
    ): Promise<SealedFile[]> {
      const sealed: SealedFile[] = [];
      let remaining = limits.maxTotalMegabytes * megabyte;
      try {
        for await (const file of files) {
          if (sealed.length >= limits.maxFiles)
            refuse('EXCHANGE.PACKAGE', `Attach up to ${String(limits.maxFiles)} files`);
          const cleaned = cleanFileName(file.name);
          if (!cleaned.ok) refuse('EXCHANGE.FILE_NAME', cleaned.message);
          const result = await sealOne(
            by,
            cleaned.name,
            file.content,
            Math.min(limits.maxFileMegabytes * megabyte, remaining),
            options.viewOnly,
          );
          sealed.push(result);
          remaining -= result.object.plaintextBytes;
        }
        return sealed;
      } catch (error) {
        await discard(sealed.map((file) => file.object.id));
        throw error;
      }
    },
  };
}

export type FileSealer = ReturnType<typeof fileSealer>;
