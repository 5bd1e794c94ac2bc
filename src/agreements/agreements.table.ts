import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type TextArray = ColumnType<string[], readonly string[], readonly string[]>;
/** A calendar date, read and written as yyyy-mm-dd text. */
type CalendarDate = string;

/** A category an agreement allows, with its relevance and, where the pack marks it sensitive, why it is needed. */
export interface AgreementCategory {
  readonly categoryId: string;
  readonly relevance: string;
  readonly sensitiveReason?: string;
}

/** The council's own lawful basis under the agreement, as the pack's options. */
export interface AgreementBasis {
  readonly article6: string;
  readonly article9?: string;
  readonly schedule1?: string;
  readonly criminalOffence?: string;
}

/** An information sharing agreement (the ICO data sharing code): what regular sharing rests on. */
export interface SharingAgreementsTable {
  id: Generated<string>;
  organisation_id: string;
  reference: Generated<string>;
  title: string;
  partner_organisation_ids: TextArray;
  purpose_ids: TextArray;
  categories: Json<AgreementCategory[]>;
  methods: TextArray;
  own_basis: Json<AgreementBasis>;
  partner_basis: string;
  retention: string;
  risk_of_sharing: string;
  risk_of_not_sharing: string;
  starts_on: CalendarDate;
  review_on: CalendarDate;
  ends_on: CalendarDate;
  ended_on: CalendarDate | null;
  ended_reason: string | null;
  ended_by: string | null;
  created_by: string;
  created_at: Date;
}

/** The signed copy of an agreement, sealed like consent evidence. */
export interface SharingAgreementDocumentsTable {
  id: Generated<string>;
  organisation_id: string;
  agreement_id: string;
  file_name: string;
  content_type: 'application/pdf' | 'image/png' | 'image/jpeg';
  size_bytes: number;
  sha256: string;
  ciphertext: Buffer;
  iv: Buffer;
  auth_tag: Buffer;
  wrapped_key: string;
  uploaded_by: string;
  uploaded_at: Date;
}

/** A data protection impact assessment: its screening, risk and review (UK GDPR Art 35, 36). */
export interface DpiasTable {
  id: Generated<string>;
  organisation_id: string;
  reference: Generated<string>;
  title: string;
  agreement_id: string | null;
  screening: 'not-needed' | 'needed';
  screening_reason: string;
  high_risk: boolean;
  ico_consulted: boolean | null;
  outcome: string | null;
  completed_on: CalendarDate | null;
  review_on: CalendarDate;
  created_by: string;
  created_at: Date;
}

export interface AgreementsTables {
  sharing_agreements: SharingAgreementsTable;
  sharing_agreement_documents: SharingAgreementDocumentsTable;
  dpias: DpiasTable;
}
