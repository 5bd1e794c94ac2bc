import type { AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { newToken, tokenDigest } from '../lib/tokens.ts';
import type { Viewer } from './auth.service.ts';
import { confinedTo, type Authority } from './staff.authority.ts';
import { StaffNotFoundError, StaffRuleError } from './staff.service.ts';

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** Tokens are touched at most once a minute, like sessions. */
const touchIntervalMs = 60_000;
const tokenPrefix = 'ss_';

export function apiTokensService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
}) {
  const { db, clock, audit } = deps;
  return {
    /**
     * Issues a token for a member of staff (or service account) of the authority's own organisation
     * (ADR 0011): a token acts with its account's roles. The token is shown once and never stored.
     */
    async issue(
      actor: Authority,
      userId: string,
      name: string,
      validDays: number,
    ): Promise<{ id: string; token: string }> {
      const scope = confinedTo(actor);
      const token = `${tokenPrefix}${newToken()}`;
      return db.transaction().execute(async (trx) => {
        const user = await trx
          .selectFrom('users')
          .select(['id', 'organisation_id', 'active'])
          .where('id', '=', userId)
          .forUpdate()
          .executeTakeFirst();
        if (user === undefined || (scope !== undefined && user.organisation_id !== scope))
          throw new StaffNotFoundError();
        if (!user.active)
          throw new StaffRuleError('name', 'Reactivate the account before issuing it a token');
        const now = clock.now();
        const created = await trx
          .insertInto('api_tokens')
          .values({
            organisation_id: user.organisation_id,
            user_id: user.id,
            name,
            token_digest: tokenDigest(token),
            created_by: actor.userId,
            created_at: now,
            expires_at: new Date(now.getTime() + validDays * 86_400_000),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await audit.record(trx, {
          organisationId: user.organisation_id,
          actor,
          action: 'api_token.issued',
          entity: { type: 'api_token', id: created.id },
          change: { userId: user.id, name, validDays },
        });
        return { id: created.id, token };
      });
    },

    /** A member of staff's tokens; none for someone outside the authority's organisation. */
    async listFor(authority: Authority, userId: string): Promise<ApiToken[]> {
      const scope = confinedTo(authority);
      let query = db
        .selectFrom('api_tokens')
        .select(['id', 'name', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
        .where('user_id', '=', userId);
      if (scope !== undefined) query = query.where('organisation_id', '=', scope);
      const rows = await query.orderBy('created_at', 'desc').execute();
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        lastUsedAt: row.last_used_at,
        revokedAt: row.revoked_at,
      }));
    },

    async revoke(actor: Authority, userId: string, tokenId: string): Promise<void> {
      const scope = confinedTo(actor);
      await db.transaction().execute(async (trx) => {
        let revoking = trx
          .updateTable('api_tokens')
          .set({ revoked_at: clock.now() })
          .where('id', '=', tokenId)
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null);
        if (scope !== undefined) revoking = revoking.where('organisation_id', '=', scope);
        const revoked = await revoking.returning(['organisation_id']).executeTakeFirst();
        if (revoked === undefined)
          throw new StaffRuleError('token', 'That token does not exist or is already revoked');
        await audit.record(trx, {
          organisationId: revoked.organisation_id,
          actor,
          action: 'api_token.revoked',
          entity: { type: 'api_token', id: tokenId },
          change: { userId },
        });
      });
    },

    /** The member of staff a bearer token acts as, or undefined for an unknown, revoked or expired token. */
    async viewerFor(token: string): Promise<Viewer | undefined> {
      if (!token.startsWith(tokenPrefix) || token.length > 200) return undefined;
      const row = await db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
        .select([
          'api_tokens.id as token_id',
          'api_tokens.expires_at',
          'api_tokens.revoked_at',
          'api_tokens.last_used_at',
          'users.id as user_id',
          'users.display_name',
          'users.email',
          'users.roles',
          'users.active',
          'users.organisation_id',
          'organisations.name as organisation_name',
        ])
        .where('api_tokens.token_digest', '=', tokenDigest(token))
        .executeTakeFirst();
      const now = clock.now();
      if (row === undefined || !row.active || row.revoked_at !== null || row.expires_at <= now)
        return undefined;
      if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= touchIntervalMs) {
        await db
          .updateTable('api_tokens')
          .set({ last_used_at: now })
          .where('id', '=', row.token_id)
          .execute();
      }
      return {
        userId: row.user_id,
        displayName: row.display_name,
        email: row.email,
        organisationId: row.organisation_id,
        organisationName: row.organisation_name,
        roles: row.roles,
      };
    },
  };
}

export type ApiTokensService = ReturnType<typeof apiTokensService>;
