import type { Generated } from 'kysely';

export const organisationKinds = [
  'local_authority',
  'nhs_body',
  'police',
  'school',
  'voluntary',
  'other',
] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  kind: OrganisationKind;
  switchboard_phone: string | null;
  /** True for organisations whose staff use this deployment (a multi-agency hub hosts several). */
  hosted: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface OrganisationDomainsTable {
  id: Generated<string>;
  organisation_id: string;
  domain: string;
  created_at: Date;
}

export interface OrganisationFaxNumbersTable {
  id: Generated<string>;
  organisation_id: string;
  label: string;
  number: string;
  created_at: Date;
}

export interface OrganisationAddressesTable {
  id: Generated<string>;
  organisation_id: string;
  label: string;
  line1: string;
  line2: string | null;
  town: string;
  postcode: string;
  created_at: Date;
}

/** An organisation's own mailbox at a domain many organisations share (nhs.net): matched by the full address. */
export interface OrganisationMailboxesTable {
  id: Generated<string>;
  organisation_id: string;
  label: string;
  address: string;
  created_at: Date;
}

export interface TrustedLinksTable {
  id: Generated<string>;
  /** The lower of the two organisation ids, so each pair is stored once. */
  organisation_id: string;
  partner_organisation_id: string;
  description: string;
  created_at: Date;
}

export interface OrgsTables {
  organisations: OrganisationsTable;
  organisation_domains: OrganisationDomainsTable;
  organisation_fax_numbers: OrganisationFaxNumbersTable;
  organisation_addresses: OrganisationAddressesTable;
  organisation_mailboxes: OrganisationMailboxesTable;
  trusted_links: TrustedLinksTable;
}
