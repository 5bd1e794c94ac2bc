import type { Insertable, Selectable, Transaction, Updateable } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';
import type { UsersTable } from './auth.table.ts';
import type { Role } from '../lib/roles.ts';
import type { Viewer } from './viewer.ts';

export type UserRow = Selectable<UsersTable>;

/**
 * The columns a viewer is made of (the user and their organisation's name), selected by every query
 * that turns a credential (a session cookie, an API token) into the member of staff it acts as. Each
 * such query joins `users` and `organisations`.
 */
export const viewerColumns = [
  'users.id as user_id',
  'users.display_name',
  'users.email',
  'users.roles',
  'users.active',
  'users.organisation_id',
  'organisations.name as organisation_name',
] as const;

export interface ViewerRow {
  readonly user_id: string;
  readonly display_name: string;
  readonly email: string;
  readonly roles: Role[];
  readonly active: boolean;
  readonly organisation_id: string;
  readonly organisation_name: string;
}

export function toViewer(row: ViewerRow): Viewer {
  return {
    userId: row.user_id,
    displayName: row.display_name,
    email: row.email,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    roles: row.roles,
  };
}

export function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockUser(trx: Transaction<Database>, id: string): Promise<UserRow | undefined> {
  return trx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertUser(db: Executor, user: Insertable<UsersTable>): Promise<string> {
  const created = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return created.id;
}

/** The columns of a user that change after creation; `updated_at` is always set. */
export type UserChange = Omit<Updateable<UsersTable>, 'id' | 'email' | 'created_at'> & { updated_at: Date };

export function updateUser(db: Executor, userId: string, change: UserChange): Promise<unknown> {
  return db.updateTable('users').set(change).where('id', '=', userId).execute();
}

export function markPasswordChosen(
  db: Executor,
  userId: string,
  passwordHash: string,
  at: Date,
): Promise<unknown> {
  return updateUser(db, userId, { password_hash: passwordHash, must_change_password: false, updated_at: at });
}
