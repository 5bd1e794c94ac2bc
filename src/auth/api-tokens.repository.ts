import type { Executor } from '../db/client.ts';
import type { ApiScope } from '../lib/api-scopes.ts';
import { viewerColumns, type ViewerRow } from './users.repository.ts';

export interface ApiTokenRow {
  readonly id: string;
  readonly name: string;
  readonly created_at: Date;
  readonly expires_at: Date;
  readonly last_used_at: Date | null;
  readonly revoked_at: Date | null;
  readonly scopes: ApiScope[];
}

export interface TokenWithUser extends ViewerRow {
  readonly token_id: string;
  readonly token_name: string;
  readonly scopes: ApiScope[];
  readonly expires_at: Date;
  readonly revoked_at: Date | null;
  readonly last_used_at: Date | null;
}

export async function insertApiToken(
  db: Executor,
  token: {
    organisation_id: string;
    user_id: string;
    name: string;
    token_digest: string;
    created_by: string | null;
    created_at: Date;
    expires_at: Date;
    scopes: ApiScope[];
  },
): Promise<string> {
  const created = await db.insertInto('api_tokens').values(token).returning('id').executeTakeFirstOrThrow();
  return created.id;
}

/** A member of staff's tokens, newest first; only within one organisation when `organisationId` is given. */
export function listApiTokens(
  db: Executor,
  userId: string,
  organisationId: string | undefined,
): Promise<ApiTokenRow[]> {
  let query = db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'expires_at', 'last_used_at', 'revoked_at', 'scopes'])
    .where('user_id', '=', userId);
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  return query.orderBy('created_at', 'desc').execute();
}

/** Revokes a live token of a member of staff; returns its organisation, or undefined when there was none to revoke. */
export async function revokeApiToken(
  db: Executor,
  token: { id: string; userId: string; organisationId: string | undefined; at: Date },
): Promise<string | undefined> {
  let revoking = db
    .updateTable('api_tokens')
    .set({ revoked_at: token.at })
    .where('id', '=', token.id)
    .where('user_id', '=', token.userId)
    .where('revoked_at', 'is', null);
  if (token.organisationId !== undefined)
    revoking = revoking.where('organisation_id', '=', token.organisationId);
  const revoked = await revoking.returning(['organisation_id']).executeTakeFirst();
  return revoked?.organisation_id;
}

export function findTokenWithUser(db: Executor, digest: string): Promise<TokenWithUser | undefined> {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select([
      'api_tokens.id as token_id',
      'api_tokens.name as token_name',
      'api_tokens.scopes',
      'api_tokens.expires_at',
      'api_tokens.revoked_at',
      'api_tokens.last_used_at',
      ...viewerColumns,
    ])
    .where('api_tokens.token_digest', '=', digest)
    .executeTakeFirst();
}

export function touchApiToken(db: Executor, tokenId: string, at: Date): Promise<unknown> {
  return db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
}
