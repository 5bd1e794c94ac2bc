import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { DisclosuresService } from '../disclosures/index.ts';
import type { Clock } from '../lib/clock.ts';
import { isUuid } from '../lib/ids.ts';
import { formatDateTime } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import * as store from './exchange.packages.repository.ts';
import * as recipients from './exchange.recipients.repository.ts';
import type { ExchangeVault } from './exchange.vault.ts';

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
}

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
  readonly notifications: Pick<NotificationsService, 'mailTo'>;
  readonly orgs: Pick<OrgsService, 'namesOf'>;
  readonly serviceName: string;
}) {
  const { db, clock, audit, vault, disclosures, notifications, orgs } = deps;
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

  return {
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

    /** The package a session token opens, if it is live and the session is not idle for 30 minutes. */
    async sessionPackage(packageId: string, token: string | undefined): Promise<boolean> {
      if (token === undefined || !isUuid(packageId)) return false;
      const session = await recipients.findSession(db, digestOf(token));
      const now = clock.now();
      if (session?.package_id !== packageId || session.ended_at !== null) return false;
      if (now.getTime() - session.last_seen_at.getTime() > sessionIdleMs) return false;
      await recipients.touchSession(db, digestOf(token), now);
      return true;
    },

    /** Opens the package: the first opening confirms receipt of its disclosure, and each is audited. */
    async open(packageId: string, token: string): Promise<ReceivedPackage> {
      const row = await livePackage(packageId);
      const session = await recipients.findSession(db, digestOf(token));
      if (session?.package_id !== row.id) throw new PackageUnavailableError('not-found');
      const message = await readText(await vault.open(row.message_object_id));
      const files = await store.filesOf(db, row.id);
      await db.transaction().execute(async (trx) => {
        const now = clock.now();
        if (await store.markFirstOpened(trx, row.id, now))
          await disclosures.confirmReceiptOnOpening(
            trx,
            row.disclosure_id,
            `Opened through the secure exchange by ${session.address} at ${formatDateTime(now)}`,
          );
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: recipient(session.address),
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
      };
    },

    /**
     * A file, as a stream, counting one download against the limit first (atomically: 50 at once
     * against a limit of 3 give exactly 3). The stream stops with an error at the next megabyte once
     * the package is withdrawn or expires.
     */
    async download(
      packageId: string,
      token: string,
      fileId: string,
    ): Promise<{ name: string; mediaType: string; bytes: number; stream: Readable }> {
      const row = await livePackage(packageId);
      const session = await recipients.findSession(db, digestOf(token));
      if (session?.package_id !== row.id || row.mode !== 'download' || !isUuid(fileId))
        throw new PackageUnavailableError('not-found');
      const file = (await store.filesOf(db, row.id)).find((entry) => entry.id === fileId);
      if (file === undefined) throw new PackageUnavailableError('not-found');
      const counted = await db.transaction().execute(async (trx) => {
        if (!(await store.countDownload(trx, row.id))) return false;
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: recipient(session.address),
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
  };
}

async function readText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
