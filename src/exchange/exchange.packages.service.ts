import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { PassThrough, type Readable } from 'node:stream';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { AuditService } from '../audit/index.ts';
import { systemActor } from '../audit/index.ts';
import { checkSubject } from '../channels/index.ts';
import type { Transaction } from 'kysely';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { DisclosuresService } from '../disclosures/index.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, type Problem } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import { checkText, multiline } from '../lib/text.ts';
import { formatDateTime } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import * as store from './exchange.packages.repository.ts';
import * as replies from './exchange.replies.repository.ts';
import {
  evidenceOf,
  ExchangeRuleError,
  type FileSealer,
  type IncomingFile,
  type SealedFile,
} from './exchange.sealing.ts';
import type { PackageMode } from './exchange.table.ts';
import type { ExchangeVault } from './exchange.vault.ts';

export { ExchangeRuleError } from './exchange.sealing.ts';

/** What the practitioner sends: to one of the decision's recipients, a message and files. */
export interface NewPackage {
  readonly recipientIndex: number;
  /** The address it goes to, when not the one the decision holds. */
  readonly recipientAddress?: string | undefined;
  readonly categoryIds: readonly string[];
  readonly message: string;
  readonly mode: PackageMode;
  readonly expiresInDays?: number | undefined;
  readonly downloadLimit?: number | undefined;
  /** Read one after another as they arrive: a form's files stream in, in order. */
  readonly files: Iterable<IncomingFile> | AsyncIterable<IncomingFile>;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Secure exchange packages (R4.6.4, R4.6.5): made from a recorded decision to share, checked at the
 * moment of sending (recipient, categories, consent, an emergency share's approval, the method
 * policy: the disclosure log's own checks), sealed at rest (ADR 0020), logged as the disclosure in
 * the package's own transaction, and ended (revoked, expired) by destroying its keys.
 */
export function packagesService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly policy: PolicyPack;
  readonly vault: ExchangeVault;
  /** Takes the files in: checked, sealed and scanned. */
  readonly sealer: FileSealer;
  readonly disclosures: Pick<DisclosuresService, 'prepare' | 'commit'>;
  readonly notifications: Pick<NotificationsService, 'mailTo' | 'notify'>;
  readonly staff: Pick<StaffService, 'colleague'>;
  /** Where recipients open packages, as e-mailed links start. */
  readonly publicUrl: string;
  readonly serviceName: string;
}) {
  const { db, clock, audit, policy, vault, sealer, disclosures, notifications, staff } = deps;
  const limits = policy.exchange;

  /** Refuses what the pack's limits and the form's rules forbid, before anything is read or sealed. */
  function checkRequest(request: NewPackage): { expiresInDays: number; downloadLimit: number } {
    const problems: Problem[] = [];
    const problem = (field: string, message: string) =>
      problems.push({ field, code: 'EXCHANGE.PACKAGE', message });
    const message = request.message.trim();
    if (message === '') problem('message', 'Enter a message for the recipient');
    else if (message.length > 10_000) problem('message', 'The message must be 10000 characters or fewer');
    else {
      const fault = checkText('the message', message, multiline);
      if (fault !== undefined) problem('message', fault);
    }
    const expiresInDays = request.expiresInDays ?? limits.defaultExpiryDays;
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > limits.maxExpiryDays)
      problem('expiresInDays', `Choose an expiry from 1 to ${String(limits.maxExpiryDays)} days`);
    const downloadLimit = request.downloadLimit ?? limits.defaultDownloadLimit;
    if (!Number.isInteger(downloadLimit) || downloadLimit < 1 || downloadLimit > limits.maxDownloadLimit)
      problem('downloadLimit', `Choose a download limit from 1 to ${String(limits.maxDownloadLimit)}`);
    if (problems.length > 0) throw new ExchangeRuleError(problems);
    return { expiresInDays, downloadLimit };
  }

  /** Whether the viewer may end a package: its sender, the sender's line manager, or the DPO of its organisation. */
  async function mayEnd(viewer: Viewer, row: store.PackageRow): Promise<boolean> {
    if (row.organisation_id !== viewer.organisationId) return false;
    if (row.sent_by === viewer.userId || viewer.roles.includes('dpo')) return true;
    return (await staff.colleague(row.sent_by))?.lineManagerId === viewer.userId;
  }

  /** Ends a package and shreds every object in it, in `trx`; returns the objects, whose bytes go after it commits. */
  async function endIn(
    trx: Transaction<Database>,
    packageId: string,
    how: 'revoked' | 'expired',
    by: { readonly viewer: Viewer | undefined; readonly reason: string | null },
  ): Promise<string[]> {
    const locked = await store.findPackage(trx, packageId, { forUpdate: true });
    if (locked === undefined || locked.ended !== null) return [];
    const objectIds = [
      locked.message_object_id,
      ...(await store.filesOf(trx, locked.id)).map((file) => file.object_id),
    ];
    for (const id of objectIds) await vault.shred(trx, id);
    await store.endPackage(trx, locked.id, {
      how,
      at: clock.now(),
      by: by.viewer?.userId ?? null,
      reason: by.reason,
    });
    await audit.record(trx, {
      organisationId: locked.organisation_id,
      actor: by.viewer === undefined ? systemActor : actorOf(by.viewer),
      action: how === 'revoked' ? 'exchange.package_revoked' : 'exchange.package_expired',
      entity: { type: 'exchange_package', id: locked.id },
      change: { reference: locked.reference, reason: by.reason, objectsShredded: objectIds.length },
    });
    return objectIds;
  }

  /** Ends a package in a transaction of its own, then removes the shredded bytes. */
  async function end(
    packageId: string,
    how: 'revoked' | 'expired',
    by: { readonly viewer: Viewer | undefined; readonly reason: string | null },
  ): Promise<boolean> {
    const shredded = await db.transaction().execute((trx) => endIn(trx, packageId, how, by));
    for (const id of shredded) await vault.removeBytes(id);
    return shredded.length > 0;
  }

  /**
   * A package's replies: to its sender, their line manager and the DPO, each message and its files;
   * to anyone else who reads the decision, only that a reply came and when.
   */
  async function repliesFor(row: store.PackageRow, mayRead: boolean) {
    const received = await replies.repliesOf(db, row.id);
    return Promise.all(
      received.map(async (reply) => ({
        from: reply.from_address,
        sentAt: reply.sent_at,
        /** Erased with its decision's records under the retention schedule: neither message nor files remain. */
        erased: reply.shredded,
        message:
          mayRead && !reply.shredded ? await text(await vault.open(reply.message_object_id)) : undefined,
        files:
          mayRead && !reply.shredded
            ? reply.files.map((file) => ({ id: file.id, name: file.name, bytes: file.bytes }))
            : [],
      })),
    );
  }

  return {
    /**
     * Sends a package from a recorded decision to share: every check of a disclosure made now, the
     * message and files sealed, then the package, its disclosure (with the package as evidence), the
     * audit event and the recipient's e-mail in one transaction. Refused: nothing is sent and
     * whatever was sealed is shredded.
     */
    async send(
      viewer: Viewer,
      decisionId: string,
      request: NewPackage,
    ): Promise<{ id: string; reference: string; disclosureId: string; expiresAt: Date }> {
      const { expiresInDays, downloadLimit } = checkRequest(request);
      const message = request.message.trim();
      const answers = (description: string) => ({
        recipientIndex: request.recipientIndex,
        method: 'secure-exchange' as const,
        recipientAddress: request.recipientAddress,
        categoryIds: [...request.categoryIds],
        description,
        checklist: { recipientsNeedIt: true },
      });
      // Checked before a byte is read, so a refused share costs no upload...
      const early = await disclosures.prepare(viewer, decisionId, answers('Secure exchange package.'));
      const address = (early.recipientAddress ?? '').toLowerCase();
      if (!emailPattern.test(address))
        throw new ExchangeRuleError([
          {
            field: 'recipientAddress',
            code: 'EXCHANGE.RECIPIENT_ADDRESS',
            message: 'Enter the recipient’s email address: the exchange sends them a link and a code there',
          },
        ]);

      const by = { organisationId: viewer.organisationId, actor: actorOf(viewer) };
      const messageObject = await vault.seal(db, viewer.organisationId, readableOf(message));
      let files: SealedFile[] = [];
      try {
        files = await sealer.sealAll(by, request.files, { viewOnly: request.mode === 'view-only' });
        const names = files.map((file) => file.name).join(', ');
        // ...and again once the files are in: consent withdrawn during a long upload stops the share.
        const prepared = await disclosures.prepare(
          viewer,
          decisionId,
          answers(
            `Secure exchange package: a message${files.length === 0 ? '' : ` and ${names}`}.`.slice(0, 4000),
          ),
        );
        const packageId = randomUUID();
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + expiresInDays * 86_400_000);
        return await db.transaction().execute(async (trx) => {
          const disclosureId = await disclosures.commit(trx, viewer, prepared, { packageId });
          const created = await store.insertPackage(trx, {
            id: packageId,
            organisationId: viewer.organisationId,
            decisionId: prepared.decision.id,
            disclosureId,
            recipientAddress: address,
            recipientOrganisationId: prepared.recipient.organisationId,
            recipientName: prepared.recipient.name,
            mode: request.mode,
            messageObjectId: messageObject.id,
            expiresAt,
            downloadLimit,
            sentBy: viewer.userId,
            at: now,
          });
          for (const [position, file] of files.entries())
            await store.insertPackageFile(trx, {
              packageId,
              objectId: file.object.id,
              position,
              name: file.name,
              mediaType: file.mediaType,
              bytes: file.object.plaintextBytes,
            });
          await audit.record(trx, {
            organisationId: viewer.organisationId,
            actor: actorOf(viewer),
            action: 'exchange.package_sent',
            entity: { type: 'exchange_package', id: packageId },
            change: {
              reference: created.reference,
              decisionId: prepared.decision.id,
              disclosureId,
              recipientOrganisationId: prepared.recipient.organisationId,
              mode: request.mode,
              expiresAt: expiresAt.toISOString(),
              downloadLimit,
              message: { bytes: messageObject.plaintextBytes, sha256: messageObject.sha256 },
              files: evidenceOf(files),
            },
          });
          // No personal information in the e-mail: the sending organisation and a link (R4.5.5).
          const subject = `Secure information from ${viewer.organisationName}`;
          const names = prepared.decision.people.map((person) => `${person.givenNames} ${person.familyName}`);
          const safeSubject = checkSubject(subject, { names, today: now.toISOString().slice(0, 10) }).clean
            ? subject
            : `Secure information sent to you through ${deps.serviceName}`;
          await notifications.mailTo(trx, {
            organisationId: viewer.organisationId,
            to: address,
            subject: safeSubject,
            body: [
              `${viewer.organisationName} has sent you information through ${deps.serviceName}'s secure exchange.`,
              `Open it here: ${deps.publicUrl}/exchange/packages/${packageId}`,
              `You will be asked for a one-time code, sent to this address. The link works until ${formatDateTime(expiresAt)}.`,
              'If you did not expect this, do not open it: tell the sender’s organisation.',
            ].join('\n\n'),
          });
          return { ...created, disclosureId, expiresAt };
        });
      } catch (error) {
        await sealer.discard([messageObject.id, ...files.map((file) => file.object.id)]);
        throw error;
      }
    },

    /** The package that a disclosure logged, if it was one: for containing an incident about it. */
    async packageForDisclosure(
      disclosureId: string,
    ): Promise<{ id: string; reference: string; ended: string | null } | undefined> {
      return isUuid(disclosureId) ? store.packageOfDisclosure(db, disclosureId) : undefined;
    },

    /** A package's decision, for the pages that act on it; undefined when there is none. */
    async packageOf(packageId: string): Promise<{ readonly decision_id: string } | undefined> {
      return isUuid(packageId) ? store.findPackage(db, packageId) : undefined;
    },

    /** Revokes a package at once (its sender, their line manager or the DPO): its keys are destroyed. */
    async revoke(viewer: Viewer, packageId: string, reason: string): Promise<void> {
      const row = isUuid(packageId) ? await store.findPackage(db, packageId) : undefined;
      if (row === undefined || !(await mayEnd(viewer, row))) throw new NotFoundError('no such package');
      const why = reason.trim();
      if (why === '' || why.length > 1000 || checkText('the reason', why, multiline) !== undefined)
        throw new ExchangeRuleError([
          {
            field: 'reason',
            code: 'EXCHANGE.REASON',
            message: 'Say why you are withdrawing the package, in up to 1000 characters',
          },
        ]);
      if (row.ended !== null)
        throw new ExchangeRuleError([
          {
            field: 'reason',
            code: 'EXCHANGE.ENDED',
            message: `This package has already ${row.ended === 'revoked' ? 'been withdrawn' : 'expired'}`,
          },
        ]);
      await end(row.id, 'revoked', { viewer, reason: why });
    },

    /**
     * Consent withdrawn (R3.3): every package not yet opened under a decision that relied on it is
     * revoked in the withdrawal's own transaction, its keys destroyed, and its sender told. (A
     * package already opened has been read; the consent-withdrawal page lists its recipient to tell.)
     * The shredded bytes are removed by the nightly expiry job.
     */
    async revokeUnopenedAfterWithdrawal(
      trx: Transaction<Database>,
      decisionIds: readonly string[],
      withdrawn: { readonly by: Viewer; readonly withdrawnOn: string },
    ): Promise<number> {
      const unopened = await store.unopenedUnder(trx, decisionIds);
      for (const row of unopened) {
        await endIn(trx, row.id, 'revoked', {
          viewer: withdrawn.by,
          reason: `Consent withdrawn on ${withdrawn.withdrawnOn}, before the package was opened`,
        });
        await notifications.notify(trx, {
          organisationId: row.organisation_id,
          userId: row.sent_by,
          kind: 'exchange.package_revoked',
          subject: `Secure exchange package ${row.reference} withdrawn: consent was withdrawn`,
          body: 'The consent the package relied on has been withdrawn, so the package was withdrawn before anyone opened it.',
          link: `/decisions/${row.decision_id}`,
        });
      }
      return unopened.length;
    },

    /** Ends every package past its expiry and destroys its keys (the `exchange-expiry` job). Returns how many. */
    async expireDue(): Promise<number> {
      let count = 0;
      for (;;) {
        const due = await store.duePackages(db, clock.now(), 100);
        for (const row of due)
          if (await end(row.id, 'expired', { viewer: undefined, reason: null })) count += 1;
        if (due.length < 100) {
          // Bytes of objects shredded inside another transaction (a withdrawal of consent) go now.
          for (const id of await store.recentlyShredded(db, new Date(clock.now().getTime() - 3 * 86_400_000)))
            await vault.removeBytes(id);
          return count;
        }
      }
    },

    /**
     * The packages sent under a decision, newest first, each with what happened to it (codes sent
     * and failed, openings, downloads, its end) from the audit trail, and whether the viewer may
     * withdraw it. The decision's page shows them to those who may read the decision.
     */
    async sentUnder(viewer: Viewer, decisionId: string) {
      const rows = await store.packagesOfDecision(db, decisionId);
      return Promise.all(
        rows.map(async (row) => {
          const manages = await mayEnd(viewer, row);
          return {
            id: row.id,
            reference: row.reference,
            disclosureId: row.disclosure_id,
            recipientName: row.recipient_name,
            recipientAddress: row.recipient_address,
            sentAt: row.sent_at,
            expiresAt: row.expires_at,
            mode: row.mode,
            downloads: row.downloads,
            downloadLimit: row.download_limit,
            firstOpenedAt: row.first_opened_at,
            ended: row.ended,
            endedAt: row.ended_at,
            endReason: row.end_reason,
            mayWithdraw: row.ended === null && manages,
            history: await audit.historyOf(row.organisation_id, { type: 'exchange_package', id: row.id }),
            replies: await repliesFor(row, manages),
          };
        }),
      );
    },

    /**
     * A file of a recipient's reply, for the package's sender, their line manager or the DPO; each
     * download is audited. Undefined for anyone else, and for a file that is not the package's.
     */
    async replyFile(viewer: Viewer, packageId: string, fileId: string) {
      const row = isUuid(packageId) && isUuid(fileId) ? await store.findPackage(db, packageId) : undefined;
      if (row === undefined || !(await mayEnd(viewer, row))) return undefined;
      const file = await replies.replyFile(db, row.id, fileId);
      if (file === undefined) return undefined;
      const stream = await vault.open(file.object_id);
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'exchange.reply_file_downloaded',
          entity: { type: 'exchange_package', id: row.id },
          change: { fileId: file.id, name: file.name },
        }),
      );
      return { name: file.name, mediaType: file.media_type, bytes: file.bytes, stream };
    },

    /** The packages sent to a hosted partner's member of staff (their address at their organisation), newest first. */
    async receivedBy(viewer: Viewer) {
      const rows = await store.packagesTo(db, viewer.email.toLowerCase(), viewer.organisationId, 200);
      return rows.map((row) => ({
        id: row.id,
        reference: row.reference,
        organisationId: row.organisation_id,
        sentAt: row.sent_at,
        expiresAt: row.expires_at,
        ended: row.ended,
        expired: row.expires_at.getTime() <= clock.now().getTime(),
        firstOpenedAt: row.first_opened_at,
      }));
    },
  };
}

function readableOf(text: string): Readable {
  const stream = new PassThrough();
  stream.end(Buffer.from(text, 'utf8'));
  return stream;
}
