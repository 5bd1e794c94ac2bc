import { sql } from 'kysely';
import type { Executor } from '../db/client.ts';

export async function insertReply(
  db: Executor,
  values: { packageId: string; fromAddress: string; messageObjectId: string; at: Date },
): Promise<string> {
  const row = await db
    .insertInto('exchange_replies')
    .values({
      package_id: values.packageId,
      from_address: values.fromAddress,
      message_object_id: values.messageObjectId,
      sent_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertReplyFile(
  db: Executor,
  values: {
    replyId: string;
    objectId: string;
    position: number;
    name: string;
    mediaType: string;
    bytes: number;
  },
): Promise<void> {
  await db
    .insertInto('exchange_reply_files')
    .values({
      reply_id: values.replyId,
      object_id: values.objectId,
      position: values.position,
      name: values.name,
      media_type: values.mediaType,
      bytes: values.bytes,
    })
    .execute();
}

/** A package's replies, oldest first, each with its files. */
export async function repliesOf(db: Executor, packageId: string) {
  const replies = await db
    .selectFrom('exchange_replies')
    .innerJoin('exchange_objects', 'exchange_objects.id', 'exchange_replies.message_object_id')
    .select([
      'exchange_replies.id',
      'exchange_replies.from_address',
      'exchange_replies.message_object_id',
      'exchange_replies.sent_at',
      // Crypto-shredded with its decision's records under the retention schedule (ADR 0033).
      sql<boolean>`exchange_objects.shredded_at IS NOT NULL`.as('shredded'),
    ])
    .where('exchange_replies.package_id', '=', packageId)
    .orderBy('exchange_replies.sent_at')
    .orderBy('exchange_replies.id')
    .execute();
  if (replies.length === 0) return [];
  const files = await db
    .selectFrom('exchange_reply_files')
    .select(['id', 'reply_id', 'object_id', 'name', 'media_type', 'bytes'])
    .where(
      'reply_id',
      'in',
      replies.map((reply) => reply.id),
    )
    .orderBy('position')
    .execute();
  return replies.map((reply) => ({ ...reply, files: files.filter((file) => file.reply_id === reply.id) }));
}

/** One file of a reply to the package, if it is one. */
export async function replyFile(db: Executor, packageId: string, fileId: string) {
  return db
    .selectFrom('exchange_reply_files')
    .innerJoin('exchange_replies', 'exchange_replies.id', 'exchange_reply_files.reply_id')
    .select([
      'exchange_reply_files.id',
      'exchange_reply_files.object_id',
      'exchange_reply_files.name',
      'exchange_reply_files.media_type',
      'exchange_reply_files.bytes',
    ])
    .innerJoin('exchange_objects', 'exchange_objects.id', 'exchange_reply_files.object_id')
    .where('exchange_replies.package_id', '=', packageId)
    .where('exchange_reply_files.id', '=', fileId)
    .where('exchange_objects.shredded_at', 'is', null)
    .executeTakeFirst();
}
