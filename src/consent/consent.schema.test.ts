import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPolicyPack, parsePolicyPack, PolicyPackError } from '../policy/index.ts';
import { consentForm, defaultReviewOn } from './consent.schema.ts';

describe('the policy pack', () => {
  it('loads the default pack, validated, with review intervals as data', () => {
    const pack = loadPolicyPack();
    expect(pack.version).toMatch(/^\d{4}\.\d{2}-\d+$/);
    expect(pack.purposes.find((purpose) => purpose.id === 'multi-agency-safeguarding')?.reviewMonths).toBe(6);
    expect(pack.consentNotSoughtReasons.find((reason) => reason.id === 'other')?.requiresDetail).toBe(true);
    expect(loadPolicyPack('default')).toBe(pack);
  });

  it('refuses a broken pack with a message naming every problem, and a pack name that is a path', () => {
    const broken = {
      ...loadPolicyPack(),
      purposes: [
        { id: 'early-help', label: 'Early help', description: 'x', reviewMonths: 0 },
        { id: 'early-help', label: 'Again', description: 'y', reviewMonths: 12 },
      ],
      lawfulBasis: [],
    };
    expect(() => parsePolicyPack('default', JSON.stringify(broken))).toThrow(PolicyPackError);
    expect(() => parsePolicyPack('default', JSON.stringify(broken))).toThrow(
      /purposes\.0\.reviewMonths[\s\S]*duplicate id "early-help"|duplicate id "early-help"[\s\S]*purposes\.0\.reviewMonths/,
    );
    expect(() => parsePolicyPack('default', '{ not json')).toThrow(/not valid JSON/);
    expect(() => loadPolicyPack('../../etc/passwd')).toThrow(/not valid/);
    expect(() => loadPolicyPack('no-such-pack')).toThrow(/was not found/);
  });

  it('sets the default review date from the shortest interval of the purposes', () => {
    const pack = loadPolicyPack();
    expect(defaultReviewOn(pack, '2026-11-20', ['early-help'])).toBe('2027-11-20');
    expect(defaultReviewOn(pack, '2026-11-20', ['early-help', 'multi-agency-safeguarding'])).toBe(
      '2027-05-20',
    );
  });
});

describe('the consent form', () => {
  const pack = loadPolicyPack();
  const form = (dateOfBirth: string | null) => consentForm({ pack, today: '2026-11-30', dateOfBirth });
  const answers = {
    decision: 'given',
    'givenOn-day': '20',
    'givenOn-month': '11',
    'givenOn-year': '2026',
    consentGivenBy: ['child', 'parent_carer'],
    parentCarerId: randomUUID(),
    childCapacity: 'competent',
    childView: 'Happy to share',
    prevailingView: 'child',
    purposeIds: 'early-help',
    useDescription: 'Planning support',
    recipientOrganisationIds: randomUUID(),
    recipientRoles: 'School nurse\n  school   nurse \nGP',
    methodIds: ['telephone'],
    categoryIds: ['education'],
    retentionPeriod: 'Six years',
    retentionFormIds: 'electronic',
    toldSharedWithoutConsent: 'yes',
    toldMayWithdraw: 'yes',
    howGiven: 'verbal',
  };

  it('shapes good answers, dropping duplicate roles', () => {
    const parsed = form('2014-05-12').safeParse(answers);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.recipientRoles).toEqual(['School nurse', 'GP']);
    expect(parsed.data?.purposeIds).toEqual(['early-help']);
  });

  it('asks nothing about capacity for an adult', () => {
    const parsed = form('1990-01-01').safeParse({
      ...answers,
      childCapacity: '',
      childView: '',
      prevailingView: '',
    });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.childCapacity).toBeNull();
  });

  it('refuses each rule with its own message', () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { ...answers, 'givenOn-day': '1', 'givenOn-month': '12' },
        'Date of the decision must be today or in the past',
      ],
      [{ ...answers, 'givenOn-day': '31', 'givenOn-month': '2' }, 'Date of the decision must be a real date'],
      [
        { ...answers, 'reviewOn-day': '1', 'reviewOn-month': '11', 'reviewOn-year': '2026' },
        'Review date must be after the date of the decision',
      ],
      [
        { ...answers, toldMayWithdraw: 'no' },
        'Tell them they may withdraw consent at any time before recording consent as given',
      ],
      [{ ...answers, purposeIds: ['early-help', 'marketing'] }, 'Select purposes from the list'],
      [
        { ...answers, consentGivenBy: 'child', childCapacity: 'not_competent' },
        'A child who is not competent to make this decision cannot decide alone: add the parent or carer with parental responsibility',
      ],
      [
        { ...answers, decision: 'not_sought', notSoughtReason: 'other' },
        'Enter more detail about why consent was not sought',
      ],
      [{ ...answers, childView: ['a', 'b'] }, 'The child’s view must be text'],
    ];
    for (const [input, message] of cases) {
      const parsed = form('2014-05-12').safeParse(input);
      expect(parsed.success, message).toBe(false);
      expect(
        parsed.error?.issues.map((issue) => issue.message),
        message,
      ).toContain(message);
    }
  });
});
