import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Executor } from '../db/client.ts';
import type {
  DirectoryEntry,
  FaxNumber,
  Mailbox,
  Organisation,
  OrganisationDetails,
  PostalAddress,
} from './orgs.model.ts';

const organisationColumns = ['id', 'name', 'kind', 'switchboard_phone', 'hosted'] as const;

function toOrganisation(row: {
  id: string;
  name: string;
  kind: Organisation['kind'];
  switchboard_phone: string | null;
  hosted: boolean;
}): Organisation {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    switchboardPhone: row.switchboard_phone,
    hosted: row.hosted,
  };
}

export async function organisationNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function listOrganisations(db: Executor): Promise<Organisation[]> {
  const rows = await db.selectFrom('organisations').select(organisationColumns).orderBy('name').execute();
  return rows.map(toOrganisation);
}

/** How many organisations the partner directory holds. */
export async function countOrganisations(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('organisations')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findDirectoryEntry(db: Executor, id: string): Promise<DirectoryEntry | undefined> {
  const [entry] = await directoryEntries(db, [id]);
  return entry;
}

/**
 * Organisations' directory entries, their domains, mailboxes, fax numbers, addresses and trusted
 * links included, in one round trip: the method policy reads the sender's and the recipient's
 * together on every disclosure (docs/performance.md).
 */
export async function directoryEntries(db: Executor, ids: readonly string[]): Promise<DirectoryEntry[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('organisations')
    .select(organisationColumns)
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('organisation_domains')
          .select(['id', 'domain'])
          .whereRef('organisation_domains.organisation_id', '=', 'organisations.id')
          .orderBy('domain'),
      ).as('domains'),
      jsonArrayFrom(
        eb
          .selectFrom('organisation_mailboxes')
          .select(['id', 'label', 'address'])
          .whereRef('organisation_mailboxes.organisation_id', '=', 'organisations.id')
          .orderBy('address'),
      ).as('mailboxes'),
      jsonArrayFrom(
        eb
          .selectFrom('organisation_fax_numbers')
          .select(['id', 'label', 'number'])
          .whereRef('organisation_fax_numbers.organisation_id', '=', 'organisations.id')
          .orderBy('label'),
      ).as('fax_numbers'),
      jsonArrayFrom(
        eb
          .selectFrom('organisation_addresses')
          .select(['id', 'label', 'line1', 'line2', 'town', 'postcode'])
          .whereRef('organisation_addresses.organisation_id', '=', 'organisations.id')
          .orderBy('label'),
      ).as('addresses'),
      jsonArrayFrom(
        eb
          .selectFrom('trusted_links')
          .innerJoin('organisations as partner', (join) =>
            join.on((inner) =>
              inner.or([
                inner.and([
                  inner('trusted_links.organisation_id', '=', inner.ref('organisations.id')),
                  inner('partner.id', '=', inner.ref('trusted_links.partner_organisation_id')),
                ]),
                inner.and([
                  inner('trusted_links.partner_organisation_id', '=', inner.ref('organisations.id')),
                  inner('partner.id', '=', inner.ref('trusted_links.organisation_id')),
                ]),
              ]),
            ),
          )
          .select([
            'trusted_links.id',
            'partner.id as partnerId',
            'partner.name as partnerName',
            'trusted_links.description',
          ])
          .orderBy('partner.name'),
      ).as('trusted_links'),
    ])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return rows.map((row) => ({
    ...toOrganisation(row),
    domains: row.domains,
    mailboxes: row.mailboxes,
    faxNumbers: row.fax_numbers,
    addresses: row.addresses,
    trustedLinks: row.trusted_links,
  }));
}

/**
 * The organisation whose registered domain is the longest of `domains` (an address's domain and its
 * whole-label endings, longest first), with all its domains; undefined when the directory has none.
 */
export async function organisationForDomains(
  db: Executor,
  domains: readonly string[],
): Promise<(Organisation & { readonly domains: readonly string[] }) | undefined> {
  if (domains.length === 0) return undefined;
  const row = await db
    .selectFrom('organisation_domains')
    .innerJoin('organisations', 'organisations.id', 'organisation_domains.organisation_id')
    .select([
      'organisations.id',
      'organisations.name',
      'organisations.kind',
      'organisations.switchboard_phone',
      'organisations.hosted',
    ])
    .where('organisation_domains.domain', 'in', [...domains])
    .orderBy(sql`length(organisation_domains.domain)`, 'desc')
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const owned = await db
    .selectFrom('organisation_domains')
    .select('domain')
    .where('organisation_id', '=', row.id)
    .orderBy('domain')
    .execute();
  return { ...toOrganisation(row), domains: owned.map((entry) => entry.domain) };
}

export async function nameTaken(db: Executor, name: string, exceptId: string | undefined): Promise<boolean> {
  let query = db
    .selectFrom('organisations')
    .select('id')
    .where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function lockOrganisation(db: Executor, id: string): Promise<boolean> {
  return (
    (await db
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()) !== undefined
  );
}

export async function insertOrganisation(
  db: Executor,
  details: OrganisationDetails,
  at: Date,
): Promise<string> {
  const row = await db
    .insertInto('organisations')
    .values({
      name: details.name,
      kind: details.kind,
      switchboard_phone: details.switchboardPhone,
      hosted: details.hosted,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOrganisation(
  db: Executor,
  id: string,
  details: OrganisationDetails,
  at: Date,
): Promise<void> {
  await db
    .updateTable('organisations')
    .set({
      name: details.name,
      kind: details.kind,
      switchboard_phone: details.switchboardPhone,
      hosted: details.hosted,
      updated_at: at,
    })
    .where('id', '=', id)
    .execute();
}

/** The organisation whose mailbox at a shared domain this full address is, with all its domains. */
export async function organisationForMailbox(
  db: Executor,
  address: string,
): Promise<(Organisation & { readonly domains: readonly string[] }) | undefined> {
  const row = await db
    .selectFrom('organisation_mailboxes')
    .innerJoin('organisations', 'organisations.id', 'organisation_mailboxes.organisation_id')
    .select([
      'organisations.id',
      'organisations.name',
      'organisations.kind',
      'organisations.switchboard_phone',
      'organisations.hosted',
    ])
    .where('organisation_mailboxes.address', '=', address)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const owned = await db
    .selectFrom('organisation_domains')
    .select('domain')
    .where('organisation_id', '=', row.id)
    .orderBy('domain')
    .execute();
  return { ...toOrganisation(row), domains: owned.map((entry) => entry.domain) };
}

export async function mailboxOwner(db: Executor, address: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('organisation_mailboxes')
    .innerJoin('organisations', 'organisations.id', 'organisation_mailboxes.organisation_id')
    .select('organisations.name')
    .where('organisation_mailboxes.address', '=', address)
    .executeTakeFirst();
  return row?.name;
}

export async function insertMailbox(
  db: Executor,
  organisationId: string,
  mailbox: Mailbox,
  at: Date,
): Promise<string> {
  const row = await db
    .insertInto('organisation_mailboxes')
    .values({
      organisation_id: organisationId,
      label: mailbox.label,
      address: mailbox.address,
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteMailbox(
  db: Executor,
  organisationId: string,
  id: string,
): Promise<string | undefined> {
  const row = await db
    .deleteFrom('organisation_mailboxes')
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .returning('address')
    .executeTakeFirst();
  return row?.address;
}

export async function domainOwner(db: Executor, domain: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('organisation_domains')
    .innerJoin('organisations', 'organisations.id', 'organisation_domains.organisation_id')
    .select('organisations.name')
    .where('organisation_domains.domain', '=', domain)
    .executeTakeFirst();
  return row?.name;
}

export async function insertDomain(
  db: Executor,
  organisationId: string,
  domain: string,
  at: Date,
): Promise<string> {
  const row = await db
    .insertInto('organisation_domains')
    .values({ organisation_id: organisationId, domain, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteDomain(
  db: Executor,
  organisationId: string,
  id: string,
): Promise<string | undefined> {
  const row = await db
    .deleteFrom('organisation_domains')
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .returning('domain')
    .executeTakeFirst();
  return row?.domain;
}

export async function insertFaxNumber(
  db: Executor,
  organisationId: string,
  fax: FaxNumber,
  at: Date,
): Promise<string> {
  const row = await db
    .insertInto('organisation_fax_numbers')
    .values({ organisation_id: organisationId, label: fax.label, number: fax.number, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteFaxNumber(
  db: Executor,
  organisationId: string,
  id: string,
): Promise<string | undefined> {
  const row = await db
    .deleteFrom('organisation_fax_numbers')
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .returning('number')
    .executeTakeFirst();
  return row?.number;
}

export async function insertAddress(
  db: Executor,
  organisationId: string,
  address: PostalAddress,
  at: Date,
): Promise<string> {
  const row = await db
    .insertInto('organisation_addresses')
    .values({ organisation_id: organisationId, ...address, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteAddress(db: Executor, organisationId: string, id: string): Promise<boolean> {
  const row = await db
    .deleteFrom('organisation_addresses')
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function linkExists(db: Executor, first: string, second: string): Promise<boolean> {
  const row = await db
    .selectFrom('trusted_links')
    .select('id')
    .where('organisation_id', '=', first)
    .where('partner_organisation_id', '=', second)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertTrustedLink(
  db: Executor,
  first: string,
  second: string,
  description: string,
  at: Date,
): Promise<string> {
  const row = await db
    .insertInto('trusted_links')
    .values({ organisation_id: first, partner_organisation_id: second, description, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteTrustedLink(
  db: Executor,
  organisationId: string,
  id: string,
): Promise<{ organisation_id: string; partner_organisation_id: string } | undefined> {
  return db
    .deleteFrom('trusted_links')
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('organisation_id', '=', organisationId), eb('partner_organisation_id', '=', organisationId)]),
    )
    .returning(['organisation_id', 'partner_organisation_id'])
    .executeTakeFirst();
}
