import type { Selectable, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';
import type { OrganisationSsoTable, SsoSignInsTable } from './oidc.table.ts';

export type OrganisationSsoRow = Selectable<OrganisationSsoTable>;
export type SsoSignInRow = Selectable<SsoSignInsTable>;

export function findSsoSettings(
  db: Executor,
  organisationId: string,
): Promise<OrganisationSsoRow | undefined> {
  return db
    .selectFrom('organisation_sso')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}

export async function ssoDomainsOf(db: Executor, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('organisation_sso_domains')
    .select('domain')
    .where('organisation_id', '=', organisationId)
    .orderBy('domain')
    .execute();
  return rows.map((row) => row.domain);
}

/** The organisation that claimed a domain for single sign-on, if one has. */
export async function ssoDomainOwner(db: Executor, domain: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('organisation_sso_domains')
    .select('organisation_id')
    .where('domain', '=', domain)
    .executeTakeFirst();
  return row?.organisation_id;
}

/** Locks the organisation's settings row (if any) so that two administrators saving at once queue. */
export function lockSsoSettings(
  trx: Transaction<Database>,
  organisationId: string,
): Promise<OrganisationSsoRow | undefined> {
  return trx
    .selectFrom('organisation_sso')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .forUpdate()
    .executeTakeFirst();
}

export async function saveSsoSettings(
  trx: Transaction<Database>,
  settings: OrganisationSsoRow,
  domains: readonly string[],
): Promise<void> {
  await trx
    .insertInto('organisation_sso')
    .values(settings)
    .onConflict((conflict) =>
      conflict.column('organisation_id').doUpdateSet({
        issuer: settings.issuer,
        client_id: settings.client_id,
        client_secret_sealed: settings.client_secret_sealed,
        create_accounts: settings.create_accounts,
        updated_by: settings.updated_by,
        updated_at: settings.updated_at,
      }),
    )
    .execute();
  await trx
    .deleteFrom('organisation_sso_domains')
    .where('organisation_id', '=', settings.organisation_id)
    .execute();
  if (domains.length > 0)
    await trx
      .insertInto('organisation_sso_domains')
      .values(domains.map((domain) => ({ domain, organisation_id: settings.organisation_id })))
      .execute();
}

export function insertSsoSignIn(db: Executor, signIn: SsoSignInRow): Promise<unknown> {
  return db.insertInto('sso_sign_ins').values(signIn).execute();
}

/** Takes a pending sign-in out (it is used once, whatever happens next). */
export function takeSsoSignIn(db: Executor, idDigest: string): Promise<SsoSignInRow | undefined> {
  return db.deleteFrom('sso_sign_ins').where('id_digest', '=', idDigest).returningAll().executeTakeFirst();
}

export function forgetSsoSignIns(db: Executor, before: Date): Promise<unknown> {
  return db.deleteFrom('sso_sign_ins').where('created_at', '<', before).execute();
}
