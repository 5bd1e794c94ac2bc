import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { actorOf, type Viewer } from '../auth/index.ts';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { DisclosuresService } from '../disclosures/index.ts';
import type { Clock } from '../lib/clock.ts';
import { isUuid } from '../lib/ids.ts';
import { requiredTextFault } from '../lib/text.ts';
import { formatDateTime } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import * as store from './exchange.packages.repository.ts';
import * as recipients from './exchange.recipients.repository.ts';
import * as replies from './exchange.replies.repository.ts';
import { evidenceOf, ExchangeRuleError, type FileSealer, type IncomingFile } from './exchange.sealing.ts';
import type { ExchangeVault } from './exchange.vault.ts';
import { NotViewableError, viewableOf } from './exchange.view-only.ts';

/** Why a package cannot be opened; each has its own page, none says whether a package exists for another address. */
export type Unavailable = 'not-found' | 'expired' | 'withdrawn' | 'used-up';

/** The package cannot be opened now, for the reason given. */
export class PackageUnavailableError extends Error {
  override readonly name: string = 'PackageUnavailableError';

  constructor(
    readonly reason: Unavailable,
    readonly senderName?: string,
  ) {
    super(`package ${reason}`);
  }
}

const codeMinutes = 10;
const maxFailures = 5;
const codesPerDay = 10;
const sessionIdleMs = 30 * 60_000;
/** A download checks every so many bytes that the package is still live: a revocation stops it there. */
const checkEveryBytes = 1_048_576;

const digestOf = (value: string) => createHash('sha256').update(value).digest('hex');
const sameDigest = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

/**
 * Who is reading a package: someone who proved control of its address with a code (a session for
 * that package alone), or the member of a hosted partner's staff it was sent to, signed in.
 */
export interface Reader {
  readonly packageId: string;
  readonly address: string;
  readonly actor: AuditActor;
  /** Signed in as staff of a hosted partner: no code, no package session. */
  readonly staff: boolean;
}

/** What a recipient sees of a package once signed in with a code. */
export interface ReceivedPackage {
  readonly id: string;
  readonly reference: string;
  readonly senderName: string;
  readonly message: string;
  readonly mode: 'download' | 'view-only';
  readonly expiresAt: Date;
  readonly downloadsLeft: number;
  readonly files: readonly {
    readonly id: string;
    readonly name: string;
    readonly mediaType: string;
    readonly bytes: number;
  }[];
  /** What the recipient has sent back, oldest first. */
  readonly replies: readonly { readonly sentAt: Date; readonly files: readonly string[] }[];
}

const maxReplies = 20;

/**
 * The recipient's side of a package (R4.6.4) for someone without a Safeshare account: a one-time
 * code sent to the package's address proves control of it, then a session for that package alone.
 * Every code sent, refused, failed and used, every opening and download, is in the sending
 * organisation's audit trail, where the sender sees it.
 */
export function receivingService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly vault: ExchangeVault;
  readonly disclosures: Pick<DisclosuresService, 'confirmReceiptOnOpening'>;
  readonly notifications: Pick<NotificationsService, 'mailTo' | 'notify'>;
  readonly orgs: Pick<OrgsService, 'namesOf'>;
  readonly sealer: FileSealer;
  readonly serviceName: string;
}) {
  const { db, clock, audit, vault, disclosures, notifications, orgs, sealer } = deps;
  const recipient = (address: string): AuditActor => ({ userId: null, label: `${address} (recipient)` });

  async function senderName(organisationId: string): Promise<string> {
    return (await orgs.namesOf([organisationId])).get(organisationId) ?? 'the sender';
  }

  /** Why the package cannot be read now, if it cannot. */
  function unavailable(row: store.PackageRow, now: Date): Unavailable | undefined {
    if (row.ended === 'revoked') return 'withdrawn';
    if (row.ended === 'expired' || row.expires_at.getTime() <= now.getTime()) return 'expired';
    return undefined;
  }

  async function livePackage(packageId: string): Promise<store.PackageRow> {
    const row = isUuid(packageId) ? await store.findPackage(db, packageId) : undefined;
    if (row === undefined) throw new PackageUnavailableError('not-found');
    const reason = unavailable(row, clock.now());
    if (reason !== undefined)
      throw new PackageUnavailableError(reason, await senderName(row.organisation_id));
    return row;
  }

  async function viewOnlyFile(row: store.PackageRow, fileId: string) {
    const file =
      row.mode === 'view-only' && isUuid(fileId)
        ? (await store.filesOf(db, row.id)).find((entry) => entry.id === fileId)
        : undefined;
    if (file === undefined) throw new PackageUnavailableError('not-found');
    return file;
  }

  async function viewableFile(file: { readonly object_id: string; readonly media_type: string }) {
    const bytes = await buffer(await vault.open(file.object_id));
    try {
      return await viewableOf(new Uint8Array(bytes), file.media_type);
    } catch (error) {
      if (error instanceof NotViewableError) throw new PackageUnavailableError('not-found');
      throw error;
    }
  }

  return {
    /** Refuses (PackageUnavailableError) a package that cannot be opened now: its link's page says why. */
    async checkLive(packageId: string): Promise<void> {
      await livePackage(packageId);
    },

    /**
     * Sends a one-time code when the address is the package's own and the package can be read; says
     * nothing either way, so the page cannot tell whether a package exists for another address.
     */
    async requestCode(packageId: string, typed: string): Promise<void> {
      const address = typed.trim().toLowerCase();
      const row = isUuid(packageId) ? await store.findPackage(db, packageId) : undefined;
      if (row === undefined || unavailable(row, clock.now()) !== undefined) return;
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        if (address !== row.recipient_address) {
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: recipient('another address'),
            action: 'exchange.code_refused',
            entity: { type: 'exchange_package', id: row.id },
            change: { reason: 'not the package’s address' },
          });
          return;
        }
        if ((await recipients.codesSince(trx, row.id, new Date(now.getTime() - 86_400_000))) >= codesPerDay) {
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: recipient(address),
            action: 'exchange.code_refused',
            entity: { type: 'exchange_package', id: row.id },
            change: { reason: 'ten codes in a day' },
          });
          return;
        }
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        await recipients.killPendingCodes(trx, row.id);
        await recipients.insertCode(trx, {
          packageId: row.id,
          address,
          digest: digestOf(`${row.id}:${code}`),
          sentAt: now,
          expiresAt: new Date(now.getTime() + codeMinutes * 60_000),
        });
        await notifications.mailTo(trx, {
          organisationId: row.organisation_id,
          to: address,
          subject: `Your ${deps.serviceName} code`,
          body: `Your code is ${code}. It works once, for ${String(codeMinutes)} minutes, on the page where you asked for it.\n\nIf you did not ask for a code, ignore this message.`,
        });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: recipient(address),
          action: 'exchange.code_sent',
          entity: { type: 'exchange_package', id: row.id },
          change: {},
        });
      });
    },

    /**
     * Checks a code: right, it is used up and a session for this package begins (its token, for a
     * cookie); wrong, it counts against the code, which dies at the fifth. Undefined when refused.
     */
    async verifyCode(packageId: string, typed: string, code: string): Promise<string | undefined> {
      const address = typed.trim().toLowerCase();
      const row = await livePackage(packageId);
      return db.transaction().execute(async (trx) => {
        const pending = await recipients.pendingCode(trx, row.id, address, clock.now());
        if (pending === undefined || !/^\d{6}$/.test(code.trim())) {
          if (pending !== undefined)
            await recipients.countFailure(trx, pending.id, pending.failures + 1 >= maxFailures);
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: recipient(address === row.recipient_address ? address : 'another address'),
            action: 'exchange.code_failed',
            entity: { type: 'exchange_package', id: row.id },
            change: { reason: pending === undefined ? 'no live code' : 'not a code' },
          });
          return undefined;
        }
        if (!sameDigest(pending.digest, digestOf(`${row.id}:${code.trim()}`))) {
          const dies = pending.failures + 1 >= maxFailures;
          await recipients.countFailure(trx, pending.id, dies);
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: recipient(address),
            action: 'exchange.code_failed',
            entity: { type: 'exchange_package', id: row.id },
            change: { failures: pending.failures + 1, codeDied: dies },
          });
          return undefined;
        }
        const now = clock.now();
        await recipients.useCode(trx, pending.id, now);
        const token = randomBytes(32).toString('base64url');
        await recipients.insertSession(trx, { digest: digestOf(token), packageId: row.id, address, at: now });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: recipient(address),
          action: 'exchange.code_used',
          entity: { type: 'exchange_package', id: row.id },
          change: {},
        });
        return token;
      });
    },

    /**
     * Who reads the package: the holder of a live session for it (not idle for 30 minutes), or the
     * signed-in member of staff of the recipient organisation whose address it was sent to.
     * Undefined for anyone else.
     */
    async reader(
      packageId: string,
      by: { readonly token?: string | undefined; readonly viewer?: Viewer | undefined },
    ): Promise<Reader | undefined> {
      if (!isUuid(packageId)) return undefined;
      if (by.viewer !== undefined) {
        const row = await store.findPackage(db, packageId);
        if (
          row !== undefined &&
          row.recipient_address === by.viewer.email.toLowerCase() &&
          row.recipient_organisation_id === by.viewer.organisationId
        )
          return { packageId, address: row.recipient_address, actor: actorOf(by.viewer), staff: true };
      }
      if (by.token === undefined) return undefined;
      const session = await recipients.findSession(db, digestOf(by.token));
      const now = clock.now();
      if (session?.package_id !== packageId || session.ended_at !== null) return undefined;
      if (now.getTime() - session.last_seen_at.getTime() > sessionIdleMs) return undefined;
      await recipients.touchSession(db, digestOf(by.token), now);
      return { packageId, address: session.address, actor: recipient(session.address), staff: false };
    },

    /** Opens the package: the first opening confirms receipt of its disclosure, and each is audited. */
    async open(reader: Reader): Promise<ReceivedPackage> {
      const row = await livePackage(reader.packageId);
      const message = await text(await vault.open(row.message_object_id));
      const files = await store.filesOf(db, row.id);
      await db.transaction().execute(async (trx) => {
        const now = clock.now();
        if (await store.markFirstOpened(trx, row.id, now))
          await disclosures.confirmReceiptOnOpening(
            trx,
            row.disclosure_id,
            `Opened through the secure exchange by ${reader.address} at ${formatDateTime(now)}`,
          );
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: reader.actor,
          action: 'exchange.package_opened',
          entity: { type: 'exchange_package', id: row.id },
          change: {},
        });
      });
      return {
        id: row.id,
        reference: row.reference,
        senderName: await senderName(row.organisation_id),
        message,
        mode: row.mode,
        expiresAt: row.expires_at,
        downloadsLeft: row.download_limit - row.downloads,
        files: files.map((file) => ({
          id: file.id,
          name: file.name,
          mediaType: file.media_type,
          bytes: file.bytes,
        })),
        replies: (await replies.repliesOf(db, row.id)).map((reply) => ({
          sentAt: reply.sent_at,
          files: reply.files.map((file) => file.name),
        })),
      };
    },

    /**
     * A file, as a stream, counting one download against the limit first (atomically: 50 at once
     * against a limit of 3 give exactly 3). The stream stops with an error at the next megabyte once
     * the package is withdrawn or expires.
     */
    async download(
      reader: Reader,
      fileId: string,
    ): Promise<{ name: string; mediaType: string; bytes: number; stream: Readable }> {
      const row = await livePackage(reader.packageId);
      if (row.mode !== 'download' || !isUuid(fileId)) throw new PackageUnavailableError('not-found');
      const file = (await store.filesOf(db, row.id)).find((entry) => entry.id === fileId);
      if (file === undefined) throw new PackageUnavailableError('not-found');
      const counted = await db.transaction().execute(async (trx) => {
        if (!(await store.countDownload(trx, row.id))) return false;
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: reader.actor,
          action: 'exchange.file_downloaded',
          entity: { type: 'exchange_package', id: row.id },
          change: { fileId: file.id, name: file.name },
        });
        return true;
      });
      if (!counted) throw new PackageUnavailableError('used-up', await senderName(row.organisation_id));
      const plaintext = await vault.open(file.object_id);
      let sinceCheck = 0;
      const guard = new Transform({
        transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
          sinceCheck += chunk.length;
          if (sinceCheck < checkEveryBytes) return callback(null, chunk);
          sinceCheck = 0;
          store
            .findPackage(db, row.id)
            .then((now) => {
              if (now === undefined || unavailable(now, clock.now()) !== undefined)
                callback(new PackageUnavailableError('withdrawn'));
              else callback(null, chunk);
            })
            .catch((error: unknown) => callback(error as Error));
        },
      });
      plaintext.on('error', (error) => guard.destroy(error));
      return {
        name: file.name,
        mediaType: file.media_type,
        bytes: file.bytes,
        stream: plaintext.pipe(guard),
      };
    },

    /**
     * A file of a view-only package, to be shown page by page (never downloaded); each viewing is
     * audited. Refused as not found in a download package, where the file itself is sent.
     */
    async view(reader: Reader, fileId: string): Promise<{ id: string; name: string; pages: number }> {
      const row = await livePackage(reader.packageId);
      const file = await viewOnlyFile(row, fileId);
      const viewable = await viewableFile(file);
      await viewable.close();
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: row.organisation_id,
          actor: reader.actor,
          action: 'exchange.file_viewed',
          entity: { type: 'exchange_package', id: row.id },
          change: { fileId: file.id, name: file.name },
        }),
      );
      return { id: file.id, name: file.name, pages: viewable.pages };
    },

    /** One page of a view-only file as a PNG, watermarked with the reader's address, the time and the package. */
    async page(reader: Reader, fileId: string, number: number): Promise<Buffer> {
      const row = await livePackage(reader.packageId);
      const viewable = await viewableFile(await viewOnlyFile(row, fileId));
      try {
        return await viewable.page(
          number,
          `${reader.address} · ${formatDateTime(clock.now())} · ${row.reference} · do not copy`,
        );
      } catch (error) {
        if (error instanceof NotViewableError) throw new PackageUnavailableError('not-found');
        throw error;
      } finally {
        await viewable.close();
      }
    },

    /**
     * The recipient's secure reply: a message and files, sealed and scanned like the package's own,
     * kept with the package; its sender is told (in Safeshare, without the content). Refused once
     * the package has ended, or after 20 replies.
     */
    async reply(
      reader: Reader,
      reply: {
        readonly message: string;
        readonly files: Iterable<IncomingFile> | AsyncIterable<IncomingFile>;
      },
    ): Promise<void> {
      const row = await livePackage(reader.packageId);
      const message = reply.message.trim();
      const fault = requiredTextFault(message, {
        label: 'your reply',
        blank: 'Enter your reply',
        max: 10_000,
      });
      if (fault !== undefined)
        throw new ExchangeRuleError([{ field: 'message', code: 'EXCHANGE.REPLY', message: fault }]);
      if ((await replies.repliesOf(db, row.id)).length >= maxReplies)
        throw new ExchangeRuleError([
          {
            field: 'message',
            code: 'EXCHANGE.REPLIES',
            message: `This package has had ${String(maxReplies)} replies, the most it can take: contact the sender another way`,
          },
        ]);
      const by = { organisationId: row.organisation_id, actor: reader.actor };
      const messageObject = await vault.seal(db, row.organisation_id, Readable.from([Buffer.from(message)]));
      let files: Awaited<ReturnType<FileSealer['sealAll']>> = [];
      try {
        files = await sealer.sealAll(by, reply.files, { viewOnly: false });
        await livePackage(row.id);
        await db.transaction().execute(async (trx) => {
          const now = clock.now();
          const replyId = await replies.insertReply(trx, {
            packageId: row.id,
            fromAddress: reader.address,
            messageObjectId: messageObject.id,
            at: now,
          });
          for (const [position, file] of files.entries())
            await replies.insertReplyFile(trx, {
              replyId,
              objectId: file.object.id,
              position,
              name: file.name,
              mediaType: file.mediaType,
              bytes: file.object.plaintextBytes,
            });
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: reader.actor,
            action: 'exchange.reply_received',
            entity: { type: 'exchange_package', id: row.id },
            change: {
              replyId,
              message: { bytes: messageObject.plaintextBytes, sha256: messageObject.sha256 },
              files: evidenceOf(files),
            },
          });
          await notifications.notify(trx, {
            organisationId: row.organisation_id,
            userId: row.sent_by,
            kind: 'exchange.reply_received',
            subject: `A reply to secure exchange package ${row.reference}`,
            body: 'The recipient replied through the secure exchange. Read the reply on the decision’s page.',
            link: `/decisions/${row.decision_id}#packages`,
          });
        });
      } catch (error) {
        await sealer.discard([messageObject.id, ...files.map((file) => file.object.id)]);
        throw error;
      }
    },
  };
}
