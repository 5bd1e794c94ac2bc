import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConsentCheckOutcome } from '../consent/index.ts';
import { loadPolicyPack, type Approver } from '../policy/index.ts';
import {
  outcomes,
  principles,
  requesterKinds,
  thirdPartyHandling,
  type DecisionAnswers,
} from './sharing.answers.ts';
import {
  assessDecision,
  type AdviceFact,
  type ApprovalFact,
  type DecisionFacts,
  type PersonConsent,
} from './sharing.rules.ts';

/**
 * The decision rules as a pure function: properties that must hold for any answers at all (built from
 * the canonical section shapes, with the real default pack), and an example of every rule.
 */

const pack = loadPolicyPack();
const council = '1a2b3c4d-0000-4000-8000-000000000001';
const school = '1a2b3c4d-0000-4000-8000-000000000002';
const child = '6f1c2a43-8e1b-4c39-9f0e-2b7d4b0c1a01';
const today = '2026-11-30';

function facts(overrides: Partial<DecisionFacts> = {}): DecisionFacts {
  return {
    pack,
    organisationId: council,
    today,
    consent: [{ personId: child, outcome: 'covered' }],
    advice: [],
    approvals: [],
    ...overrides,
  };
}

/** A complete routine share that the rules accept: a school asks for education and health information with consent. */
function routine(overrides: Partial<DecisionAnswers> = {}): DecisionAnswers {
  return {
    request: {
      requesterKind: 'agency',
      requesterName: 'Rebecca Sutton',
      requesterRole: 'Special educational needs coordinator',
      requesterOrganisationId: school,
      channelId: 'telephone',
      receivedOn: '2026-11-27',
      purposeId: 'education-support',
      details: 'The school is reviewing the EHC plan.',
    },
    people: { personIds: [child], systemTransfer: false },
    recipients: {
      recipients: [
        {
          name: 'Rebecca Sutton',
          role: 'SENCo',
          organisationId: school,
          reason: 'She coordinates the plan review.',
        },
      ],
    },
    information: {
      shared: [
        { categoryId: 'education', relevance: 'Attainment and support.' },
        { categoryId: 'health', relevance: 'Speech and language needs.' },
      ],
      withheld: ['parent-criminal-record'],
      thirdParties: 'none',
      confirmed: [...principles],
    },
    lawfulBasis: {
      unsure: false,
      article6: 'public-task',
      article9: 'health-social-care',
      schedule1: 'health-social-care-purposes',
      commonLaw: 'consent',
    },
    openness: { told: true, toldDetails: 'Mum was told what would be shared, why and with whom.' },
    safety: {
      wellbeing: 'Helps the school meet her needs.',
      riskOfSharing: 'Low.',
      riskOfNotSharing: 'Support could be cut.',
    },
    outcome: { outcome: 'share-in-part', notShareReasonIds: [], reasons: 'Needed for the plan review.' },
    ...overrides,
  };
}

/** A copy without some members (a section or answer left out). */
function without<T extends object, K extends keyof T & string>(value: T, ...keys: K[]): Omit<T, K> {
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => !(keys as readonly string[]).includes(key)),
  ) as Omit<T, K>;
}

function codes(answers: DecisionAnswers, given: DecisionFacts = facts()): string[] {
  return assessDecision(answers, given).problems.map((problem) => problem.code);
}

// ---------------------------------------------------------------------------------------------
// Arbitrary answers, section by section, from the canonical shapes. Ids come from the pack, with a
// few the pack does not know; free text is sometimes blank.

const ids = (values: readonly string[], ...unknown: string[]) => fc.constantFrom(...values, ...unknown);
const someText = fc.constantFrom('', 'Because the facts show a risk of harm.', 'A note.');
const filledText = fc.constantFrom('Because the facts show a risk of harm.', 'A note.');
const purposeIds = pack.purposes.map((purpose) => purpose.id);
const categoryIds = pack.informationCategories.map((category) => category.id);
const bases = pack.sharing.lawfulBases;
const consentOutcomes: readonly ConsentCheckOutcome[] = [
  'covered',
  'not-covered',
  'none',
  'expired',
  'refused',
  'withdrawn',
];
const approvers: readonly Approver[] = [
  'line-manager',
  'manager',
  'caldicott_guardian',
  'dpo',
  'ig_lead',
  'child_protection_adviser',
];

const requestArb = fc.record(
  {
    requesterKind: fc.constantFrom(...requesterKinds),
    requesterName: someText,
    requesterRole: someText,
    requesterOrganisationId: fc.constantFrom(council, school),
    channelId: ids(
      pack.sharing.requestChannels.map((channel) => channel.id),
      'carrier-pigeon',
    ),
    receivedOn: fc.constantFrom('2026-01-01', '2026-11-29', today, '2026-12-01'),
    purposeId: ids(purposeIds, 'unknown-purpose'),
    details: filledText,
  },
  { requiredKeys: ['requesterKind', 'receivedOn', 'purposeId', 'details'] },
);

const peopleArb = fc.record({
  personIds: fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: pack.sharing.bulkThreshold + 3 }),
  systemTransfer: fc.boolean(),
});

const recipientArb = fc.record(
  {
    name: filledText,
    role: filledText,
    organisationId: fc.constantFrom(council, school),
    email: fc.constant('sutton@oakfield.sch.uk'),
    telephone: someText,
    reason: filledText,
  },
  { requiredKeys: ['name', 'role', 'organisationId', 'reason'] },
);
const recipientsArb = fc.record({ recipients: fc.array(recipientArb, { minLength: 1, maxLength: 3 }) });

const sharedArb = fc.record(
  { categoryId: ids(categoryIds, 'tarot-readings'), relevance: filledText, sensitiveReason: someText },
  { requiredKeys: ['categoryId', 'relevance'] },
);
const informationArb = fc.record(
  {
    shared: fc.array(sharedArb, { maxLength: 4 }),
    withheld: fc.array(ids(categoryIds), { maxLength: 3 }),
    description: someText,
    thirdParties: fc.constantFrom(...thirdPartyHandling),
    thirdPartyReason: someText,
    confirmed: fc.subarray([...principles]),
  },
  { requiredKeys: ['shared', 'withheld', 'thirdParties', 'confirmed'] },
);

const lawfulBasisArb = fc.record(
  {
    unsure: fc.boolean(),
    article6: ids(
      bases.article6.map((option) => option.id),
      'whim',
    ),
    article9: ids(bases.article9.map((option) => option.id)),
    schedule1: ids(bases.schedule1.map((option) => option.id)),
    criminalOffence: ids(bases.criminalOffence.map((option) => option.id)),
    commonLaw: ids(
      bases.commonLaw.map((option) => option.id),
      'gut-feeling',
    ),
    confidenceReason: someText,
    justification: someText,
  },
  { requiredKeys: ['unsure'] },
);

const opennessArb = fc.record(
  { told: fc.boolean(), toldDetails: someText, notToldReason: someText },
  { requiredKeys: ['told'] },
);
const safetyArb = fc.record({
  wellbeing: filledText,
  riskOfSharing: filledText,
  riskOfNotSharing: filledText,
});
const outcomeArb = fc.record({
  outcome: fc.constantFrom(...outcomes),
  notShareReasonIds: fc.array(
    ids(
      pack.sharing.notShareReasons.map((reason) => reason.id),
      'just-because',
    ),
    { maxLength: 2 },
  ),
  reasons: someText,
});

/** Any draft at all: each section may be there or not. */
const answersArb = fc.record(
  {
    request: requestArb,
    people: peopleArb,
    recipients: recipientsArb,
    information: informationArb,
    lawfulBasis: lawfulBasisArb,
    openness: opennessArb,
    safety: safetyArb,
    outcome: outcomeArb,
  },
  { requiredKeys: [] },
);

const consentArb = (
  personIds: readonly string[],
  outcome: fc.Arbitrary<ConsentCheckOutcome> = fc.constantFrom(...consentOutcomes),
): fc.Arbitrary<PersonConsent[]> =>
  fc
    .tuple(...personIds.map(() => outcome))
    .map((found) => personIds.map((personId, index) => ({ personId, outcome: found[index] ?? 'none' })));

const adviceArb: fc.Arbitrary<AdviceFact[]> = fc.array(
  fc.record({
    adviser: fc.constantFrom(...approvers),
    status: fc.constantFrom('open' as const, 'answered' as const),
  }),
  { maxLength: 4 },
);
const approvalsArb: fc.Arbitrary<ApprovalFact[]> = fc.array(
  fc.record({
    kind: fc.constantFrom('public-interest' as const, 'bulk' as const),
    status: fc.constantFrom(
      'pending' as const,
      'approved' as const,
      'refused' as const,
      'withdrawn' as const,
    ),
  }),
  { maxLength: 4 },
);

/** Answers with the facts around them, where the consent register has answered for each person named. */
const decisionArb = answersArb.chain((answers) =>
  fc.record({
    answers: fc.constant(answers),
    consent: consentArb(answers.people?.personIds ?? [child]),
    advice: adviceArb,
    approvals: approvalsArb,
  }),
);

function factsOf(generated: {
  consent: PersonConsent[];
  advice: AdviceFact[];
  approvals: ApprovalFact[];
}): DecisionFacts {
  return facts({ consent: generated.consent, advice: generated.advice, approvals: generated.approvals });
}

const sharingOutcome = fc.constantFrom('share' as const, 'share-in-part' as const);
const runs = { numRuns: 500 };

describe('assessDecision, for any answers', () => {
  it('never records a share relying on consent that was withdrawn', () => {
    fc.assert(
      fc.property(decisionArb, lawfulBasisArb, sharingOutcome, fc.nat(), (generated, basis, outcome, at) => {
        const consent = generated.consent.map((person, index) =>
          index === at % generated.consent.length ? { ...person, outcome: 'withdrawn' as const } : person,
        );
        const answers: DecisionAnswers = {
          ...generated.answers,
          lawfulBasis: { ...basis, commonLaw: 'consent' },
          outcome: { outcome, notShareReasonIds: [], reasons: 'Needed.' },
        };
        const assessment = assessDecision(answers, factsOf({ ...generated, consent }));
        expect(assessment.canRecord).toBe(false);
        if (answers.lawfulBasis !== undefined)
          expect(assessment.problems.map((problem) => problem.code)).toContain('CONSENT_WITHDRAWN');
      }),
      runs,
    );
  });

  it('never records a share against a refusal or withdrawal without a public-interest justification', () => {
    fc.assert(
      fc.property(
        decisionArb,
        lawfulBasisArb,
        sharingOutcome,
        fc.constantFrom('refused' as const, 'withdrawn' as const),
        fc.nat(),
        (generated, basis, outcome, refusal, at) => {
          const consent = generated.consent.map((person, index) =>
            index === at % generated.consent.length ? { ...person, outcome: refusal } : person,
          );
          const withoutJustification = without(basis, 'justification');
          const answers: DecisionAnswers = {
            ...generated.answers,
            lawfulBasis: withoutJustification,
            outcome: { outcome, notShareReasonIds: [], reasons: 'Needed.' },
          };
          expect(assessDecision(answers, factsOf({ ...generated, consent })).canRecord).toBe(false);
          expect(
            assessDecision(
              { ...answers, lawfulBasis: { ...withoutJustification, justification: '' } },
              factsOf({ ...generated, consent }),
            ).canRecord,
          ).toBe(false);
        },
      ),
      runs,
    );
  });

  it('never records a bulk share without an approved bulk approval', () => {
    const bulkPeople = fc.oneof(
      fc.record({
        personIds: fc.uniqueArray(fc.uuid(), {
          minLength: pack.sharing.bulkThreshold + 1,
          maxLength: pack.sharing.bulkThreshold + 5,
        }),
        systemTransfer: fc.boolean(),
      }),
      fc.record({
        personIds: fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: pack.sharing.bulkThreshold }),
        systemTransfer: fc.constant(true),
      }),
    );
    const notApprovedLast = approvalsArb.filter(
      (approvals) => approvals.filter((approval) => approval.kind === 'bulk').at(-1)?.status !== 'approved',
    );
    fc.assert(
      fc.property(
        answersArb,
        bulkPeople,
        sharingOutcome,
        adviceArb,
        notApprovedLast,
        (answers, people, outcome, advice, approvals) => {
          const decision: DecisionAnswers = {
            ...answers,
            people,
            outcome: { outcome, notShareReasonIds: [], reasons: 'Needed.' },
          };
          const consent = people.personIds.map((personId) => ({ personId, outcome: 'covered' as const }));
          const assessment = assessDecision(decision, facts({ consent, advice, approvals }));
          expect(assessment.bulk).toBe(true);
          expect(assessment.canRecord).toBe(false);
          expect(
            assessment.approvals.some(
              (approval) => approval.kind === 'bulk' && approval.status !== 'approved',
            ),
          ).toBe(true);
        },
      ),
      runs,
    );
  });

  it('never records a share the practitioner is unsure of the law for, until each needed law adviser has answered (R2.3)', () => {
    const { lawAdvice } = pack.sharing;
    fc.assert(
      fc.property(
        decisionArb,
        lawfulBasisArb,
        sharingOutcome,
        fc.nat(),
        (generated, basis, outcome, pick) => {
          const health = (generated.answers.information?.shared ?? []).some((item) =>
            lawAdvice.healthCategories.includes(item.categoryId),
          );
          const needed = health ? lawAdvice.healthAdvisers : lawAdvice.advisers;
          // Every needed adviser has answered but one, whose requests are still open.
          const silent = needed[pick % needed.length];
          const advice: AdviceFact[] = [
            ...generated.advice.filter((item) => item.adviser !== silent),
            ...needed
              .filter((adviser) => adviser !== silent)
              .map((adviser) => ({ adviser, status: 'answered' as const })),
            ...(silent === undefined ? [] : [{ adviser: silent, status: 'open' as const }]),
          ];
          const answers: DecisionAnswers = {
            ...generated.answers,
            lawfulBasis: { ...basis, unsure: true },
            outcome: { outcome, notShareReasonIds: [], reasons: 'Needed.' },
          };
          const assessment = assessDecision(answers, factsOf({ ...generated, advice }));
          expect(assessment.lawAdviceOutstanding).toBe(true);
          expect(assessment.lawAdvisersOutstanding).toEqual([silent]);
          expect(assessment.canRecord).toBe(false);
          expect(assessment.problems.map((problem) => problem.code)).toContain('LAW_ADVICE');
        },
      ),
      runs,
    );
  });

  it('never records a decision not to share without the reasons from the list and the reasons in words', () => {
    fc.assert(
      fc.property(decisionArb, fc.boolean(), (generated, blankWords) => {
        const given = generated.answers.outcome;
        const noReasons = {
          outcome: 'not-share' as const,
          notShareReasonIds: blankWords ? (given?.notShareReasonIds ?? []) : [],
          reasons: blankWords ? ' ' : 'Not necessary.',
        };
        expect(
          assessDecision({ ...generated.answers, outcome: noReasons }, factsOf(generated)).canRecord,
        ).toBe(false);
      }),
      runs,
    );
  });

  it('never records a share without the seven principles confirmed', () => {
    fc.assert(
      fc.property(
        decisionArb,
        informationArb,
        sharingOutcome,
        fc.subarray([...principles]).filter((confirmed) => confirmed.length < principles.length),
        (generated, information, outcome, confirmed) => {
          const answers: DecisionAnswers = {
            ...generated.answers,
            information: { ...information, confirmed },
            outcome: { outcome, notShareReasonIds: [], reasons: 'Needed.' },
          };
          const assessment = assessDecision(answers, factsOf(generated));
          expect(assessment.canRecord).toBe(false);
          expect(assessment.problems.map((problem) => problem.code)).toContain('PRINCIPLES');
        },
      ),
      runs,
    );
  });

  it('records only when there are no problems, and never throws', () => {
    fc.assert(
      fc.property(decisionArb, (generated) => {
        const assessment = assessDecision(generated.answers, factsOf(generated));
        expect(assessment.canRecord).toBe(assessment.problems.length === 0);
        if (assessment.readyForApproval)
          expect(assessment.problems.every((problem) => problem.section === 'approval')).toBe(true);
      }),
      runs,
    );
  });
});

describe('assessDecision, rule by rule', () => {
  it('accepts a complete routine share with consent', () => {
    const assessment = assessDecision(routine(), facts());
    expect(assessment.problems).toEqual([]);
    expect(assessment).toMatchObject({
      canRecord: true,
      sharing: true,
      bulk: false,
      withoutConsent: false,
      override: false,
      internal: false,
      specialCategory: true,
      criminalOffence: false,
      approvals: [],
      readyForApproval: false,
    });
  });

  it('names each section still to complete (only those a decision not to share needs, for one)', () => {
    expect(codes({})).toEqual([
      'SECTION_MISSING',
      'SECTION_MISSING',
      'SECTION_MISSING',
      'SECTION_MISSING',
      'SECTION_MISSING',
      'SECTION_MISSING',
      'SECTION_MISSING',
      'SECTION_MISSING',
    ]);
    const notShare = routine({
      outcome: { outcome: 'not-share', notShareReasonIds: ['not-necessary'], reasons: 'Not needed.' },
    });
    expect(codes(without(notShare, 'recipients', 'information', 'lawfulBasis'))).toEqual([]);
    expect(assessDecision(without(routine(), 'safety'), facts()).problems).toEqual([
      { section: 'safety', code: 'SECTION_MISSING', message: 'Complete "Safety and risks"' },
    ]);
  });

  it('checks the request: purpose, requester, channel, organisation and date', () => {
    const request = routine().request;
    if (request === undefined) throw new Error('routine answers have a request');
    expect(codes(routine({ request: { ...request, purposeId: 'curiosity' } }))).toEqual(['PURPOSE_UNKNOWN']);
    expect(codes(routine({ request: { ...request, requesterName: '' } }))).toEqual(['REQUESTER_NAME']);
    expect(codes(routine({ request: { ...request, channelId: 'carrier-pigeon' } }))).toEqual(['CHANNEL']);
    expect(codes(routine({ request: without(request, 'requesterOrganisationId') }))).toEqual([
      'REQUESTER_ORGANISATION',
    ]);
    expect(codes(routine({ request: { ...request, receivedOn: '2026-12-01' } }))).toEqual([
      'RECEIVED_IN_FUTURE',
    ]);
    expect(
      codes(
        routine({
          request: {
            requesterKind: 'own-initiative',
            receivedOn: today,
            purposeId: 'education-support',
            details: 'Concerned.',
          },
        }),
      ),
    ).toEqual([]);
  });

  it('checks what is shared: something, known categories, sensitive reasons, no repeats, nothing both shared and withheld', () => {
    const information = routine().information;
    if (information === undefined) throw new Error('routine answers share information');
    expect(codes(routine({ information: { ...information, shared: [] } }))).toEqual(['NOTHING_SHARED']);
    expect(
      codes(
        routine({
          information: { ...information, shared: [{ categoryId: 'horoscope', relevance: 'None.' }] },
        }),
      ),
    ).toEqual(['CATEGORY_UNKNOWN']);
    expect(codes(routine({ information: { ...information, withheld: ['horoscope'] } }))).toEqual([
      'CATEGORY_UNKNOWN',
    ]);
    expect(
      codes(
        routine({
          information: {
            ...information,
            shared: [
              ...information.shared,
              { categoryId: 'domestic-abuse', relevance: 'Affects her attendance.' },
            ],
          },
        }),
      ),
    ).toEqual(['SENSITIVE_REASON']);
    expect(
      codes(
        routine({
          information: {
            ...information,
            shared: [
              ...information.shared,
              {
                categoryId: 'domestic-abuse',
                relevance: 'Affects her attendance.',
                sensitiveReason: 'The plan must reflect her trauma.',
              },
            ],
          },
        }),
      ),
    ).toEqual([]);
    expect(
      codes(
        routine({
          information: {
            ...information,
            shared: [...information.shared, { categoryId: 'education', relevance: 'Again.' }],
          },
        }),
      ),
    ).toEqual(['CATEGORY_TWICE']);
    expect(codes(routine({ information: { ...information, withheld: ['education'] } }))).toEqual([
      'SHARED_AND_WITHHELD',
    ]);
    expect(codes(routine({ information: { ...information, withheld: [] } }))).toEqual([
      'PART_WITHOUT_WITHHELD',
    ]);
    expect(codes(routine({ information: { ...information, thirdParties: 'shared' } }))).toEqual([
      'THIRD_PARTY_REASON',
    ]);
    expect(
      codes(
        routine({
          information: {
            ...information,
            thirdParties: 'shared',
            thirdPartyReason: 'Her brother is at the same school and the plan names him.',
          },
        }),
      ),
    ).toEqual([]);
    expect(
      assessDecision(
        routine({ information: { ...information, confirmed: ['necessary', 'proportionate'] } }),
        facts(),
      ).problems,
    ).toEqual([
      {
        section: 'information',
        code: 'PRINCIPLES',
        message: 'Confirm the information is relevant, adequate, accurate, timely, secure',
      },
    ]);
  });

  it('checks the lawful basis: Article 6, and Article 9, Schedule 1 and criminal offence conditions when needed', () => {
    const basis = routine().lawfulBasis;
    const information = routine().information;
    if (basis === undefined || information === undefined) throw new Error('routine answers have a basis');
    expect(codes(routine({ lawfulBasis: { ...basis, article6: 'whim' } }))).toEqual(['ARTICLE6']);
    const noConditions = without(basis, 'article9', 'schedule1');
    expect(codes(routine({ lawfulBasis: noConditions }))).toEqual(['ARTICLE9', 'SCHEDULE1']);
    expect(
      codes(
        routine({
          lawfulBasis: noConditions,
          information: { ...information, shared: [{ categoryId: 'education', relevance: 'Attainment.' }] },
        }),
      ),
    ).toEqual([]);
    const criminal = {
      ...information,
      shared: [
        ...information.shared,
        {
          categoryId: 'parent-criminal-record',
          relevance: 'Contact arrangements.',
          sensitiveReason: 'The plan covers who may collect her.',
        },
      ],
      withheld: ['police-intelligence'],
    };
    expect(codes(routine({ information: criminal }))).toEqual(['CRIMINAL_OFFENCE']);
    expect(
      codes(
        routine({
          information: criminal,
          lawfulBasis: { ...basis, criminalOffence: 'schedule1-safeguarding' },
        }),
      ),
    ).toEqual([]);
    expect(codes(routine({ lawfulBasis: without(basis, 'commonLaw') }))).toEqual(['COMMON_LAW']);
    expect(codes(routine({ lawfulBasis: { ...basis, commonLaw: 'legal-duty' } }))).toEqual([
      'CONFIDENCE_REASON',
      'STATUTE',
    ]);
    expect(
      codes(
        routine({
          lawfulBasis: {
            ...basis,
            commonLaw: 'legal-duty',
            confidenceReason: 'A court order requires it.',
            statute: 'Order of the Family Court at Swindon, 1 December 2026',
          },
        }),
      ),
    ).toEqual([]);
  });

  it('waits for the DPO and the Caldicott Guardian when health information is shared, and for the DPO otherwise (R2.3)', () => {
    const basis = routine().lawfulBasis;
    const information = routine().information;
    if (basis === undefined || information === undefined) throw new Error('routine answers have a basis');
    const unsure = routine({ lawfulBasis: { ...basis, unsure: true } });
    expect(codes(unsure)).toEqual(['LAW_ADVICE']);
    expect(assessDecision(unsure, facts())).toMatchObject({
      lawAdvisersNeeded: ['dpo', 'caldicott_guardian'],
      lawAdvisersOutstanding: ['dpo', 'caldicott_guardian'],
    });
    expect(
      codes(
        unsure,
        facts({
          advice: [
            { adviser: 'dpo', status: 'open' },
            { adviser: 'line-manager', status: 'answered' },
            { adviser: 'child_protection_adviser', status: 'answered' },
          ],
        }),
      ),
    ).toEqual(['LAW_ADVICE']);
    // Either one alone is not enough: the source policy asks the DPO and the Caldicott Guardian.
    for (const adviser of ['dpo', 'caldicott_guardian'] as const) {
      const one = assessDecision(unsure, facts({ advice: [{ adviser, status: 'answered' }] }));
      expect(one.problems.map((problem) => problem.code)).toEqual(['LAW_ADVICE']);
      expect(one.problems[0]?.message).toBe(
        `You are unsure which law applies: the decision cannot be recorded until the Data Protection Officer and the Caldicott Guardian have each given advice. Still waiting for: the ${adviser === 'dpo' ? 'Caldicott Guardian' : 'Data Protection Officer'}`,
      );
    }
    expect(
      codes(
        unsure,
        facts({
          advice: [
            { adviser: 'dpo', status: 'answered' },
            { adviser: 'caldicott_guardian', status: 'answered' },
          ],
        }),
      ),
    ).toEqual([]);
    // Without health information, the DPO's advice is what is needed.
    const educationOnly = {
      ...unsure,
      information: { ...information, shared: [{ categoryId: 'education', relevance: 'Attendance.' }] },
      lawfulBasis: { ...basis, unsure: true, article9: undefined, schedule1: undefined },
    };
    expect(assessDecision(educationOnly, facts()).lawAdvisersNeeded).toEqual(['dpo']);
    expect(
      codes(educationOnly, facts({ advice: [{ adviser: 'caldicott_guardian', status: 'answered' }] })),
    ).toEqual(['LAW_ADVICE']);
    expect(codes(educationOnly, facts({ advice: [{ adviser: 'dpo', status: 'answered' }] }))).toEqual([]);
    expect(
      codes({
        ...unsure,
        outcome: { outcome: 'not-share', notShareReasonIds: ['no-lawful-basis'], reasons: 'No basis.' },
      }),
    ).toEqual([]);
  });

  it('judges consent: withdrawn, not covering, implied, against a refusal, and the justification', () => {
    const basis = routine().lawfulBasis;
    if (basis === undefined) throw new Error('routine answers have a basis');
    const withdrawn = facts({ consent: [{ personId: child, outcome: 'withdrawn' }] });
    const refused = facts({ consent: [{ personId: child, outcome: 'refused' }] });
    const none = facts({ consent: [{ personId: child, outcome: 'none' }] });
    expect(codes(routine(), withdrawn)).toEqual(['CONSENT_WITHDRAWN']);
    expect(codes(routine(), refused)).toEqual(['CONSENT_NOT_COVERING']);
    expect(codes(routine(), none)).toEqual(['CONSENT_NOT_COVERING']);
    const implied = { ...basis, commonLaw: 'implied-consent' };
    expect(codes(routine({ lawfulBasis: implied }))).toEqual(['IMPLIED_EXTERNAL']);
    const internal = {
      recipients: [
        {
          name: 'Sam Green',
          role: 'Family support worker',
          organisationId: council,
          reason: 'Works with the family.',
        },
      ],
    };
    expect(codes(routine({ lawfulBasis: implied, recipients: internal }))).toEqual([]);
    expect(codes(routine({ lawfulBasis: implied, recipients: internal }), withdrawn)).toEqual([
      'IMPLIED_AGAINST_REFUSAL',
      'APPROVAL_NEEDED',
    ]);
    expect(
      codes(
        routine({
          lawfulBasis: { ...basis, commonLaw: 'not-confidential', justification: 'Already public.' },
        }),
        refused,
      ),
    ).toEqual(['AGAINST_REFUSAL', 'APPROVAL_NEEDED']);
    expect(
      codes(
        routine({
          lawfulBasis: { ...basis, commonLaw: 'public-interest', confidenceReason: 'Risk of harm.' },
        }),
        none,
      ),
    ).toEqual(['JUSTIFICATION', 'APPROVAL_NEEDED']);
  });

  it('needs approval for an override: the line manager, or the Caldicott Guardian for health data', () => {
    const basis = routine().lawfulBasis;
    const information = routine().information;
    if (basis === undefined || information === undefined) throw new Error('routine answers have a basis');
    const override = routine({
      lawfulBasis: {
        ...basis,
        commonLaw: 'public-interest',
        confidenceReason: 'Risk of harm.',
        justification: 'Bruising reported by the school.',
      },
    });
    const withdrawn = (approvals: ApprovalFact[] = []) =>
      facts({ consent: [{ personId: child, outcome: 'withdrawn' }], approvals });
    const needed = assessDecision(override, withdrawn());
    expect(needed).toMatchObject({
      override: true,
      withoutConsent: true,
      readyForApproval: true,
      canRecord: false,
      approvals: [{ kind: 'public-interest', approvers: ['caldicott_guardian'], status: 'not-requested' }],
    });
    expect(needed.problems.map((problem) => problem.code)).toEqual(['APPROVAL_NEEDED']);
    const educationOnly = {
      ...override,
      information: { ...information, shared: [{ categoryId: 'education', relevance: 'Attendance.' }] },
    };
    expect(assessDecision(educationOnly, withdrawn()).approvals).toEqual([
      { kind: 'public-interest', approvers: ['line-manager'], status: 'not-requested' },
    ]);
    expect(
      assessDecision(override, withdrawn([{ kind: 'public-interest', status: 'pending' }])),
    ).toMatchObject({ readyForApproval: false, canRecord: false });
    expect(codes(override, withdrawn([{ kind: 'public-interest', status: 'refused' }]))).toEqual([
      'APPROVAL_REFUSED',
    ]);
    expect(
      codes(
        override,
        withdrawn([
          { kind: 'public-interest', status: 'refused' },
          { kind: 'public-interest', status: 'approved' },
        ]),
      ),
    ).toEqual([]);
    expect(
      codes(
        override,
        withdrawn([
          { kind: 'public-interest', status: 'approved' },
          { kind: 'public-interest', status: 'withdrawn' },
        ]),
      ),
    ).toEqual(['APPROVAL_NEEDED']);
  });

  it('treats many people, or a transfer between systems, as bulk sharing that needs approval', () => {
    const many = Array.from(
      { length: pack.sharing.bulkThreshold + 1 },
      (_, index) => `6f1c2a43-8e1b-4c39-9f0e-${String(index).padStart(12, '0')}`,
    );
    const covered = facts({ consent: many.map((personId) => ({ personId, outcome: 'covered' as const })) });
    const bulk = routine({ people: { personIds: many, systemTransfer: false } });
    expect(assessDecision(bulk, covered)).toMatchObject({
      bulk: true,
      readyForApproval: true,
      approvals: [{ kind: 'bulk', approvers: ['ig_lead', 'caldicott_guardian'], status: 'not-requested' }],
    });
    expect(codes(bulk, facts({ ...covered, approvals: [{ kind: 'bulk', status: 'approved' }] }))).toEqual([]);
    expect(
      assessDecision(
        routine({ people: { personIds: many.slice(0, pack.sharing.bulkThreshold), systemTransfer: false } }),
        covered,
      ).bulk,
    ).toBe(false);
    expect(
      assessDecision(routine({ people: { personIds: [child], systemTransfer: true } }), facts()).bulk,
    ).toBe(true);
  });

  it('checks openness and the decision’s reasons', () => {
    expect(codes(routine({ openness: { told: true } }))).toEqual(['TOLD_DETAILS']);
    expect(codes(routine({ openness: { told: false } }))).toEqual(['NOT_TOLD_REASON']);
    expect(
      codes(
        routine({
          openness: { told: false, notToldReason: 'Telling the father would put the child at risk.' },
        }),
      ),
    ).toEqual([]);
    expect(
      codes(routine({ outcome: { outcome: 'share-in-part', notShareReasonIds: [], reasons: ' ' } })),
    ).toEqual(['REASONS']);
    expect(
      codes(routine({ outcome: { outcome: 'not-share', notShareReasonIds: [], reasons: 'No.' } })),
    ).toEqual(['NOT_SHARE_REASONS']);
    expect(
      codes(
        routine({
          outcome: {
            outcome: 'not-share',
            notShareReasonIds: ['confidentiality'],
            reasons: 'It is confidential.',
          },
        }),
      ),
    ).toEqual(['NOT_SHARE_REASON_UNKNOWN']);
    expect(
      codes(
        routine({
          outcome: {
            outcome: 'not-share',
            notShareReasonIds: ['more-harmful'],
            reasons: 'Sharing would alert the abuser.',
          },
        }),
        facts({ consent: [{ personId: child, outcome: 'withdrawn' }] }),
      ),
    ).toEqual([]);
  });
});

describe('the same process inside the organisation (R2.6)', () => {
  const colleague = {
    name: 'Sam Green',
    role: 'Family support worker',
    organisationId: council,
    reason: 'Works with the family.',
  };
  const internalRecipients = { recipients: [colleague] };

  it('judges a share with colleagues by every lawful-basis check, and gives the same answer as for another organisation', () => {
    fc.assert(
      fc.property(decisionArb, (generated) => {
        const recipients = generated.answers.recipients?.recipients ?? [colleague];
        const at = (organisationId: string): DecisionAnswers => ({
          ...generated.answers,
          recipients: { recipients: recipients.map((recipient) => ({ ...recipient, organisationId })) },
        });
        const sameExceptImplied = (answers: DecisionAnswers) =>
          codes(answers, factsOf(generated)).filter((code) => code !== 'IMPLIED_EXTERNAL');
        expect(sameExceptImplied(at(council))).toEqual(sameExceptImplied(at(school)));
      }),
      runs,
    );
  });

  it('still asks a share with colleagues for its lawful basis, each condition and consent', () => {
    const basis = routine().lawfulBasis;
    if (basis === undefined) throw new Error('routine answers have a basis');
    const internal = (lawfulBasis: DecisionAnswers['lawfulBasis'], given = facts()) =>
      codes(routine({ recipients: internalRecipients, lawfulBasis }), given);
    expect(codes(routine({ recipients: internalRecipients }))).toEqual([]);
    expect(codes(without(routine({ recipients: internalRecipients }), 'lawfulBasis'))).toEqual([
      'SECTION_MISSING',
    ]);
    expect(internal(without(basis, 'article6'))).toEqual(['ARTICLE6']);
    expect(internal(without(basis, 'article9'))).toEqual(['ARTICLE9']);
    expect(internal(without(basis, 'schedule1'))).toEqual(['SCHEDULE1']);
    expect(internal(without(basis, 'commonLaw'))).toEqual(['COMMON_LAW']);
    expect(internal(basis, facts({ consent: [{ personId: child, outcome: 'none' }] }))).toEqual([
      'CONSENT_NOT_COVERING',
    ]);
    expect(internal({ ...basis, commonLaw: 'public-interest' })).toEqual([
      'CONFIDENCE_REASON',
      'APPROVAL_NEEDED',
    ]);
    expect(
      internal(
        { ...basis, commonLaw: 'not-confidential' },
        facts({ consent: [{ personId: child, outcome: 'none' }] }),
      ),
    ).toEqual(['JUSTIFICATION']);
  });

  it('allows implied consent only when every recipient is in the organisation', () => {
    const basis = routine().lawfulBasis;
    if (basis === undefined) throw new Error('routine answers have a basis');
    const implied = { ...basis, commonLaw: 'implied-consent' };
    expect(codes(routine({ lawfulBasis: implied, recipients: internalRecipients }))).toEqual([]);
    const mixed = {
      recipients: [
        colleague,
        { name: 'Rebecca Sutton', role: 'SENCo', organisationId: school, reason: 'Plan review.' },
      ],
    };
    expect(codes(routine({ lawfulBasis: implied, recipients: mixed }))).toEqual(['IMPLIED_EXTERNAL']);
    expect(assessDecision(routine({ recipients: mixed }), facts()).internal).toBe(false);
    expect(assessDecision(routine({ recipients: internalRecipients }), facts()).internal).toBe(true);
  });
});

describe('what each common-law footing asks, and which waits for approval', () => {
  const basis = routine().lawfulBasis;
  if (basis === undefined) throw new Error('routine answers have a basis');
  const none = facts({ consent: [{ personId: child, outcome: 'none' }] });
  const refused = facts({ consent: [{ personId: child, outcome: 'refused' }] });
  const s16la = {
    ...basis,
    commonLaw: 'statutory-duty-s16la',
    confidenceReason: 'The school is a relevant partner and the duty applies.',
    statute: 'Children Act 2004, section 16LA',
  };

  it('records a share under the statutory duty (s16LA) with the provision named: no public-interest justification or approval', () => {
    const assessment = assessDecision(routine({ lawfulBasis: s16la }), none);
    expect(assessment.problems).toEqual([]);
    expect(assessment).toMatchObject({
      override: false,
      withoutConsent: true,
      approvals: [],
      canRecord: true,
    });
    // Against a refusal too: the law compels the share, so there is no public-interest judgement to approve.
    expect(codes(routine({ lawfulBasis: s16la }), refused)).toEqual([]);
    expect(codes(routine({ lawfulBasis: without(s16la, 'statute') }), none)).toEqual(['STATUTE']);
    expect(codes(routine({ lawfulBasis: { ...s16la, statute: '' } }), refused)).toEqual(['STATUTE']);
    expect(codes(routine({ lawfulBasis: without(s16la, 'confidenceReason') }), none)).toEqual([
      'CONFIDENCE_REASON',
    ]);
  });

  it('waits for approval of an overriding public interest, with the justification', () => {
    const publicInterest = {
      ...basis,
      commonLaw: 'public-interest',
      confidenceReason: 'Risk of significant harm.',
      justification: 'The school reports bruising.',
    };
    expect(assessDecision(routine({ lawfulBasis: publicInterest }), none)).toMatchObject({
      override: true,
      canRecord: false,
      approvals: [{ kind: 'public-interest', approvers: ['caldicott_guardian'], status: 'not-requested' }],
    });
    expect(codes(routine({ lawfulBasis: without(publicInterest, 'justification') }), none)).toEqual([
      'JUSTIFICATION',
      'APPROVAL_NEEDED',
    ]);
  });

  it('follows the pack for every footing: each question it asks is required, and approval only where it says', () => {
    const answersFor = { confidenceReason: 'Reasons.', justification: 'Facts.', statute: 'A statute.' };
    for (const option of pack.sharing.lawfulBases.commonLaw) {
      if (option.reliesOnConsent) continue;
      const internal =
        option.id === 'implied-consent'
          ? {
              recipients: {
                recipients: [
                  {
                    name: 'Sam Green',
                    role: 'Family support worker',
                    organisationId: council,
                    reason: 'Works with the family.',
                  },
                ],
              },
            }
          : {};
      const complete = routine({
        ...internal,
        lawfulBasis: { ...basis, commonLaw: option.id, ...answersFor },
      });
      const assessment = assessDecision(complete, none);
      expect(assessment.override, option.id).toBe(option.needsApproval);
      expect(
        assessment.problems.map((problem) => problem.code),
        option.id,
      ).toEqual(option.needsApproval ? ['APPROVAL_NEEDED'] : []);
      const codeOf = {
        confidenceReason: 'CONFIDENCE_REASON',
        justification: 'JUSTIFICATION',
        statute: 'STATUTE',
      };
      for (const question of option.asks) {
        const missing = routine({
          ...internal,
          lawfulBasis: { ...basis, commonLaw: option.id, ...answersFor, [question]: '' },
        });
        expect(codes(missing, none), `${option.id} ${question}`).toContain(codeOf[question]);
      }
    }
    expect(
      pack.sharing.lawfulBases.commonLaw.filter((option) => option.needsApproval).map((option) => option.id),
    ).toEqual(['public-interest']);
  });
});
