import type { AuditService } from '../audit/index.ts';
import { actorOf, type Viewer } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { PersonSummary } from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { requireConsentPerson } from './consent.access.ts';
import {
  fhirNames,
  toFhirConsent,
  toFhirSearchBundle,
  type FhirBundle,
  type FhirConsent,
  type FhirConsentContext,
} from './consent.fhir.ts';
import { consentNotice, hasNotice, type ConsentNotice } from './consent.notice.ts';
import { londonToday, type ConsentRecord } from './consent.record.ts';
import * as store from './consent.repository.ts';
import { toRecord, type PeopleAccess } from './consent.core.ts';

export interface ConsentOutputsDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly people: Pick<PeopleAccess, 'requireAccess'>;
  readonly orgs: Pick<OrgsService, 'find' | 'list'>;
  readonly policy: PolicyPack;
  /** The deployment's canonical base for Safeshare's own FHIR code systems and extensions. */
  readonly fhirCanonicalBase: string;
}

export type NoticeFormat = 'page' | 'pdf';
/** A signed-in practitioner's download, or an integrating system over the API. */
export type ExportChannel = 'download' | 'api';

/**
 * What leaves the consent register in other forms: the family's notice (page and PDF) and the
 * FHIR R4 export. Every read checks need-to-know through the people service (invariant 4) and is
 * audited in the same transaction as the read of the consent, so a read that cannot be audited
 * returns nothing.
 */
export function consentOutputsService(deps: ConsentOutputsDependencies) {
  const { db, clock, audit, people, orgs, policy } = deps;
  const names = fhirNames(deps.fhirCanonicalBase);

  /**
   * Reads one consent the viewer may see inside a transaction, builds the output, and records the
   * reading in the same transaction. Another organisation's consent is undefined, as if it did not
   * exist; an unallocated person of the viewer's own organisation throws ReasonRequiredError.
   */
  async function readOne<T>(
    viewer: Viewer,
    id: string,
    build: (record: ConsentRecord, person: PersonSummary) => Promise<T | undefined>,
    event: { readonly action: string; readonly change: Record<string, string | boolean> },
  ): Promise<T | undefined> {
    return db.transaction().execute(async (trx) => {
      const row = await store.findConsent(trx, id);
      if (row === undefined || row.organisation_id !== viewer.organisationId) return undefined;
      const record = toRecord(row);
      const person = await requireConsentPerson(people, viewer, record.personId);
      const output = await build(record, person);
      if (output === undefined) return undefined;
      await audit.record(trx, {
        organisationId: record.organisationId,
        actor: actorOf(viewer),
        action: event.action,
        change: event.change,
        entity: { type: 'consent', id: record.id },
        personId: record.personId,
      });
      return output;
    });
  }

  async function fhirContext(organisationId: string, person: PersonSummary): Promise<FhirConsentContext> {
    const directory = await orgs.list();
    const organisationNames = new Map(directory.map((organisation) => [organisation.id, organisation.name]));
    return {
      nhsNumber: person.nhsNumber,
      organisationName: organisationNames.get(organisationId) ?? 'Unknown organisation',
      organisationNames,
      policy,
      names,
    };
  }

  async function exported(
    trx: store.ConsentTransaction,
    viewer: Viewer,
    record: ConsentRecord,
    channel: ExportChannel,
    bundle: boolean,
  ): Promise<void> {
    await audit.record(trx, {
      organisationId: record.organisationId,
      actor: actorOf(viewer),
      action: 'consent.exported',
      entity: { type: 'consent', id: record.id },
      personId: record.personId,
      change: { format: 'fhir-r4', via: channel, bundle },
    });
  }

  return {
    /** The family's notice for a consent that was given (R3.2, R3.3); undefined for any other record. */
    async notice(viewer: Viewer, id: string, format: NoticeFormat): Promise<ConsentNotice | undefined> {
      return readOne(
        viewer,
        id,
        async (record, person) => {
          if (!hasNotice(record)) return undefined;
          const [organisation, directory, names] = await Promise.all([
            orgs.find(record.organisationId),
            record.recipientOrganisationIds.length === 0 ? Promise.resolve([]) : orgs.list(),
            store.userNames(db, [record.recordedBy]),
          ]);
          const recipientNames = new Map(directory.map((entry) => [entry.id, entry.name]));
          const address = organisation?.addresses[0];
          return consentNotice(record, {
            child: { givenNames: person.givenNames, knownAs: person.knownAs },
            organisation: {
              name: organisation?.name ?? viewer.organisationName,
              switchboardPhone: organisation?.switchboardPhone ?? null,
              address:
                address === undefined
                  ? null
                  : {
                      line1: address.line1,
                      line2: address.line2,
                      town: address.town,
                      postcode: address.postcode,
                    },
            },
            practitionerName: names.get(record.recordedBy) ?? null,
            recipientNames: record.recipientOrganisationIds.map(
              (organisationId) => recipientNames.get(organisationId) ?? 'An organisation named by us',
            ),
            policy,
            today: londonToday(clock.now()),
          });
        },
        { action: 'consent.notice_viewed', change: { format } },
      );
    },

    /** One consent as a FHIR R4 Consent. */
    async fhirConsent(viewer: Viewer, id: string, channel: ExportChannel): Promise<FhirConsent | undefined> {
      return readOne(
        viewer,
        id,
        async (record, person) => toFhirConsent(record, await fhirContext(record.organisationId, person)),
        { action: 'consent.exported', change: { format: 'fhir-r4', via: channel, bundle: false } },
      );
    },

    /**
     * A person's consents as a FHIR searchset, newest first. Throws NotFoundError when the viewer
     * may not see the person (another organisation's), ReasonRequiredError when they need a reason first.
     */
    async fhirForPerson(
      viewer: Viewer,
      personId: string,
      addresses: { readonly self: string; readonly resourceBase: string },
    ): Promise<FhirBundle> {
      const person = await requireConsentPerson(people, viewer, personId);
      const context = await fhirContext(person.organisationId, person);
      return db.transaction().execute(async (trx) => {
        const records = (await store.consentsForPerson(trx, person.id)).map(toRecord);
        for (const record of records) await exported(trx, viewer, record, 'api', true);
        if (records.length === 0) {
          // Finding that a person has no consent is a read of their record too.
          await audit.record(trx, {
            organisationId: person.organisationId,
            actor: actorOf(viewer),
            action: 'consent.exported',
            entity: { type: 'person', id: person.id },
            personId: person.id,
            change: { format: 'fhir-r4', via: 'api', bundle: true, consents: 0 },
          });
        }
        return toFhirSearchBundle(
          records.map((record) => toFhirConsent(record, context)),
          addresses,
          clock.now(),
        );
      });
    },
  };
}

export type ConsentOutputsService = ReturnType<typeof consentOutputsService>;
