import type { PersonRecordRow, PersonRow, RelationshipRow } from './people.repository.ts';
import type { Relationship } from './people.table.ts';

/** What other capabilities know of a person. */
export interface PersonSummary {
  readonly id: string;
  readonly organisationId: string;
  readonly givenNames: string;
  readonly familyName: string;
  readonly knownAs: string | null;
  readonly dateOfBirth: string | null;
  readonly nhsNumber: string | null;
  readonly localReference: string | null;
}

/** Everything the record page shows of a person. */
export interface PersonRecord extends PersonSummary {
  readonly upn: string | null;
  readonly externalId: string | null;
  readonly addressLine1: string | null;
  readonly addressLine2: string | null;
  readonly town: string | null;
  readonly postcode: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * Why the viewer may open a record (invariant 4): their role (DPO, Caldicott Guardian), an
 * allocation to them, to one of their team (a line manager), a one-step family relationship to a
 * person allocated to either, or a recorded reason for access ("break-glass") that has not expired.
 */
export type AccessBasis = 'role' | 'allocated' | 'team' | 'family-member' | 'break-glass';

/** Who a relative is to this person, and whether they have parental responsibility for this person. */
export interface Relative {
  readonly person: PersonSummary;
  readonly relationship: Relationship;
  readonly parentalResponsibility: boolean;
  /** The relationship in words, from this person's side: "Mother", "Parent", "Brother or sister". */
  readonly label: string;
  readonly relationshipId: string;
}

export interface Allocation {
  readonly id: string;
  readonly userId: string;
  readonly userName: string;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  /** Whether the viewer (a line manager) may end it: their own, or one of their direct reports'. */
  readonly endable: boolean;
}

export interface PersonView {
  readonly person: PersonRecord;
  readonly basis: AccessBasis;
  /** When the viewer's reason for access runs out, if that is what opened the record. */
  readonly reasonExpiresAt: Date | null;
  readonly relatives: readonly Relative[];
  readonly allocations: readonly Allocation[];
}

/** Which page opened the record: written in its `person.viewed` event. */
/** Where a record was opened: a page, or the API (`api`). */
export type PersonPage = 'record' | 'edit' | 'add-family-member' | 'api';

export interface CaseloadEntry {
  readonly person: PersonSummary;
  readonly allocationId: string;
  readonly userName: string;
  readonly startedAt: Date;
}

export interface SearchResults {
  /** Matches the viewer may open, closest first. */
  readonly matches: readonly PersonSummary[];
  /** Matches the viewer has no legitimate relationship to: ids only, never who they are. */
  readonly restricted: readonly string[];
  /** More people matched than are shown. */
  readonly more: boolean;
  /** A 10-digit number that is not a valid NHS number matched nothing: say so. */
  readonly invalidNhsNumber: boolean;
}

export interface AccessReview {
  readonly id: string;
  readonly personId: string;
  readonly userName: string;
  readonly reason: string;
  readonly grantedAt: Date;
  readonly expiresAt: Date;
  readonly reviewedAt: Date | null;
  readonly reviewerName: string | null;
  readonly reviewable: boolean;
}

/** A reason for access lasts a day: long enough for the work, short enough to need giving again. */
export const breakGlassHours = 24;
/** Shown in the search results; the rest is "more match: add details". */
export const searchResultsShown = 50;

export const relationshipNames: Record<Relationship, string> = {
  mother: 'Mother',
  father: 'Father',
  step_parent: 'Step-parent',
  carer_with_parental_responsibility: 'Carer with parental responsibility',
  foster_carer: 'Foster carer',
  special_guardian: 'Special guardian',
  grandparent: 'Grandparent',
  sibling: 'Brother or sister',
  half_sibling: 'Half-brother or half-sister',
  aunt_or_uncle: 'Aunt or uncle',
  child: 'Child',
  partner_of_parent: 'Partner of a parent',
  other_relative: 'Other relative',
  other: 'Other',
};

/**
 * A relationship row reads "the related person is the person's <relationship>". Its parental
 * responsibility flag belongs to the parent or carer in the pair: the related person, except in a
 * `child` row, where the person is the parent. Seen from the related person's side, the
 * relationship is turned round.
 */
const parentLike: readonly Relationship[] = [
  'mother',
  'father',
  'step_parent',
  'carer_with_parental_responsibility',
  'foster_carer',
  'special_guardian',
  'partner_of_parent',
];

function fromOtherSide(
  relationship: Relationship,
  responsibility: boolean,
): { relationship: Relationship; label: string } {
  if (parentLike.includes(relationship)) return { relationship: 'child', label: 'Child' };
  switch (relationship) {
    case 'sibling':
    case 'half_sibling':
    case 'other_relative':
    case 'other':
      return { relationship, label: relationshipNames[relationship] };
    case 'child':
      return responsibility
        ? {
            relationship: 'carer_with_parental_responsibility',
            label: 'Parent (with parental responsibility)',
          }
        : { relationship: 'other_relative', label: 'Parent' };
    case 'grandparent':
      return { relationship: 'other_relative', label: 'Grandchild' };
    case 'aunt_or_uncle':
      return { relationship: 'other_relative', label: 'Niece or nephew' };
    default:
      return { relationship: 'other', label: relationshipNames.other };
  }
}

export function toSummary(row: PersonRow): PersonSummary {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    givenNames: row.given_names,
    familyName: row.family_name,
    knownAs: row.known_as,
    dateOfBirth: row.date_of_birth,
    nhsNumber: row.nhs_number,
    localReference: row.local_reference,
  };
}

export function toRecord(row: PersonRecordRow): PersonRecord {
  return {
    ...toSummary(row),
    upn: row.upn,
    externalId: row.external_id,
    addressLine1: row.address_line1,
    addressLine2: row.address_line2,
    town: row.town,
    postcode: row.postcode,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toRelative(row: RelationshipRow): Relative {
  if (row.forward) {
    return {
      person: toSummary(row.relative),
      relationship: row.relationship,
      parentalResponsibility: row.relationship !== 'child' && row.parental_responsibility,
      label: relationshipNames[row.relationship],
      relationshipId: row.id,
    };
  }
  const turned = fromOtherSide(row.relationship, row.parental_responsibility);
  return {
    person: toSummary(row.relative),
    relationship: turned.relationship,
    parentalResponsibility: row.relationship === 'child' && row.parental_responsibility,
    label: turned.label,
    relationshipId: row.id,
  };
}
