import type { ConsentRecord } from '../../src/consent/consent.record.ts';
import { loadPolicyPack } from '../../src/policy/index.ts';

/**
 * A consent record as the register holds it: given by a competent child with her mother, for early
 * help and education support, to the school (organisation 5f0c7a52-...) of the council
 * (0b7d2c1e-...). Unit tests override what they are about.
 */
export function consentRecord(overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    id: '8a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
    organisationId: '0b7d2c1e-6a3f-4e8b-9c2d-1f0e3d4c5b6a',
    personId: '1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a',
    decision: 'given',
    status: 'given',
    policyVersion: loadPolicyPack().version,
    givenByChild: true,
    parentCarer: { personId: '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b', relationship: 'mother' },
    childCapacity: 'competent',
    capacityNotAssessedReason: null,
    prevailingView: 'child',
    childView: 'Amelia wants her teacher to know.',
    purposeIds: ['early-help', 'education-support'],
    useDescription: 'To plan early help with her school.',
    recipientOrganisationIds: ['5f0c7a52-8b1e-4c55-9d5e-0a4f3e2d1c01'],
    recipientRoles: ['School nurse'],
    methodIds: ['secure-exchange'],
    categoryIds: ['education', 'health'],
    retentionPeriod: 'Until Amelia is 25',
    retentionFormIds: ['electronic'],
    toldSharedWithoutConsent: true,
    toldMayWithdraw: true,
    howGiven: 'written',
    evidenceNote: 'Signed form on the case file.',
    notSoughtReasonId: null,
    notSoughtDetail: null,
    givenOn: '2026-11-20',
    reviewOn: '2027-11-20',
    expiresOn: null,
    lastReviewedOn: null,
    reviewOverdueSince: null,
    withdrawal: null,
    supersedesId: null,
    supersededById: null,
    recordedBy: '3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c',
    createdAt: new Date('2026-11-20T10:15:00Z'),
    ...overrides,
  };
}
