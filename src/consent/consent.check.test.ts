import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkConsent,
  normaliseRole,
  type CheckableConsent,
  type ConsentCheckRequest,
} from './consent.check.ts';
import { addDays, addMonths, londonToday, realDate } from './consent.record.ts';
import { consentStatuses, statusAfter, type ConsentStatus } from './consent.status.ts';

const child = '6f1c2a43-8e1b-4c39-9f0e-2b7d4b0c1a01';
const school = '0b8f6f7e-1d7a-4b8e-8c39-1f2e3d4c5b01';
const hospital = '0b8f6f7e-1d7a-4b8e-8c39-1f2e3d4c5b02';
let sequence = 0;

function consent(overrides: Partial<CheckableConsent> = {}): CheckableConsent {
  sequence += 1;
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    personId: child,
    status: 'given',
    purposeIds: ['early-help'],
    recipientOrganisationIds: [school],
    recipientRoles: ['School nurse'],
    methodIds: ['secure-exchange'],
    categoryIds: ['education', 'health'],
    givenOn: '2026-01-10',
    reviewOn: '2027-01-10',
    expiresOn: null,
    createdAt: new Date(`2026-01-10T10:00:00Z`),
    withdrawal: null,
    ...overrides,
  };
}

const request: ConsentCheckRequest = {
  personId: child,
  purposeId: 'early-help',
  recipientOrganisationId: school,
  categoryIds: ['education'],
  on: '2026-06-01',
};

describe('checkConsent, by example', () => {
  it('covers a share inside the consent’s scope', () => {
    const given = consent();
    expect(checkConsent([given], request)).toEqual({ outcome: 'covered', consentId: given.id });
    const byRole: ConsentCheckRequest = {
      personId: child,
      purposeId: 'early-help',
      recipientRole: '  school   NURSE ',
      categoryIds: ['education'],
      on: '2026-06-01',
    };
    expect(checkConsent([given], byRole).outcome).toBe('covered');
  });

  it('answers none when the register holds nothing about the person', () => {
    expect(checkConsent([], request)).toEqual({ outcome: 'none' });
    expect(checkConsent([consent({ personId: hospital })], request)).toEqual({ outcome: 'none' });
  });

  it('names each gap: purpose, recipient, categories and method', () => {
    const given = consent();
    expect(checkConsent([given], { ...request, purposeId: 'health-care' })).toEqual({
      outcome: 'not-covered',
      consentId: given.id,
      gaps: { purpose: true },
    });
    expect(
      checkConsent([given], {
        ...request,
        recipientOrganisationId: hospital,
        categoryIds: ['education', 'police-intelligence', 'police-intelligence'],
        methodId: 'fax',
      }),
    ).toEqual({
      outcome: 'not-covered',
      consentId: given.id,
      gaps: { recipient: true, categories: ['police-intelligence'], methods: ['fax'] },
    });
  });

  it('lets a later refusal or withdrawal win over earlier consent, and later consent win over an earlier withdrawal', () => {
    const given = consent({ givenOn: '2026-01-10' });
    const refused = consent({ status: 'refused', givenOn: '2026-03-01' });
    expect(checkConsent([given, refused], request)).toEqual({ outcome: 'refused', consentId: refused.id });

    const withdrawnLater = consent({
      givenOn: '2025-12-01',
      status: 'withdrawn',
      withdrawal: { on: '2026-04-01' },
    });
    expect(checkConsent([given, withdrawnLater], request)).toEqual({
      outcome: 'withdrawn',
      consentId: withdrawnLater.id,
    });

    const renewed = consent({ givenOn: '2026-05-01' });
    expect(checkConsent([given, withdrawnLater, renewed], request)).toEqual({
      outcome: 'covered',
      consentId: renewed.id,
    });
  });

  it('prefers the refusal when consent and refusal fall on the same day', () => {
    const given = consent({ givenOn: '2026-02-02', createdAt: new Date('2026-02-02T15:00:00Z') });
    const refused = consent({
      status: 'refused',
      givenOn: '2026-02-02',
      createdAt: new Date('2026-02-02T09:00:00Z'),
    });
    expect(checkConsent([refused, given], request).outcome).toBe('refused');
  });

  it('treats a consent as expired from its expiry date, and an expired consent as not covering', () => {
    const expiring = consent({ expiresOn: '2026-06-01' });
    expect(checkConsent([expiring], { ...request, on: '2026-05-31' }).outcome).toBe('covered');
    expect(checkConsent([expiring], { ...request, on: '2026-06-01' })).toEqual({
      outcome: 'expired',
      consentId: expiring.id,
    });
    const marked = consent({ status: 'expired' });
    expect(checkConsent([marked], request).outcome).toBe('expired');
  });

  it('lets later consent stand when an earlier one has expired', () => {
    const earlier = consent({ givenOn: '2026-01-01', expiresOn: '2026-03-01' });
    const later = consent({ givenOn: '2026-02-01' });
    expect(checkConsent([earlier, later], request)).toEqual({ outcome: 'covered', consentId: later.id });
  });

  it('ignores superseded records and records made after the day of the check', () => {
    const superseded = consent({ status: 'superseded', givenOn: '2026-05-01' });
    expect(checkConsent([superseded], request)).toEqual({ outcome: 'none' });
    const future = consent({ givenOn: '2026-07-01' });
    expect(checkConsent([future], request)).toEqual({ outcome: 'none' });
  });

  it('points at a decision not to seek consent for the purpose', () => {
    const notSought = consent({ status: 'not_sought' });
    expect(checkConsent([notSought], request)).toEqual({ outcome: 'none', consentId: notSought.id });
  });

  it('flags consent that is past its review date, without refusing it', () => {
    const stale = consent({ reviewOn: '2026-05-01' });
    expect(checkConsent([stale], request)).toEqual({
      outcome: 'covered',
      consentId: stale.id,
      reviewOverdue: true,
    });
  });

  it('normalises free-text roles', () => {
    expect(normaliseRole('  Designated   Safeguarding Lead ')).toBe('designated safeguarding lead');
  });
});

describe('consent dates', () => {
  it('adds months holding the day back to the month’s end', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-01-31', 13)).toBe('2028-02-29');
    expect(addMonths('2026-11-30', 12)).toBe('2027-11-30');
    expect(addMonths('2026-08-15', 6)).toBe('2027-02-15');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('recognises real dates only', () => {
    expect(realDate(2028, 2, 29)).toBe('2028-02-29');
    expect(realDate(2027, 2, 29)).toBeUndefined();
    expect(realDate(2026, 4, 31)).toBeUndefined();
    expect(realDate(2026, 13, 1)).toBeUndefined();
    expect(realDate(26, 1, 1)).toBeUndefined();
  });

  it('uses the date in England, not UTC', () => {
    expect(londonToday(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonToday(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });
});

describe('the lifecycle', () => {
  it('allows withdrawal only of consent given, and nothing from a final state', () => {
    expect(statusAfter('given', 'withdraw')).toBe('withdrawn');
    expect(statusAfter('refused', 'withdraw')).toBeUndefined();
    expect(statusAfter('given', 'review')).toBe('given');
    for (const final of ['withdrawn', 'expired', 'superseded'] as const) {
      for (const transition of ['withdraw', 'expire', 'supersede', 'review', 'markReviewOverdue'] as const) {
        expect(statusAfter(final, transition)).toBeUndefined();
      }
    }
  });
});

// Property tests over small vocabularies, so that generated consents and requests often overlap.
const purposes = ['early-help', 'child-in-need', 'health-care'] as const;
const categories = ['education', 'health', 'social-care', 'police-intelligence'] as const;
const methods = ['telephone', 'post', 'secure-exchange'] as const;
const organisations = [school, hospital, '0b8f6f7e-1d7a-4b8e-8c39-1f2e3d4c5b03'] as const;
const roles = ['School nurse', 'GP', 'Health visitor'] as const;
const people = [child, '6f1c2a43-8e1b-4c39-9f0e-2b7d4b0c1a02'] as const;

const day = fc.integer({ min: 0, max: 400 }).map((offset) => addDays('2026-01-01', offset));

const arbitraryConsent: fc.Arbitrary<CheckableConsent> = fc
  .record({
    id: fc.uuid(),
    personId: fc.constantFrom(...people),
    status: fc.constantFrom<ConsentStatus>(...consentStatuses),
    purposeIds: fc.subarray([...purposes], { minLength: 1 }),
    recipientOrganisationIds: fc.subarray([...organisations]),
    recipientRoles: fc.subarray([...roles]),
    methodIds: fc.subarray([...methods]),
    categoryIds: fc.subarray([...categories]),
    givenOn: day,
    reviewGap: fc.integer({ min: 1, max: 400 }),
    expiryGap: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
    withdrawalGap: fc.integer({ min: 0, max: 200 }),
    createdAt: fc.date({
      min: new Date('2026-01-01T00:00:00Z'),
      max: new Date('2027-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
  })
  .map(({ reviewGap, expiryGap, withdrawalGap, ...rest }) => ({
    ...rest,
    reviewOn: addDays(rest.givenOn, reviewGap),
    expiresOn: expiryGap === undefined ? null : addDays(rest.givenOn, expiryGap),
    // The database holds a withdrawal exactly when the status is withdrawn.
    withdrawal: rest.status === 'withdrawn' ? { on: addDays(rest.givenOn, withdrawalGap) } : null,
  }));

const arbitraryRequest: fc.Arbitrary<ConsentCheckRequest> = fc
  .record({
    personId: fc.constantFrom(...people),
    purposeId: fc.constantFrom(...purposes),
    recipientOrganisationId: fc.option(fc.constantFrom(...organisations), { nil: undefined }),
    recipientRole: fc.option(fc.constantFrom(...roles, 'Youth worker'), { nil: undefined }),
    categoryIds: fc.subarray([...categories]),
    methodId: fc.option(fc.constantFrom(...methods), { nil: undefined }),
    on: day,
  })
  .map(({ recipientOrganisationId, recipientRole, methodId, ...rest }) => ({
    ...rest,
    ...(recipientOrganisationId === undefined ? {} : { recipientOrganisationId }),
    ...(recipientRole === undefined ? {} : { recipientRole }),
    ...(methodId === undefined ? {} : { methodId }),
  }));

const register = fc.array(arbitraryConsent, { maxLength: 6 });
const runs = { numRuns: 2_000 };

describe('checkConsent, by property', () => {
  it('never lets a withdrawn, refused, expired, superseded or not-sought record cover a share', () => {
    fc.assert(
      fc.property(register, arbitraryRequest, (consents, check) => {
        const result = checkConsent(consents, check);
        if (result.outcome !== 'covered') return;
        const relied = consents.find((candidate) => candidate.id === result.consentId);
        expect(relied?.status).toBe('given');
        expect(relied?.withdrawal).toBeNull();
        expect(relied !== undefined && (relied.expiresOn === null || relied.expiresOn > check.on)).toBe(true);
      }),
      runs,
    );
  });

  it('never covers a purpose, recipient, category or method outside the consent’s scope', () => {
    fc.assert(
      fc.property(register, arbitraryRequest, (consents, check) => {
        const result = checkConsent(consents, check);
        if (result.outcome !== 'covered') return;
        const relied = consents.find((candidate) => candidate.id === result.consentId);
        expect(relied).toBeDefined();
        if (relied === undefined) return;
        expect(relied.personId).toBe(check.personId);
        expect(relied.purposeIds).toContain(check.purposeId);
        expect(relied.givenOn <= check.on).toBe(true);
        for (const category of check.categoryIds) expect(relied.categoryIds).toContain(category);
        if (check.methodId !== undefined) expect(relied.methodIds).toContain(check.methodId);
        const byOrganisation =
          check.recipientOrganisationId !== undefined &&
          relied.recipientOrganisationIds.includes(check.recipientOrganisationId);
        const byRole =
          check.recipientRole !== undefined &&
          relied.recipientRoles.map(normaliseRole).includes(normaliseRole(check.recipientRole));
        expect(byOrganisation || byRole).toBe(true);
      }),
      runs,
    );
  });

  it('never covers when the person’s latest word on the purpose is a refusal or withdrawal', () => {
    fc.assert(
      fc.property(register, arbitraryRequest, (consents, check) => {
        const relevant = consents.filter(
          (candidate) =>
            candidate.personId === check.personId &&
            candidate.purposeIds.includes(check.purposeId) &&
            candidate.givenOn <= check.on &&
            candidate.status !== 'superseded',
        );
        const lastNo = relevant
          .filter((candidate) => candidate.status === 'refused' || candidate.status === 'withdrawn')
          .map((candidate) =>
            candidate.withdrawal !== null && candidate.withdrawal.on > candidate.givenOn
              ? candidate.withdrawal.on
              : candidate.givenOn,
          )
          .sort()
          .at(-1);
        if (lastNo === undefined) return;
        const lastYes = relevant
          .filter((candidate) => candidate.status === 'given')
          .map((candidate) => candidate.givenOn)
          .sort()
          .at(-1);
        if (lastYes !== undefined && lastYes > lastNo) return;
        expect(checkConsent(consents, check).outcome).not.toBe('covered');
      }),
      runs,
    );
  });

  it('makes a withdrawal take effect at once: after withdrawal the same check, on the same day, is not covered (invariant 3)', () => {
    fc.assert(
      fc.property(arbitraryConsent, arbitraryRequest, (generated, generatedCheck) => {
        const given: CheckableConsent = { ...generated, status: 'given', withdrawal: null, expiresOn: null };
        const check = {
          ...generatedCheck,
          personId: given.personId,
          purposeId: given.purposeIds[0] ?? 'early-help',
          on: addDays(given.givenOn, 10),
        };
        const withdrawn: CheckableConsent = { ...given, status: 'withdrawn', withdrawal: { on: check.on } };
        const after = checkConsent([withdrawn], check);
        expect(after.outcome).toBe('withdrawn');
        expect(after.consentId).toBe(given.id);
      }),
      runs,
    );
  });

  it('answers covered only with the id of a record in the register, and every requested category in scope', () => {
    fc.assert(
      fc.property(register, arbitraryRequest, (consents, check) => {
        const result = checkConsent(consents, check);
        if (result.consentId !== undefined)
          expect(consents.map((candidate) => candidate.id)).toContain(result.consentId);
        if (result.outcome === 'covered') expect(result.gaps).toBeUndefined();
        if (result.outcome === 'not-covered') expect(result.gaps).toBeDefined();
        if (result.outcome === 'none') {
          const anyGiven = consents.some(
            (candidate) =>
              candidate.personId === check.personId &&
              candidate.status === 'given' &&
              candidate.givenOn <= check.on &&
              (candidate.expiresOn === null || candidate.expiresOn > check.on),
          );
          expect(anyGiven).toBe(false);
        }
      }),
      runs,
    );
  });
});

describe('the generators', () => {
  it('produce every outcome, so the properties above are not vacuous', () => {
    const outcomes = new Set(
      fc
        .sample(fc.tuple(register, arbitraryRequest), { numRuns: 5_000, seed: 42 })
        .map(([consents, check]) => checkConsent(consents, check).outcome),
    );
    expect([...outcomes].sort()).toEqual([
      'covered',
      'expired',
      'none',
      'not-covered',
      'refused',
      'withdrawn',
    ]);
  });
});
