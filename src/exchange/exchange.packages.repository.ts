import type { Executor } from '../db/client.ts';
import type { PackageEnd, PackageMode } from './exchange.table.ts';

/** The SQL of secure exchange packages. */

export async function insertPackage(
  db: Executor,
  values: {
    readonly id: string;
    readonly organisationId: string;
    readonly decisionId: string;
    readonly disclosureId: string;
    readonly recipientAddress: string;
    readonly recipientOrganisationId: string;
    readonly recipientName: string;
    readonly mode: PackageMode;
    readonly messageObjectId: string;
    readonly expiresAt: Date;
    readonly downloadLimit: number;
    readonly sentBy: string;
    readonly at: Date;
  },
): Promise<{ id: string; reference: string }> {
  return db
    .insertInto('exchange_packages')
    .values({
      id: values.id,
      organisation_id: values.organisationId,
      decision_id: values.decisionId,
      disclosure_id: values.disclosureId,
      recipient_address: values.recipientAddress,
      recipient_organisation_id: values.recipientOrganisationId,
      recipient_name: values.recipientName,
      mode: values.mode,
      message_object_id: values.messageObjectId,
      expires_at: values.expiresAt,
      download_limit: values.downloadLimit,
      sent_by: values.sentBy,
      sent_at: values.at,
      first_opened_at: null,
      ended: null,
      ended_at: null,
      ended_by: null,
      end_reason: null,
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
}

export async function insertPackageFile(
  db: Executor,
  values: {
    readonly packageId: string;
    readonly objectId: string;
    readonly position: number;
    readonly name: string;
    readonly mediaType: string;
    readonly bytes: number;
  },
): Promise<void> {
  await db
    .insertInto('exchange_package_files')
    .values({
      package_id: values.packageId,
      object_id: values.objectId,
      position: values.position,
      name: values.name,
      media_type: values.mediaType,
      bytes: values.bytes,
    })
    .execute();
}

const packageColumns = [
  'id',
  'organisation_id',
  'reference',
  'decision_id',
  'disclosure_id',
  'recipient_address',
  'recipient_organisation_id',
  'recipient_name',
  'mode',
  'message_object_id',
  'expires_at',
  'download_limit',
  'downloads',
  'sent_by',
  'sent_at',
  'first_opened_at',
  'ended',
  'ended_at',
  'ended_by',
  'end_reason',
] as const;

export async function findPackage(db: Executor, id: string, options: { forUpdate?: boolean } = {}) {
  let query = db.selectFrom('exchange_packages').select(packageColumns).where('id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate();
  return query.executeTakeFirst();
}

export type PackageRow = NonNullable<Awaited<ReturnType<typeof findPackage>>>;

export async function filesOf(db: Executor, packageId: string) {
  return db
    .selectFrom('exchange_package_files')
    .select(['id', 'object_id', 'position', 'name', 'media_type', 'bytes'])
    .where('package_id', '=', packageId)
    .orderBy('position')
    .execute();
}

export async function packagesOfDecision(db: Executor, decisionId: string): Promise<PackageRow[]> {
  return db
    .selectFrom('exchange_packages')
    .select(packageColumns)
    .where('decision_id', '=', decisionId)
    .orderBy('sent_at', 'desc')
    .execute();
}

/** Live packages whose time has come, locked so that two runs end each once. */
export async function duePackages(db: Executor, now: Date, limit: number): Promise<PackageRow[]> {
  return db
    .selectFrom('exchange_packages')
    .select(packageColumns)
    .where('ended', 'is', null)
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function endPackage(
  db: Executor,
  id: string,
  end: {
    readonly how: PackageEnd;
    readonly at: Date;
    readonly by: string | null;
    readonly reason: string | null;
  },
): Promise<void> {
  await db
    .updateTable('exchange_packages')
    .set({ ended: end.how, ended_at: end.at, ended_by: end.by, end_reason: end.reason })
    .where('id', '=', id)
    .execute();
}

/** Marks the first opening; false when it was opened before. */
export async function markFirstOpened(db: Executor, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('exchange_packages')
    .set({ first_opened_at: at })
    .where('id', '=', id)
    .where('first_opened_at', 'is', null)
    .where('ended', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Counts one download if the limit allows and the package is live, in one statement: false when it does not. */
export async function countDownload(db: Executor, id: string): Promise<boolean> {
  const result = await db
    .updateTable('exchange_packages')
    .set((eb) => ({ downloads: eb('downloads', '+', 1) }))
    .where('id', '=', id)
    .where('ended', 'is', null)
    .whereRef('downloads', '<', 'download_limit')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Live packages under these decisions that no one has opened yet. */
export async function unopenedUnder(db: Executor, decisionIds: readonly string[]): Promise<PackageRow[]> {
  if (decisionIds.length === 0) return [];
  return db
    .selectFrom('exchange_packages')
    .select(packageColumns)
    .where('decision_id', 'in', [...decisionIds])
    .where('ended', 'is', null)
    .where('first_opened_at', 'is', null)
    .forUpdate()
    .execute();
}

/** Objects shredded since a moment, whose sealed bytes the store may still hold. */
export async function recentlyShredded(db: Executor, since: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('exchange_objects')
    .select('id')
    .where('shredded_at', '>=', since)
    .execute();
  return rows.map((row) => row.id);
}

/** The packages sent to an address at an organisation, newest first: a hosted partner's "Received". */
export async function packagesTo(
  db: Executor,
  address: string,
  organisationId: string,
  limit: number,
): Promise<PackageRow[]> {
  return db
    .selectFrom('exchange_packages')
    .select(packageColumns)
    .where('recipient_address', '=', address)
    .where('recipient_organisation_id', '=', organisationId)
    .orderBy('sent_at', 'desc')
    .limit(limit)
    .execute();
}

/** The package a disclosure logged, if it was one. */
export async function packageOfDisclosure(db: Executor, disclosureId: string) {
  return db
    .selectFrom('exchange_packages')
    .select(['id', 'reference', 'ended'])
    .where('disclosure_id', '=', disclosureId)
    .executeTakeFirst();
}
