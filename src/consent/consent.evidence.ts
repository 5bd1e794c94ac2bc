import { actorOf, type Viewer } from '../auth/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import {
  checkFileContent,
  defaultFileCheckLimits,
  sniffFileType,
  type CheckedFileType,
  type FileCheckProblem,
} from '../lib/file-types.ts';
import { RuleError } from '../lib/errors.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import { openBytes, sealBytes, sha256Hex } from '../lib/sealed-bytes.ts';
import type { PersonSummary } from '../people/index.ts';
import { consentErrorCodes } from './consent.errors.ts';
import * as evidenceStore from './consent.evidence.repository.ts';
import type { ConsentRecord } from './consent.record.ts';
import { userNames } from './consent.repository.ts';
import type { EvidenceContentType } from './consent.table.ts';

/** The largest evidence file accepted: 5 MB. */
export const maxEvidenceBytes = 5 * 1024 * 1024;
const maxFileNameLength = 200;

export const evidenceTypeNames: Record<EvidenceContentType, string> = {
  'application/pdf': 'PDF',
  'image/png': 'PNG image',
  'image/jpeg': 'JPEG image',
};
export const evidenceExtensions: Record<EvidenceContentType, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

/** A file as the browser sent it. `truncated`: it was larger than the limit and was cut short. */
export interface EvidenceFile {
  readonly fileName: string;
  readonly declaredType: string;
  readonly bytes: Buffer;
  readonly truncated: boolean;
}

export interface EvidenceItem {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: EvidenceContentType;
  readonly sizeBytes: number;
  readonly uploadedByName: string | null;
  readonly uploadedAt: Date;
}

export interface EvidenceDownload {
  readonly id: string;
  readonly bytes: Buffer;
  readonly contentType: EvidenceContentType;
  readonly fileName: string;
  readonly extension: string;
}

/** An upload that is refused, with the message the page shows beside the file input. Nothing has been stored. */
export class EvidenceFileError extends RuleError {
  override readonly name: string = 'EvidenceFileError';

  constructor(message: string) {
    super([{ field: 'evidence', code: consentErrorCodes.evidenceRefused, message }]);
  }
}

const declaredTypes: Record<string, EvidenceContentType> = {
  'application/pdf': 'application/pdf',
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
};

const notAllowedType = 'The selected file must be a PDF, PNG or JPEG';
const megapixels = defaultFileCheckLimits.maxImagePixels / 1_000_000;

/** What the page says when a file of an allowed type does not hold up when parsed whole. */
const contentMessages: Record<CheckedFileType, Record<Exclude<FileCheckProblem, 'unrecognised'>, string>> = {
  'application/pdf': {
    damaged: 'The selected file is not a complete PDF: it may be damaged, or be another kind of file',
    'extra-content': 'The selected file has other content after the end of the PDF',
    'too-large': 'The selected PDF is too large or complex to check: save it again as a PDF',
  },
  'image/png': {
    damaged: 'The selected file is not a complete PNG image: it may be damaged, or be another kind of file',
    'extra-content': 'The selected file has other content after the end of the PNG image',
    'too-large': `The selected image must be smaller than ${megapixels} megapixels`,
  },
  'image/jpeg': {
    damaged: 'The selected file is not a complete JPEG image: it may be damaged, or be another kind of file',
    'extra-content': 'The selected file has other content after the end of the JPEG image',
    'too-large': `The selected image must be smaller than ${megapixels} megapixels`,
  },
};

/**
 * Checks a file against the rules; returns it with its type, or throws EvidenceFileError with what
 * to tell the user. The type comes from the content, parsed whole (a PDF must load as a PDF, an
 * image must decode), and must match the type the browser declared: a signature on its own, with
 * something else behind it, is refused.
 */
export async function checkEvidenceFile(
  file: EvidenceFile | undefined,
): Promise<{ readonly file: EvidenceFile; readonly contentType: EvidenceContentType }> {
  if (file === undefined || file.fileName.trim() === '') throw new EvidenceFileError('Select a file');
  if (file.truncated || file.bytes.length > maxEvidenceBytes)
    throw new EvidenceFileError('The selected file must be smaller than 5MB');
  if (file.bytes.length === 0) throw new EvidenceFileError('The selected file is empty');
  const declared = declaredTypes[file.declaredType.toLowerCase().split(';')[0]?.trim() ?? ''];
  const claimed = sniffFileType(file.bytes);
  if (declared === undefined || claimed === undefined || declared !== claimed)
    throw new EvidenceFileError(notAllowedType);
  const checked = await checkFileContent(file.bytes);
  if (!checked.ok)
    throw new EvidenceFileError(
      checked.problem === 'unrecognised' ? notAllowedType : contentMessages[claimed][checked.problem],
    );
  return { file, contentType: claimed };
}

/** A file name fit to show: no path, no control or markup characters, at most 200 characters. */
export function sanitiseFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  // By code point, as the database counts, so that no character is cut in half.
  const limited = Array.from(cleaned).slice(0, maxFileNameLength).join('');
  return limited === '' ? 'evidence' : limited;
}

export interface EvidenceDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly secretBox: SecretBox;
  /** The consent, when the viewer may see it (throws ReasonRequiredError when they need a reason first). */
  readonly find: (viewer: Viewer, consentId: string) => Promise<ConsentRecord | undefined>;
  readonly person: (viewer: Viewer, personId: string) => Promise<PersonSummary>;
}

/** Evidence of how consent was given (R3.2): uploaded, listed and downloaded under the consent's need-to-know rules. */
export function evidenceService(deps: EvidenceDependencies) {
  const { db, clock, audit, secretBox, find } = deps;

  return {
    /** The consent's evidence, oldest first; undefined when the viewer may not see the consent. */
    async list(viewer: Viewer, consentId: string): Promise<EvidenceItem[] | undefined> {
      const consent = await find(viewer, consentId);
      if (consent === undefined) return undefined;
      const rows = await evidenceStore.evidenceFor(db, viewer.organisationId, consent.id);
      const names = await userNames(
        db,
        rows.map((row) => row.uploaded_by),
      );
      return rows.map((row) => ({
        id: row.id,
        fileName: row.file_name,
        contentType: row.content_type,
        sizeBytes: row.size_bytes,
        uploadedByName: names.get(row.uploaded_by) ?? null,
        uploadedAt: row.uploaded_at,
      }));
    },

    /**
     * Stores a file against the consent, encrypted, with its audit event in the same transaction.
     * Returns its id, or undefined when the viewer may not see the consent; throws EvidenceFileError
     * when the file is refused.
     */
    async upload(
      viewer: Viewer,
      consentId: string,
      file: EvidenceFile | undefined,
    ): Promise<string | undefined> {
      const consent = await find(viewer, consentId);
      if (consent === undefined) return undefined;
      const person = await deps.person(viewer, consent.personId);
      const { contentType, file: checked } = await checkEvidenceFile(file);
      const fileName = sanitiseFileName(checked.fileName);
      const digest = sha256Hex(checked.bytes);
      const sealed = sealBytes(secretBox, checked.bytes);
      return db.transaction().execute(async (trx) => {
        const evidenceId = await evidenceStore.insertEvidence(trx, {
          organisation_id: person.organisationId,
          consent_id: consent.id,
          file_name: fileName,
          content_type: contentType,
          size_bytes: checked.bytes.length,
          sha256: digest,
          ciphertext: sealed.ciphertext,
          iv: sealed.iv,
          auth_tag: sealed.authTag,
          wrapped_key: sealed.wrappedKey,
          uploaded_by: viewer.userId,
          uploaded_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: person.organisationId,
          actor: actorOf(viewer),
          action: 'consent.evidence_uploaded',
          entity: { type: 'consent', id: consent.id },
          personId: person.id,
          // What was stored, never the content.
          change: {
            evidenceId,
            fileName,
            contentType,
            sizeBytes: checked.bytes.length,
            sha256: digest,
          },
        });
        return evidenceId;
      });
    },

    /** The file, decrypted and checked against its digest; each download is audited. Undefined when there is none the viewer may see. */
    async download(
      viewer: Viewer,
      consentId: string,
      evidenceId: string,
    ): Promise<EvidenceDownload | undefined> {
      const consent = await find(viewer, consentId);
      if (consent === undefined) return undefined;
      const person = await deps.person(viewer, consent.personId);
      const row = await evidenceStore.findEvidence(db, viewer.organisationId, consent.id, evidenceId);
      if (row === undefined) return undefined;
      const bytes = openBytes(secretBox, {
        ciphertext: row.ciphertext,
        iv: row.iv,
        authTag: row.auth_tag,
        wrappedKey: row.wrapped_key,
      });
      if (sha256Hex(bytes) !== row.sha256)
        throw new Error('consent evidence does not match its recorded digest');
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: person.organisationId,
          actor: actorOf(viewer),
          action: 'consent.evidence_viewed',
          entity: { type: 'consent', id: consent.id },
          personId: person.id,
          change: { evidenceId: row.id, sha256: row.sha256 },
        }),
      );
      return {
        id: row.id,
        bytes,
        contentType: row.content_type,
        fileName: row.file_name,
        extension: evidenceExtensions[row.content_type],
      };
    },
  };
}
