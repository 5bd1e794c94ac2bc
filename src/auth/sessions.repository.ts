import type { Executor } from '../db/client.ts';
import type { SessionStage } from './auth.table.ts';
import { viewerColumns, type ViewerRow } from './users.repository.ts';

export interface SessionWithUser extends ViewerRow {
  readonly id_digest: string;
  readonly stage: SessionStage;
  readonly created_at: Date;
  readonly last_seen_at: Date;
}

export function insertSession(
  db: Executor,
  session: { id_digest: string; user_id: string; stage: SessionStage; at: Date },
): Promise<unknown> {
  return db
    .insertInto('sessions')
    .values({
      id_digest: session.id_digest,
      user_id: session.user_id,
      stage: session.stage,
      created_at: session.at,
      last_seen_at: session.at,
    })
    .execute();
}

export function findSession(db: Executor, idDigest: string): Promise<SessionWithUser | undefined> {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select([
      'sessions.id_digest',
      'sessions.stage',
      'sessions.created_at',
      'sessions.last_seen_at',
      ...viewerColumns,
    ])
    .where('sessions.id_digest', '=', idDigest)
    .executeTakeFirst();
}

export function touchSession(db: Executor, idDigest: string, at: Date): Promise<unknown> {
  return db.updateTable('sessions').set({ last_seen_at: at }).where('id_digest', '=', idDigest).execute();
}

export function deleteSession(db: Executor, idDigest: string): Promise<unknown> {
  return db.deleteFrom('sessions').where('id_digest', '=', idDigest).execute();
}

export function deleteSessionsOfUser(db: Executor, userId: string): Promise<unknown> {
  return db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export function deleteExpiredSessions(db: Executor, idleBefore: Date, createdBefore: Date): Promise<unknown> {
  return db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('last_seen_at', '<', idleBefore), eb('created_at', '<', createdBefore)]))
    .execute();
}
