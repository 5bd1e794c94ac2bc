import type { AuditService } from '../audit/index.ts';
import { holdsRole, NotPermittedError, type Authority } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import * as store from './orgs.repository.ts';
import type {
  DirectoryEntry,
  FaxNumber,
  Mailbox,
  Organisation,
  OrganisationDetails,
  PostalAddress,
} from './orgs.model.ts';

export type {
  DirectoryEntry,
  FaxNumber,
  Mailbox,
  Organisation,
  OrganisationDetails,
  PostalAddress,
} from './orgs.model.ts';

/** A directory rule the submitted answers break, with the field it concerns and a stable code. */
export class DirectoryRuleError extends RuleError {
  override readonly name: string = 'DirectoryRuleError';

  constructor(field: string, code: `DIRECTORY.${string}`, message: string) {
    super([{ field, code, message }]);
  }
}

/** The organisation, or the thing in its entry, is not in the directory (perhaps removed meanwhile). */
export class DirectoryNotFoundError extends NotFoundError {
  override readonly name: string = 'DirectoryNotFoundError';

  constructor(
    readonly code: `DIRECTORY.${string}`,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The checks above read before they write, and two administrators can pass them at the same moment;
 * the unique indexes then refuse the second write. That is the same broken rule, not a server error.
 */
const uniqueRules: Record<
  string,
  { readonly field: string; readonly code: `DIRECTORY.${string}`; readonly message: string }
> = {
  organisations_name_key: {
    field: 'name',
    code: 'DIRECTORY.NAME_TAKEN',
    message: 'An organisation with that name is already in the directory',
  },
  organisation_domains_domain_key: {
    field: 'domain',
    code: 'DIRECTORY.DOMAIN_TAKEN',
    message: 'That domain already belongs to another organisation',
  },
  organisation_mailboxes_address_key: {
    field: 'address',
    code: 'DIRECTORY.MAILBOX_TAKEN',
    message: 'That address already belongs to another organisation',
  },
};

/** A domain many organisations use, from the policy pack (nhs.net, pnn.police.uk, gmail.com). */
export interface SharedDomain {
  readonly domain: string;
  readonly note: string;
}

/** Whether `domain` ends with `ending` by whole labels (x.nhs.net ends with nhs.net), or is it. */
function endsWith(domain: string, ending: string): boolean {
  return domain === ending || domain.endsWith(`.${ending}`);
}

async function uniquely<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const constraint =
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      error.code === '23505' &&
      'constraint' in error
        ? error.constraint
        : undefined;
    const rule = typeof constraint === 'string' ? uniqueRules[constraint] : undefined;
    if (rule === undefined) throw error;
    throw new DirectoryRuleError(rule.field, rule.code, rule.message);
  }
}

/**
 * The directory is shared by every organisation on this Safeshare: a trusted link or a domain changes
 * which methods the policy allows between organisations. Only a platform operator (or Safeshare itself,
 * setting up) changes it; administrators read it (ADR 0011).
 */
function checkOperator(actor: Authority): void {
  if (!holdsRole(actor, 'platform_operator'))
    throw new NotPermittedError('Only a platform operator can change the partner directory');
}

export function orgsService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  /** The pack's shared domains: none may belong to one organisation (R4.6.1, R4.6.3; ADR 0018). */
  readonly sharedDomains: readonly SharedDomain[];
}) {
  const { db, clock, audit, sharedDomains } = deps;
  /** The shared domain a domain is, or lies above (police.uk above pnn.police.uk). */
  const sharedAt = (domain: string) => sharedDomains.find((shared) => endsWith(shared.domain, domain));

  /**
   * The organisation an e-mail domain (already validated, lower case) belongs to: the directory
   * domain equal to it or, by whole labels, its longest ending (x@education.swindon.gov.uk is
   * Swindon's when swindon.gov.uk is registered; never notswindon.gov.uk), never a shared domain
   * (an entry made before the pack listed it). Read by the method policy (R4.6.1).
   */
  function organisationForDomain(
    domain: string,
  ): Promise<(Organisation & { readonly domains: readonly string[] }) | undefined> {
    const labels = domain.split('.');
    const endings = labels
      .slice(0, -1)
      .map((_, start) => labels.slice(start).join('.'))
      .filter((ending) => sharedAt(ending) === undefined);
    return store.organisationForDomains(db, endings);
  }

  return {
    list(): Promise<Organisation[]> {
      return store.listOrganisations(db);
    },

    /** How many organisations the directory holds. */
    count(): Promise<number> {
      return store.countOrganisations(db);
    },

    /** The names of these organisations, by id; ids not in the directory are absent. */
    namesOf(ids: readonly string[]): Promise<Map<string, string>> {
      return store.organisationNames(db, ids.filter(isUuid));
    },

    find(id: string): Promise<DirectoryEntry | undefined> {
      return store.findDirectoryEntry(db, id);
    },

    /** The directory entries of these organisations, by id, in one round trip; ids not in the directory are absent. */
    async entries(ids: readonly string[]): Promise<Map<string, DirectoryEntry>> {
      const found = await store.directoryEntries(db, ids.filter(isUuid));
      return new Map(found.map((entry) => [entry.id, entry]));
    },

    /**
     * The organisation an e-mail address (already validated, lower case) belongs to. At a shared
     * domain only the full address registered as one of its mailboxes says so (ADR 0018); elsewhere
     * its domain does, as organisationForDomain reads it.
     */
    organisationForAddress(address: {
      readonly local: string;
      readonly domain: string;
    }): Promise<(Organisation & { readonly domains: readonly string[] }) | undefined> {
      if (sharedDomains.some((shared) => shared.domain === address.domain))
        return store.organisationForMailbox(db, `${address.local}@${address.domain}`.toLowerCase());
      return organisationForDomain(address.domain);
    },

    /** Whether a trusted link in the directory joins the two organisations, either way round (R4.6.3). */
    trustedLinkBetween(first: string, second: string): Promise<boolean> {
      if (first === second) return Promise.resolve(false);
      return first < second ? store.linkExists(db, first, second) : store.linkExists(db, second, first);
    },

    async create(actor: Authority, details: OrganisationDetails): Promise<string> {
      checkOperator(actor);
      return uniquely(
        db.transaction().execute(async (trx) => {
          if (await store.nameTaken(trx, details.name, undefined)) {
            throw new DirectoryRuleError(
              'name',
              'DIRECTORY.NAME_TAKEN',
              'An organisation with that name is already in the directory',
            );
          }
          const id = await store.insertOrganisation(trx, details, clock.now());
          await audit.record(trx, {
            organisationId: id,
            actor,
            action: 'organisation.created',
            entity: { type: 'organisation', id },
            change: { ...details },
          });
          return id;
        }),
      );
    },

    async update(actor: Authority, id: string, details: OrganisationDetails): Promise<void> {
      checkOperator(actor);
      await uniquely(
        db.transaction().execute(async (trx) => {
          if (!(await store.lockOrganisation(trx, id)))
            throw new DirectoryNotFoundError(
              'DIRECTORY.ORGANISATION_NOT_FOUND',
              'That organisation does not exist',
            );
          if (await store.nameTaken(trx, details.name, id)) {
            throw new DirectoryRuleError(
              'name',
              'DIRECTORY.NAME_TAKEN',
              'An organisation with that name is already in the directory',
            );
          }
          await store.updateOrganisation(trx, id, details, clock.now());
          await audit.record(trx, {
            organisationId: id,
            actor,
            action: 'organisation.updated',
            entity: { type: 'organisation', id },
            change: { ...details },
          });
        }),
      );
    },

    async addDomain(actor: Authority, organisationId: string, domain: string): Promise<void> {
      checkOperator(actor);
      await uniquely(
        db.transaction().execute(async (trx) => {
          if (!(await store.lockOrganisation(trx, organisationId)))
            throw new DirectoryNotFoundError(
              'DIRECTORY.ORGANISATION_NOT_FOUND',
              'That organisation does not exist',
            );
          const shared = sharedAt(domain);
          if (shared !== undefined)
            throw new DirectoryRuleError(
              'domain',
              'DIRECTORY.SHARED_DOMAIN',
              `${shared.domain} is used by many organisations (${shared.note}), so it cannot belong to one: add this organisation’s own addresses there as email addresses at a shared domain`,
            );
          const owner = await store.domainOwner(trx, domain);
          if (owner !== undefined)
            throw new DirectoryRuleError(
              'domain',
              'DIRECTORY.DOMAIN_TAKEN',
              `That domain already belongs to ${owner}`,
            );
          const id = await store.insertDomain(trx, organisationId, domain, clock.now());
          await audit.record(trx, {
            organisationId,
            actor,
            action: 'organisation.domain_added',
            entity: { type: 'organisation_domain', id },
            change: { domain },
          });
        }),
      );
    },

    async removeDomain(actor: Authority, organisationId: string, domainId: string): Promise<void> {
      checkOperator(actor);
      await db.transaction().execute(async (trx) => {
        const removed = await store.deleteDomain(trx, organisationId, domainId);
        if (removed === undefined)
          throw new DirectoryNotFoundError(
            'DIRECTORY.DOMAIN_NOT_FOUND',
            'That domain is not in the directory',
          );
        await audit.record(trx, {
          organisationId,
          actor,
          action: 'organisation.domain_removed',
          entity: { type: 'organisation_domain', id: domainId },
          change: { domain: removed },
        });
      });
    },

    /** One of the organisation's own addresses at a shared domain ("gwh.safeguarding@nhs.net"). */
    async addMailbox(actor: Authority, organisationId: string, mailbox: Mailbox): Promise<void> {
      checkOperator(actor);
      const address = mailbox.address.toLowerCase();
      const domain = address.slice(address.lastIndexOf('@') + 1);
      if (!sharedDomains.some((shared) => shared.domain === domain))
        throw new DirectoryRuleError(
          'address',
          'DIRECTORY.NOT_SHARED_DOMAIN',
          `${domain} is not a domain many organisations share: add the domain to the organisation that owns it instead`,
        );
      await uniquely(
        db.transaction().execute(async (trx) => {
          if (!(await store.lockOrganisation(trx, organisationId)))
            throw new DirectoryNotFoundError(
              'DIRECTORY.ORGANISATION_NOT_FOUND',
              'That organisation does not exist',
            );
          const owner = await store.mailboxOwner(trx, address);
          if (owner !== undefined)
            throw new DirectoryRuleError(
              'address',
              'DIRECTORY.MAILBOX_TAKEN',
              `That address already belongs to ${owner}`,
            );
          const id = await store.insertMailbox(trx, organisationId, { ...mailbox, address }, clock.now());
          await audit.record(trx, {
            organisationId,
            actor,
            action: 'organisation.mailbox_added',
            entity: { type: 'organisation_mailbox', id },
            change: { label: mailbox.label, address },
          });
        }),
      );
    },

    async removeMailbox(actor: Authority, organisationId: string, mailboxId: string): Promise<void> {
      checkOperator(actor);
      await db.transaction().execute(async (trx) => {
        const removed = await store.deleteMailbox(trx, organisationId, mailboxId);
        if (removed === undefined)
          throw new DirectoryNotFoundError(
            'DIRECTORY.MAILBOX_NOT_FOUND',
            'That address is not in the directory',
          );
        await audit.record(trx, {
          organisationId,
          actor,
          action: 'organisation.mailbox_removed',
          entity: { type: 'organisation_mailbox', id: mailboxId },
          change: { address: removed },
        });
      });
    },

    async addFaxNumber(actor: Authority, organisationId: string, fax: FaxNumber): Promise<void> {
      checkOperator(actor);
      await db.transaction().execute(async (trx) => {
        if (!(await store.lockOrganisation(trx, organisationId)))
          throw new DirectoryNotFoundError(
            'DIRECTORY.ORGANISATION_NOT_FOUND',
            'That organisation does not exist',
          );
        const id = await store.insertFaxNumber(trx, organisationId, fax, clock.now());
        await audit.record(trx, {
          organisationId,
          actor,
          action: 'organisation.fax_added',
          entity: { type: 'organisation_fax_number', id },
          change: { ...fax },
        });
      });
    },

    async removeFaxNumber(actor: Authority, organisationId: string, faxId: string): Promise<void> {
      checkOperator(actor);
      await db.transaction().execute(async (trx) => {
        const removed = await store.deleteFaxNumber(trx, organisationId, faxId);
        if (removed === undefined)
          throw new DirectoryNotFoundError(
            'DIRECTORY.FAX_NOT_FOUND',
            'That fax number is not in the directory',
          );
        await audit.record(trx, {
          organisationId,
          actor,
          action: 'organisation.fax_removed',
          entity: { type: 'organisation_fax_number', id: faxId },
          change: { number: removed },
        });
      });
    },

    async addAddress(actor: Authority, organisationId: string, address: PostalAddress): Promise<void> {
      checkOperator(actor);
      await db.transaction().execute(async (trx) => {
        if (!(await store.lockOrganisation(trx, organisationId)))
          throw new DirectoryNotFoundError(
            'DIRECTORY.ORGANISATION_NOT_FOUND',
            'That organisation does not exist',
          );
        const id = await store.insertAddress(trx, organisationId, address, clock.now());
        await audit.record(trx, {
          organisationId,
          actor,
          action: 'organisation.address_added',
          entity: { type: 'organisation_address', id },
          change: { ...address },
        });
      });
    },

    async removeAddress(actor: Authority, organisationId: string, addressId: string): Promise<void> {
      checkOperator(actor);
      await db.transaction().execute(async (trx) => {
        const removed = await store.deleteAddress(trx, organisationId, addressId);
        if (!removed)
          throw new DirectoryNotFoundError(
            'DIRECTORY.ADDRESS_NOT_FOUND',
            'That address is not in the directory',
          );
        await audit.record(trx, {
          organisationId,
          actor,
          action: 'organisation.address_removed',
          entity: { type: 'organisation_address', id: addressId },
          change: {},
        });
      });
    },

    /** A trusted link (e.g. a private network between a council and its hospital) is recorded in both organisations' trails. */
    async addTrustedLink(
      actor: Authority,
      organisationId: string,
      partnerId: string,
      description: string,
    ): Promise<void> {
      checkOperator(actor);
      if (organisationId === partnerId)
        throw new DirectoryRuleError(
          'partnerId',
          'DIRECTORY.LINK_TO_ITSELF',
          'Select a different organisation to link to',
        );
      const [first, second] =
        organisationId < partnerId ? [organisationId, partnerId] : [partnerId, organisationId];
      await db.transaction().execute(async (trx) => {
        if (!(await store.lockOrganisation(trx, first)) || !(await store.lockOrganisation(trx, second))) {
          throw new DirectoryRuleError(
            'partnerId',
            'DIRECTORY.PARTNER_NOT_FOUND',
            'Select an organisation from the directory',
          );
        }
        if (await store.linkExists(trx, first, second))
          throw new DirectoryRuleError(
            'partnerId',
            'DIRECTORY.ALREADY_LINKED',
            'These organisations are already linked',
          );
        const id = await store.insertTrustedLink(trx, first, second, description, clock.now());
        for (const side of [first, second]) {
          await audit.record(trx, {
            organisationId: side,
            actor,
            action: 'organisation.trusted_link_added',
            entity: { type: 'trusted_link', id },
            change: { organisationId: first, partnerOrganisationId: second, description },
          });
        }
      });
    },

    async removeTrustedLink(actor: Authority, organisationId: string, linkId: string): Promise<void> {
      checkOperator(actor);
      await db.transaction().execute(async (trx) => {
        const removed = await store.deleteTrustedLink(trx, organisationId, linkId);
        if (removed === undefined)
          throw new DirectoryNotFoundError(
            'DIRECTORY.LINK_NOT_FOUND',
            'That trusted link is not in the directory',
          );
        for (const side of [removed.organisation_id, removed.partner_organisation_id]) {
          await audit.record(trx, {
            organisationId: side,
            actor,
            action: 'organisation.trusted_link_removed',
            entity: { type: 'trusted_link', id: linkId },
            change: {
              organisationId: removed.organisation_id,
              partnerOrganisationId: removed.partner_organisation_id,
            },
          });
        }
      });
    },
  };
}

export type OrgsService = ReturnType<typeof orgsService>;
