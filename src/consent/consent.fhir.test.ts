import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { consentRecord } from '../../test/support/consent-record.ts';
import { fhirR4Validators, schemaErrors, type FhirValidators } from '../../test/support/fhir-schema.ts';
import { relationships } from '../people/index.ts';
import { loadPolicyPack } from '../policy/index.ts';
import {
  fhirNames,
  fhirStatusOf,
  toFhirConsent,
  toFhirSearchBundle,
  type FhirConsent,
  type FhirConsentContext,
} from './consent.fhir.ts';
import type { ConsentRecord } from './consent.record.ts';
import { consentStatuses, type ConsentStatus } from './consent.status.ts';

const policy = loadPolicyPack();
const names = fhirNames('https://safeshare.swindon.gov.uk/fhir');
const { systems: fhirSystems, extensions: fhirExtensions } = names;
const schoolId = '5f0c7a52-8b1e-4c55-9d5e-0a4f3e2d1c01';
const councilId = '0b7d2c1e-6a3f-4e8b-9c2d-1f0e3d4c5b6a';
const context: FhirConsentContext = {
  nhsNumber: '9990001234',
  organisationName: 'Swindon Borough Council',
  organisationNames: new Map([
    [schoolId, 'Drove Primary School'],
    [councilId, 'Swindon Borough Council'],
  ]),
  policy,
  names,
};

function record(overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  return consentRecord({ organisationId: councilId, recipientOrganisationIds: [schoolId], ...overrides });
}

let validators: FhirValidators;

beforeAll(() => {
  validators = fhirR4Validators();
}, 60_000);

function expectValid(resource: FhirConsent): void {
  const valid = validators.consent(resource);
  expect(valid, schemaErrors(validators.consent)).toBe(true);
  // Invariants the JSON schema cannot express (Consent ppc-1, ppc-2 and dom-3).
  expect(resource.policy.length > 0 || resource.policyRule !== undefined).toBe(true);
  expect(resource.patient.reference).toBe(`Patient/${resource.patient.reference?.slice(8) ?? ''}`);
  for (const contained of resource.contained ?? []) {
    expect(JSON.stringify(resource)).toContain(`"#${contained.id}"`);
  }
  // R4: the root rule carries no type; every nested rule does.
  expect(resource.provision.type).toBeUndefined();
  for (const rule of resource.provision.provision ?? [])
    expect(rule.type === 'permit' || rule.type === 'deny').toBe(true);
}

describe('toFhirConsent: the mapping, status by status', () => {
  it('maps consent given to an active opt-in that permits disclosure to the named recipients', () => {
    const resource = toFhirConsent(record(), context);
    expectValid(resource);
    expect(resource).toMatchObject({
      resourceType: 'Consent',
      id: '8a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      patient: {
        reference: 'Patient/1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a',
        identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990001234' },
      },
      dateTime: '2026-11-20',
      organization: [{ reference: `Organization/${councilId}`, display: 'Swindon Borough Council' }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    });
    expect(resource.category[0]?.coding?.[0]).toMatchObject({
      system: 'http://loinc.org',
      code: '59284-0',
      display: 'Patient Consent',
    });
    // The child and her mother (a contained RelatedPerson, coded as HL7's "mother") gave consent.
    expect(resource.performer).toEqual([
      { reference: 'Patient/1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a' },
      { reference: '#parent-carer', type: 'RelatedPerson' },
    ]);
    expect(resource.contained?.[0]).toMatchObject({
      resourceType: 'RelatedPerson',
      id: 'parent-carer',
      relationship: [{ coding: [{ code: 'MTH' }], text: 'Mother' }],
    });
    expect(resource.verification).toHaveLength(2);

    expect(resource.provision.period).toEqual({ start: '2026-11-20' });
    const rule = resource.provision.provision?.[0];
    expect(rule?.type).toBe('permit');
    expect(rule?.action).toEqual([
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/consentaction',
            code: 'disclose',
            display: 'Disclose',
          },
        ],
      },
    ]);
    expect(rule?.actor).toEqual([
      {
        role: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
              code: 'IRCP',
              display: 'information recipient',
            },
          ],
        },
        reference: { reference: `Organization/${schoolId}`, display: 'Drove Primary School' },
      },
      {
        role: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
              code: 'IRCP',
              display: 'information recipient',
            },
          ],
        },
        reference: { type: 'PractitionerRole', display: 'School nurse' },
      },
    ]);
    expect(rule?.purpose).toEqual([
      {
        system: fhirSystems.purpose,
        version: policy.version,
        code: 'early-help',
        display: 'Early help assessment and support',
      },
      {
        system: fhirSystems.purpose,
        version: policy.version,
        code: 'education-support',
        display: 'Education support, including an EHC plan',
      },
    ]);
    expect(rule?.class?.map((entry) => entry.code)).toEqual(['education', 'health']);
    expect(rule?.extension).toContainEqual({
      url: fhirExtensions.sharingMethod,
      valueCoding: {
        system: fhirSystems.sharingMethod,
        version: policy.version,
        code: 'secure-exchange',
        display: 'Safeshare secure exchange',
      },
    });
    expect(resource.extension).toContainEqual({
      url: fhirExtensions.registerStatus,
      valueCoding: { system: fhirSystems.registerStatus, code: 'given', display: 'Given' },
    });
    expect(resource.extension).toContainEqual({ url: fhirExtensions.reviewDate, valueDate: '2027-11-20' });
  });

  it('maps a refusal to an active opt-out whose rule denies: a refusal in force must be respected', () => {
    const resource = toFhirConsent(record({ decision: 'refused', status: 'refused' }), context);
    expectValid(resource);
    expect(resource.status).toBe('active');
    expect(resource.policyRule?.coding?.[0]?.code).toBe('OPTOUT');
    expect(resource.provision.provision?.[0]?.type).toBe('deny');
  });

  it('maps withdrawn, expired and superseded consent to inactive, the period ending when it stopped', () => {
    const withdrawal = {
      on: '2027-01-15',
      method: 'telephone',
      by: 'parent_carer',
      note: null,
      recordedBy: '3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c',
      recordedAt: new Date('2027-01-15T12:00:00Z'),
    } as const;
    const withdrawn = toFhirConsent(record({ status: 'withdrawn', withdrawal }), context);
    expectValid(withdrawn);
    expect(withdrawn.status).toBe('inactive');
    expect(withdrawn.provision.period).toEqual({ start: '2026-11-20', end: '2027-01-15' });
    expect(withdrawn.provision.provision?.[0]?.type).toBe('permit');

    const expired = toFhirConsent(record({ status: 'expired', expiresOn: '2027-06-30' }), context);
    expectValid(expired);
    expect(expired.status).toBe('inactive');
    expect(expired.provision.period).toEqual({ start: '2026-11-20', end: '2027-06-30' });

    const superseded = toFhirConsent(
      record({ status: 'superseded', supersededById: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' }),
      context,
    );
    expectValid(superseded);
    expect(superseded.status).toBe('inactive');
    expect(superseded.extension).toContainEqual({
      url: fhirExtensions.registerStatus,
      valueCoding: { system: fhirSystems.registerStatus, code: 'superseded', display: 'Superseded' },
    });
  });

  it('maps consent not sought to an inactive record with no directive: no opt-in or opt-out, no permit or deny, the reason given', () => {
    const resource = toFhirConsent(
      record({
        decision: 'not_sought',
        status: 'not_sought',
        givenByChild: false,
        parentCarer: null,
        howGiven: null,
        notSoughtReasonId: 'unsafe',
        notSoughtDetail: null,
        toldSharedWithoutConsent: null,
        toldMayWithdraw: null,
      }),
      context,
    );
    expectValid(resource);
    expect(resource.status).toBe('inactive');
    expect(resource.policyRule).toBeUndefined();
    expect(resource.performer).toBeUndefined();
    expect(resource.verification).toBeUndefined();
    expect(resource.provision.provision).toBeUndefined();
    expect(resource.provision.purpose?.map((entry) => entry.code)).toEqual([
      'early-help',
      'education-support',
    ]);
    expect(resource.extension).toContainEqual({
      url: fhirExtensions.notSoughtReason,
      valueCoding: {
        system: fhirSystems.notSoughtReason,
        version: policy.version,
        code: 'unsafe',
        display: 'Seeking consent would place the child or others at risk of harm',
      },
    });
  });

  it('documents every status in the mapping table', () => {
    expect(Object.keys(fhirStatusOf).sort()).toEqual([...consentStatuses].sort());
  });

  it('leaves out the NHS number when it is not known, and names a recipient no longer in the directory by id only', () => {
    const gone = 'c0ffee00-0000-4000-8000-000000000000';
    const resource = toFhirConsent(record({ recipientOrganisationIds: [gone] }), {
      ...context,
      nhsNumber: null,
    });
    expectValid(resource);
    expect(resource.patient).toEqual({ reference: 'Patient/1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a' });
    expect(resource.provision.provision?.[0]?.actor?.[0]?.reference).toEqual({
      reference: `Organization/${gone}`,
    });
  });

  it('puts a person’s consents in a searchset Bundle that validates', () => {
    const resources = [
      toFhirConsent(record(), context),
      toFhirConsent(
        record({ id: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', decision: 'refused', status: 'refused' }),
        context,
      ),
    ];
    const bundle = toFhirSearchBundle(
      resources,
      {
        self: 'https://safeshare.swindon.gov.uk/api/v1/people/1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a/consents',
        resourceBase: 'https://safeshare.swindon.gov.uk/api/v1/consents',
      },
      new Date('2026-11-30T09:00:00Z'),
    );
    expect(validators.bundle(bundle), schemaErrors(validators.bundle)).toBe(true);
    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 2,
      timestamp: '2026-11-30T09:00:00.000Z',
    });
    expect(bundle.entry[1]?.fullUrl).toBe(
      'https://safeshare.swindon.gov.uk/api/v1/consents/9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    );
    expect(
      validators.bundle({ ...bundle, entry: [{ resource: { ...resources[0], status: 'approved' } }] }),
    ).toBe(false);
  });

  it('reads labels from the pack itself, never from an object’s inherited names', () => {
    const resource = toFhirConsent(
      record({ purposeIds: ['constructor', 'early-help'], categoryIds: ['tostring'] }),
      context,
    );
    expectValid(resource);
    expect(resource.provision.provision?.[0]?.purpose?.[0]).toEqual({
      system: fhirSystems.purpose,
      version: policy.version,
      code: 'constructor',
    });
  });

  it('is checked by a schema that refuses what R4 forbids', () => {
    const resource = toFhirConsent(record(), context);
    expect(validators.consent({ ...resource, status: 'given' })).toBe(false);
    expect(validators.consent({ ...resource, scope: undefined })).toBe(false);
    expect(validators.consent({ ...resource, decision: 'permit' })).toBe(false);
    expect(validators.consent({ ...resource, dateTime: '20/11/2026' })).toBe(false);
    expect(validators.consent({ ...resource, provision: { ...resource.provision, type: 'allow' } })).toBe(
      false,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Property: whatever the register holds, the export is valid FHIR R4.

const identifier = fc.stringMatching(/^[a-z0-9]{1,12}(?:-[a-z0-9]{1,12}){0,3}$/);
const knownOrNot = (known: readonly string[]) => fc.oneof(fc.constantFrom(...known), identifier);
const day = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const freeText = fc.option(fc.string({ unit: 'binary', maxLength: 60 }), { nil: null });

const decisionFor: Record<ConsentStatus, fc.Arbitrary<ConsentRecord['decision']>> = {
  given: fc.constant('given'),
  withdrawn: fc.constant('given'),
  expired: fc.constant('given'),
  refused: fc.constant('refused'),
  not_sought: fc.constant('not_sought'),
  superseded: fc.constantFrom('given', 'refused', 'not_sought'),
};

const records: fc.Arbitrary<ConsentRecord> = fc
  .constantFrom(...consentStatuses)
  .chain((status) =>
    fc.record({
      status: fc.constant(status),
      decision: decisionFor[status],
      id: fc.uuid(),
      organisationId: fc.uuid(),
      personId: fc.uuid(),
      policyVersion: fc.stringMatching(/^\d{4}\.\d{2}-\d{1,3}$/),
      givenByChild: fc.boolean(),
      parentCarer: fc.option(
        fc.record({ personId: fc.uuid(), relationship: fc.constantFrom(...relationships) }),
        { nil: null },
      ),
      purposeIds: fc.uniqueArray(knownOrNot(policy.purposes.map((purpose) => purpose.id)), {
        minLength: 1,
        maxLength: 4,
      }),
      useDescription: freeText,
      recipientOrganisationIds: fc.uniqueArray(fc.oneof(fc.constantFrom(schoolId, councilId), fc.uuid()), {
        maxLength: 4,
      }),
      recipientRoles: fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 3 }),
      methodIds: fc.uniqueArray(knownOrNot(policy.sharingMethods.map((method) => method.id)), {
        maxLength: 4,
      }),
      categoryIds: fc.uniqueArray(knownOrNot(policy.informationCategories.map((category) => category.id)), {
        maxLength: 6,
      }),
      retentionPeriod: freeText,
      retentionFormIds: fc.uniqueArray(knownOrNot(policy.retentionForms.map((form) => form.id)), {
        maxLength: 2,
      }),
      toldSharedWithoutConsent: fc.option(fc.boolean(), { nil: null }),
      toldMayWithdraw: fc.option(fc.boolean(), { nil: null }),
      howGiven: fc.option(fc.constantFrom('written', 'verbal', 'electronic'), { nil: null }),
      notSoughtReasonId: fc.option(knownOrNot(policy.consentNotSoughtReasons.map((reason) => reason.id)), {
        nil: null,
      }),
      givenOn: day,
      reviewOn: day,
      expiresOn: fc.option(day, { nil: null }),
      withdrawnOn: day,
      createdAt: fc.date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
    }),
  )
  .map(({ withdrawnOn, ...generated }) =>
    record({
      ...generated,
      withdrawal:
        generated.status === 'withdrawn'
          ? {
              on: withdrawnOn,
              method: 'letter',
              by: 'both',
              note: null,
              recordedBy: generated.personId,
              recordedAt: generated.createdAt,
            }
          : null,
    }),
  );

const contexts: fc.Arbitrary<FhirConsentContext> = fc.record({
  nhsNumber: fc.option(fc.stringMatching(/^\d{10}$/), { nil: null }),
  organisationName: fc.string({ unit: 'binary', maxLength: 40 }),
  organisationNames: fc.constant(context.organisationNames),
  policy: fc.constant(policy),
  names: fc.constant(names),
});

describe('toFhirConsent: property', () => {
  it('always produces a Consent that validates against the official R4 schema, in every status, with or without a parent, categories and recipients', () => {
    fc.assert(
      fc.property(records, contexts, (generated, generatedContext) => {
        const resource = toFhirConsent(generated, generatedContext);
        expectValid(resource);
        expect(resource.status).toBe(fhirStatusOf[generated.status]);
        expect(resource.id).toBe(generated.id);
      }),
      { numRuns: 400 },
    );
  });
});
