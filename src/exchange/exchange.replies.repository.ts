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
    .select(['id', 'from_address', 'message_object_id', 'sent_at'])
    .where('package_id', '=', packageId)
    .orderBy('sent_at')
    .orderBy('id')
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
    .where('exchange_replies.package_id', '=', packageId)
    .where('exchange_reply_files.id', '=', fileId)
    .executeTakeFirst();
}
