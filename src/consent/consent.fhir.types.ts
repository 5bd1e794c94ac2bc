/** The parts of HL7 FHIR R4 that Safeshare's consent export uses (https://hl7.org/fhir/R4/). */

export interface FhirCoding {
  readonly system: string;
  readonly version?: string;
  readonly code: string;
  readonly display?: string;
}

export interface FhirCodeableConcept {
  readonly coding?: readonly FhirCoding[];
  readonly text?: string;
}

export interface FhirIdentifier {
  readonly system: string;
  readonly value: string;
}

export interface FhirReference {
  readonly reference?: string;
  readonly type?: string;
  readonly identifier?: FhirIdentifier;
  readonly display?: string;
}

export interface FhirPeriod {
  readonly start: string;
  readonly end?: string;
}

export interface FhirExtension {
  readonly url: string;
  readonly valueCoding?: FhirCoding;
  readonly valueDate?: string;
  readonly valueString?: string;
  readonly valueBoolean?: boolean;
}

export interface FhirRelatedPerson {
  readonly resourceType: 'RelatedPerson';
  readonly id: string;
  readonly identifier: readonly FhirIdentifier[];
  readonly patient: FhirReference;
  readonly relationship: readonly FhirCodeableConcept[];
}

export interface FhirConsentRule {
  readonly type?: 'permit' | 'deny';
  readonly extension?: readonly FhirExtension[];
  readonly period?: FhirPeriod;
  readonly actor?: readonly { readonly role: FhirCodeableConcept; readonly reference: FhirReference }[];
  readonly action?: readonly FhirCodeableConcept[];
  readonly purpose?: readonly FhirCoding[];
  readonly class?: readonly FhirCoding[];
  readonly provision?: readonly FhirConsentRule[];
}

/** The FHIR statuses Safeshare uses (of draft, proposed, active, rejected, inactive, entered-in-error). */
export type FhirConsentStatus = 'active' | 'inactive';

export interface FhirConsent {
  readonly resourceType: 'Consent';
  readonly id: string;
  readonly contained?: readonly FhirRelatedPerson[];
  readonly extension: readonly FhirExtension[];
  readonly identifier: readonly FhirIdentifier[];
  readonly status: FhirConsentStatus;
  readonly scope: FhirCodeableConcept;
  readonly category: readonly FhirCodeableConcept[];
  readonly patient: FhirReference;
  readonly dateTime: string;
  readonly performer?: readonly FhirReference[];
  readonly organization: readonly FhirReference[];
  readonly policy: readonly { readonly uri: string }[];
  readonly policyRule?: FhirCodeableConcept;
  readonly verification?: readonly {
    readonly verified: boolean;
    readonly verifiedWith: FhirReference;
    readonly verificationDate: string;
  }[];
  readonly provision: FhirConsentRule;
}

export interface FhirBundle {
  readonly resourceType: 'Bundle';
  readonly type: 'searchset';
  readonly timestamp: string;
  readonly total: number;
  readonly link: readonly { readonly relation: string; readonly url: string }[];
  readonly entry: readonly {
    readonly fullUrl: string;
    readonly resource: FhirConsent;
    readonly search: { readonly mode: 'match' };
  }[];
}
