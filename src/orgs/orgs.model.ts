import type { OrganisationKind } from './orgs.table.ts';

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly kind: OrganisationKind;
  readonly switchboardPhone: string | null;
  readonly hosted: boolean;
}

export interface OrganisationDetails {
  readonly name: string;
  readonly kind: OrganisationKind;
  readonly switchboardPhone: string | null;
  readonly hosted: boolean;
}

export interface PostalAddress {
  readonly label: string;
  readonly line1: string;
  readonly line2: string | null;
  readonly town: string;
  readonly postcode: string;
}

/** An organisation's own mailbox at a domain many organisations share ("gwh.safeguarding@nhs.net"). */
export interface Mailbox {
  readonly label: string;
  /** The full address, lower case. */
  readonly address: string;
}

export interface FaxNumber {
  readonly label: string;
  readonly number: string;
}

/** An organisation with everything the directory holds about it. */
export interface DirectoryEntry extends Organisation {
  readonly domains: readonly { readonly id: string; readonly domain: string }[];
  readonly mailboxes: readonly (Mailbox & { readonly id: string })[];
  readonly faxNumbers: readonly (FaxNumber & { readonly id: string })[];
  readonly addresses: readonly (PostalAddress & { readonly id: string })[];
  readonly trustedLinks: readonly {
    readonly id: string;
    readonly partnerId: string;
    readonly partnerName: string;
    readonly description: string;
  }[];
}
