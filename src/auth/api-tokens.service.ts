import type { AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import { apiScopes, type ApiScope } from '../lib/api-scopes.ts';
import type { Clock } from '../lib/clock.ts';
import { newToken, tokenDigest } from '../lib/tokens.ts';
import {
  findTokenWithUser,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  touchApiToken,
} from './api-tokens.repository.ts';
import { confinedTo, type Authority } from './staff.authority.ts';
import { ApiTokenNotFoundError, StaffNotFoundError, StaffRuleError } from './staff.errors.ts';
import { lockUser, toViewer } from './users.repository.ts';
import type { TokenBearer } from '../lib/viewer.ts';

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly scopes: readonly ApiScope[];
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
     * (ADR 0011): a token acts with its account's roles, and only within the scopes it is given
     * (every scope unless chosen). The token is shown once and never stored.
     */
    async issue(
      actor: Authority,
      userId: string,
      name: string,
      validDays: number,
      scopes: readonly ApiScope[] = apiScopes,
    ): Promise<{ id: string; token: string }> {
      const scope = confinedTo(actor);
      const token = `${tokenPrefix}${newToken()}`;
      return db.transaction().execute(async (trx) => {
        const user = await lockUser(trx, userId);
        if (user === undefined || (scope !== undefined && user.organisation_id !== scope))
          throw new StaffNotFoundError();
        if (!user.active)
          throw new StaffRuleError(
            'name',
            'API_TOKEN.ACCOUNT_INACTIVE',
            'Reactivate the account before issuing it a token',
          );
        const now = clock.now();
        const id = await insertApiToken(trx, {
          organisation_id: user.organisation_id,
          user_id: user.id,
          name,
          token_digest: tokenDigest(token),
          created_by: actor.userId,
          created_at: now,
          expires_at: new Date(now.getTime() + validDays * 86_400_000),
          scopes: [...scopes],
        });
        await audit.record(trx, {
          organisationId: user.organisation_id,
          actor,
          action: 'api_token.issued',
          entity: { type: 'api_token', id },
          change: { userId: user.id, name, validDays, scopes: [...scopes] },
        });
        return { id, token };
      });
    },

    /** A member of staff's tokens; none for someone outside the authority's organisation. */
    async listFor(authority: Authority, userId: string): Promise<ApiToken[]> {
      const rows = await listApiTokens(db, userId, confinedTo(authority));
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        lastUsedAt: row.last_used_at,
        revokedAt: row.revoked_at,
        scopes: row.scopes,
      }));
    },

    async revoke(actor: Authority, userId: string, tokenId: string): Promise<void> {
      const scope = confinedTo(actor);
      await db.transaction().execute(async (trx) => {
        const organisationId = await revokeApiToken(trx, {
          id: tokenId,
          userId,
          organisationId: scope,
          at: clock.now(),
        });
        if (organisationId === undefined) throw new ApiTokenNotFoundError();
        await audit.record(trx, {
          organisationId,
          actor,
          action: 'api_token.revoked',
          entity: { type: 'api_token', id: tokenId },
          change: { userId },
        });
      });
    },

    /** Whom a bearer token acts as, and the token, or undefined for an unknown, revoked or expired token. */
    async bearerFor(token: string): Promise<TokenBearer | undefined> {
      if (!token.startsWith(tokenPrefix) || token.length > 200) return undefined;
      const row = await findTokenWithUser(db, tokenDigest(token));
      const now = clock.now();
      if (row === undefined || !row.active || row.revoked_at !== null || row.expires_at <= now)
        return undefined;
      if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= touchIntervalMs) {
        await touchApiToken(db, row.token_id, now);
      }
      return { viewer: toViewer(row), token: { id: row.token_id, name: row.token_name, scopes: row.scopes } };
    },
  };
}

export type ApiTokensService = ReturnType<typeof apiTokensService>;
