import { relationshipNames, type Relationship } from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { labelOf } from './consent.labels.ts';
import type { ConsentRecord } from './consent.record.ts';
import { consentStatusNames, type ConsentStatus } from './consent.status.ts';
import type {
  FhirCoding,
  FhirCodeableConcept,
  FhirReference,
  FhirPeriod,
  FhirExtension,
  FhirRelatedPerson,
  FhirConsentRule,
  FhirConsentStatus,
  FhirConsent,
  FhirBundle,
} from './consent.fhir.types.ts';

export type { FhirConsentStatus, FhirConsent, FhirBundle } from './consent.fhir.types.ts';

/**
 * The consent register as HL7 FHIR R4 `Consent` resources (https://hl7.org/fhir/R4/consent.html),
 * for case-management systems and for the family's subject access. A pure mapping: the caller
 * has checked need-to-know and audited the read.
 *
 * Status (Consent.status, binding "required"):
 * | Safeshare   | FHIR       | why |
 * | given       | active     | a directive in force: OPTIN, the rule permits |
 * | refused     | active     | a refusal is in force too and must be respected (golden rule 4): OPTOUT, the rule denies. `rejected` would tell a consumer there is nothing to enforce |
 * | withdrawn   | inactive   | terminated; the period ends on the day the withdrawal was received |
 * | expired     | inactive   | terminated; the period ends on the expiry date |
 * | superseded  | inactive   | replaced by a newer record |
 * | not_sought  | inactive   | no directive exists: nobody consented or refused, so a consumer must not rely on it. `proposed` would say consent is being sought, which it is not. No policyRule and no permit/deny rule |
 * The exact Safeshare status travels in an extension, so nothing is lost.
 *
 * Provision: R4 says the root rule carries no `type` ("not permitted in root rule, required in all
 * nested rules"). The root rule holds the period; one nested rule holds the decision (permit or
 * deny) and what it covers: recipients (actor, role IRCP), the action (disclose), purposes and
 * information categories (Safeshare code systems built from the policy pack, versioned by the
 * pack's version), and the sharing methods and retention in extensions.
 */

/**
 * Safeshare's code systems, extensions and identifier systems, named under the deployment's own
 * canonical base (FHIR_CANONICAL_BASE, by default PUBLIC_URL + /fhir): names, not addresses.
 */
export function fhirNames(fhirCanonicalBase: string) {
  const systems = {
    purpose: `${fhirCanonicalBase}/CodeSystem/consent-purpose`,
    informationCategory: `${fhirCanonicalBase}/CodeSystem/information-category`,
    sharingMethod: `${fhirCanonicalBase}/CodeSystem/sharing-method`,
    retentionForm: `${fhirCanonicalBase}/CodeSystem/retention-form`,
    notSoughtReason: `${fhirCanonicalBase}/CodeSystem/consent-not-sought-reason`,
    registerStatus: `${fhirCanonicalBase}/CodeSystem/consent-register-status`,
    consentId: `${fhirCanonicalBase}/Id/consent`,
    personId: `${fhirCanonicalBase}/Id/person`,
    nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
    loinc: 'http://loinc.org',
    consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
    actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
    participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
    roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
    consentAction: 'http://terminology.hl7.org/CodeSystem/consentaction',
  } as const;
  const extensions = {
    registerStatus: `${fhirCanonicalBase}/StructureDefinition/consent-register-status`,
    reviewDate: `${fhirCanonicalBase}/StructureDefinition/consent-review-date`,
    notSoughtReason: `${fhirCanonicalBase}/StructureDefinition/consent-not-sought-reason`,
    toldSharedWithoutConsent: `${fhirCanonicalBase}/StructureDefinition/consent-told-shared-without-consent`,
    toldMayWithdraw: `${fhirCanonicalBase}/StructureDefinition/consent-told-may-withdraw`,
    useDescription: `${fhirCanonicalBase}/StructureDefinition/consent-use-description`,
    sharingMethod: `${fhirCanonicalBase}/StructureDefinition/consent-sharing-method`,
    retentionPeriod: `${fhirCanonicalBase}/StructureDefinition/consent-retention-period`,
    retentionForm: `${fhirCanonicalBase}/StructureDefinition/consent-retention-form`,
  } as const;
  return {
    systems,
    extensions,
    policy: (version: string) => `${fhirCanonicalBase}/PolicyPack/${encodeURIComponent(version)}`,
  };
}

export type FhirNames = ReturnType<typeof fhirNames>;

export interface FhirConsentContext {
  /** The child's NHS number (10 digits), when known: the consistent child identifier (Children Act 2004 s16LC). */
  readonly nhsNumber: string | null;
  readonly organisationName: string;
  /** Directory names of organisations by id; a recipient not found is referenced without a name. */
  readonly organisationNames: ReadonlyMap<string, string>;
  readonly policy: PolicyPack;
  /** The deployment's FHIR names (code systems, extensions), from its canonical base. */
  readonly names: FhirNames;
}

export const fhirStatusOf: Record<ConsentStatus, FhirConsentStatus> = {
  given: 'active',
  refused: 'active',
  withdrawn: 'inactive',
  expired: 'inactive',
  superseded: 'inactive',
  not_sought: 'inactive',
};

/** How a parent or carer is related to the child, in HL7's RoleCode; relationships with no code there are given as text only. */
const roleCodes: Record<Relationship, { readonly code: string; readonly display: string } | null> = {
  mother: { code: 'MTH', display: 'mother' },
  father: { code: 'FTH', display: 'father' },
  step_parent: { code: 'STPPRN', display: 'step parent' },
  carer_with_parental_responsibility: { code: 'GUARD', display: 'guardian' },
  foster_carer: { code: 'PRNFOST', display: 'foster parent' },
  special_guardian: { code: 'GUARD', display: 'guardian' },
  grandparent: { code: 'GRPRN', display: 'grandparent' },
  sibling: { code: 'SIB', display: 'sibling' },
  half_sibling: { code: 'HSIB', display: 'half-sibling' },
  aunt_or_uncle: { code: 'EXT', display: 'extended family member' },
  child: { code: 'PRN', display: 'parent' },
  partner_of_parent: { code: 'FAMMEMB', display: 'family member' },
  other_relative: { code: 'FAMMEMB', display: 'family member' },
  other: null,
};

const parentCarerId = 'parent-carer';

/**
 * A FHIR string is never empty and holds no whitespace but space, tab, CR and LF: free text is
 * trimmed, other spaces (no-break, ideographic...) become plain spaces, and nothing left is dropped.
 */
function text(value: string | null | undefined): string | undefined {
  const cleaned = value?.replace(/[^\S \r\n\t]/gu, ' ').trim();
  return cleaned === undefined || cleaned === '' ? undefined : cleaned;
}

function coding(system: string, version: string, code: string, display: string | undefined): FhirCoding {
  const shown = text(display);
  return { system, version, code, ...(shown === undefined ? {} : { display: shown }) };
}

/** Maps one consent record to a FHIR R4 Consent. Pure: the same record and context always give the same resource. */
export function toFhirConsent(record: ConsentRecord, context: FhirConsentContext): FhirConsent {
  const { systems: fhirSystems, extensions: fhirExtensions } = context.names;
  const pack = context.policy;
  const version = record.policyVersion;
  const patient: FhirReference = {
    reference: `Patient/${record.personId}`,
    ...(context.nhsNumber === null
      ? {}
      : { identifier: { system: fhirSystems.nhsNumber, value: context.nhsNumber.replace(/\s/g, '') } }),
  };
  const consented = record.decision !== 'not_sought';
  const organisationName = text(context.organisationName);

  const performers: FhirReference[] = [];
  if (consented && record.givenByChild) performers.push({ reference: `Patient/${record.personId}` });
  if (consented && record.parentCarer !== null)
    performers.push({ reference: `#${parentCarerId}`, type: 'RelatedPerson' });
  const contained: FhirRelatedPerson[] =
    consented && record.parentCarer !== null
      ? [
          {
            resourceType: 'RelatedPerson',
            id: parentCarerId,
            identifier: [{ system: fhirSystems.personId, value: record.parentCarer.personId }],
            patient: { reference: `Patient/${record.personId}` },
            relationship: [relationshipConcept(record.parentCarer.relationship, fhirSystems)],
          },
        ]
      : [];

  const extension: FhirExtension[] = [
    {
      url: fhirExtensions.registerStatus,
      valueCoding: {
        system: fhirSystems.registerStatus,
        code: record.status,
        display: consentStatusNames[record.status],
      },
    },
    { url: fhirExtensions.reviewDate, valueDate: record.reviewOn },
  ];
  if (record.notSoughtReasonId !== null) {
    extension.push({
      url: fhirExtensions.notSoughtReason,
      valueCoding: coding(
        fhirSystems.notSoughtReason,
        version,
        record.notSoughtReasonId,
        labelOf(pack.consentNotSoughtReasons, record.notSoughtReasonId),
      ),
    });
  }
  if (record.toldSharedWithoutConsent !== null)
    extension.push({
      url: fhirExtensions.toldSharedWithoutConsent,
      valueBoolean: record.toldSharedWithoutConsent,
    });
  if (record.toldMayWithdraw !== null)
    extension.push({ url: fhirExtensions.toldMayWithdraw, valueBoolean: record.toldMayWithdraw });
  const use = text(record.useDescription);
  if (use !== undefined) extension.push({ url: fhirExtensions.useDescription, valueString: use });

  const scope = ruleScope(record, context, pack);
  const end = [record.withdrawal?.on, record.expiresOn ?? undefined]
    .filter((date): date is string => date !== undefined)
    .sort()[0];
  const period: FhirPeriod = { start: record.givenOn, ...(end === undefined ? {} : { end }) };
  const provision: FhirConsentRule = consented
    ? { period, provision: [{ type: record.decision === 'given' ? 'permit' : 'deny', ...scope }] }
    : { period, ...scope };

  return {
    resourceType: 'Consent',
    id: record.id,
    ...(contained.length === 0 ? {} : { contained }),
    extension,
    identifier: [{ system: fhirSystems.consentId, value: record.id }],
    status: fhirStatusOf[record.status],
    scope: {
      coding: [{ system: fhirSystems.consentScope, code: 'patient-privacy', display: 'Privacy Consent' }],
    },
    category: [
      { coding: [{ system: fhirSystems.loinc, code: '59284-0', display: 'Patient Consent' }] },
      { coding: [{ system: fhirSystems.actCode, code: 'IDSCL', display: 'information disclosure' }] },
    ],
    patient,
    dateTime: record.givenOn,
    ...(performers.length === 0 ? {} : { performer: performers }),
    organization: [
      {
        reference: `Organization/${record.organisationId}`,
        ...(organisationName === undefined ? {} : { display: organisationName }),
      },
    ],
    // ppc-1 asks for a policy or a policy rule: every record names the local policy pack it was made under.
    policy: [{ uri: context.names.policy(version) }],
    ...(record.decision === 'not_sought'
      ? {}
      : {
          policyRule: {
            coding: [
              // HL7's own display for OPTOUT is spelt "op-out"; validators compare displays, so it is kept.
              record.decision === 'given'
                ? { system: fhirSystems.actCode, code: 'OPTIN', display: 'opt-in' }
                : { system: fhirSystems.actCode, code: 'OPTOUT', display: 'opt-out' },
            ],
          },
        }),
    ...(consented && record.howGiven !== null && performers.length > 0
      ? {
          verification: performers.map((performer) => ({
            verified: true,
            verifiedWith: performer,
            verificationDate: record.givenOn,
          })),
        }
      : {}),
    provision,
  };
}

function relationshipConcept(
  relationship: Relationship,
  fhirSystems: FhirNames['systems'],
): FhirCodeableConcept {
  const role = roleCodes[relationship];
  return {
    ...(role === null
      ? {}
      : { coding: [{ system: fhirSystems.roleCode, code: role.code, display: role.display }] }),
    text: relationshipNames[relationship],
  };
}

/** What the rule covers: recipients, the action, purposes, categories, methods and retention. */
function ruleScope(
  record: ConsentRecord,
  context: FhirConsentContext,
  pack: PolicyPack,
): Omit<FhirConsentRule, 'type' | 'period' | 'provision'> {
  const { systems: fhirSystems, extensions: fhirExtensions } = context.names;
  const version = record.policyVersion;
  const recipient: FhirCodeableConcept = {
    coding: [{ system: fhirSystems.participationType, code: 'IRCP', display: 'information recipient' }],
  };
  const actor = [
    ...record.recipientOrganisationIds.map((id) => {
      const name = text(context.organisationNames.get(id));
      return {
        role: recipient,
        reference: { reference: `Organization/${id}`, ...(name === undefined ? {} : { display: name }) },
      };
    }),
    ...record.recipientRoles.flatMap((role) => {
      const display = text(role);
      return display === undefined
        ? []
        : [{ role: recipient, reference: { type: 'PractitionerRole', display } }];
    }),
  ];
  const extension: FhirExtension[] = [
    ...record.methodIds.map((id) => ({
      url: fhirExtensions.sharingMethod,
      valueCoding: coding(fhirSystems.sharingMethod, version, id, labelOf(pack.sharingMethods, id)),
    })),
    ...record.retentionFormIds.map((id) => ({
      url: fhirExtensions.retentionForm,
      valueCoding: coding(fhirSystems.retentionForm, version, id, labelOf(pack.retentionForms, id)),
    })),
  ];
  const retention = text(record.retentionPeriod);
  if (retention !== undefined)
    extension.push({ url: fhirExtensions.retentionPeriod, valueString: retention });
  return {
    ...(extension.length === 0 ? {} : { extension }),
    ...(actor.length === 0 ? {} : { actor }),
    action: [{ coding: [{ system: fhirSystems.consentAction, code: 'disclose', display: 'Disclose' }] }],
    ...(record.purposeIds.length === 0
      ? {}
      : {
          purpose: record.purposeIds.map((id) =>
            coding(fhirSystems.purpose, version, id, labelOf(pack.purposes, id)),
          ),
        }),
    ...(record.categoryIds.length === 0
      ? {}
      : {
          class: record.categoryIds.map((id) =>
            coding(fhirSystems.informationCategory, version, id, labelOf(pack.informationCategories, id)),
          ),
        }),
  };
}

/** A FHIR searchset of consents, newest first as given. `resourceBase` is the API address each consent can be read at. */
export function toFhirSearchBundle(
  resources: readonly FhirConsent[],
  addresses: { readonly self: string; readonly resourceBase: string },
  now: Date,
): FhirBundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: now.toISOString(),
    total: resources.length,
    link: [{ relation: 'self', url: addresses.self }],
    entry: resources.map((resource) => ({
      fullUrl: `${addresses.resourceBase}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
