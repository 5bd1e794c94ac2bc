import type { Generated, GeneratedAlways } from 'kysely';

export const relationships = [
  'mother',
  'father',
  'step_parent',
  'carer_with_parental_responsibility',
  'foster_carer',
  'special_guardian',
  'grandparent',
  'sibling',
  'half_sibling',
  'aunt_or_uncle',
  'child',
  'partner_of_parent',
  'other_relative',
  'other',
] as const;
export type Relationship = (typeof relationships)[number];

export interface PeopleTable {
  id: Generated<string>;
  organisation_id: string;
  given_names: string;
  family_name: string;
  known_as: string | null;
  /** A calendar date, read and written as yyyy-mm-dd text (no time zone). */
  date_of_birth: string | null;
  nhs_number: string | null;
  local_reference: string | null;
  upn: string | null;
  external_id: string | null;
  address_line1: string | null;
  address_line2: string | null;
  town: string | null;
  postcode: string | null;
  created_at: Date;
  updated_at: Date;
  search_name: Generated<string>;
  /** The name's words, each prefixed with the organisation id (`<uuid>:<word>`): what name search looks up. */
  search_keys: GeneratedAlways<string[]>;
}

/** Each organisation's distinct name words, kept by a trigger on people: where a typed word is matched. */
export interface PeopleNameVocabularyTable {
  /** `<organisation id>:<word>`, as in people.search_keys. */
  key: string;
  organisation_id: string;
  word: string;
}

export interface PersonRelationshipsTable {
  id: Generated<string>;
  organisation_id: string;
  person_id: string;
  related_person_id: string;
  relationship: Relationship;
  parental_responsibility: boolean;
  created_at: Date;
}

export interface AllocationsTable {
  id: Generated<string>;
  organisation_id: string;
  person_id: string;
  user_id: string;
  started_at: Date;
  ended_at: Date | null;
}

export interface BreakGlassAccessTable {
  id: Generated<string>;
  organisation_id: string;
  person_id: string;
  user_id: string;
  reason: string;
  granted_at: Date;
  expires_at: Date;
  reviewed_by: string | null;
  reviewed_at: Date | null;
}

export interface PeopleTables {
  people: PeopleTable;
  person_relationships: PersonRelationshipsTable;
  allocations: AllocationsTable;
  break_glass_access: BreakGlassAccessTable;
  people_name_vocabulary: PeopleNameVocabularyTable;
}
