import type { DecisionAnswers } from '../../src/sharing/index.ts';

/** Every section present. */
export type CompleteAnswers = { [Section in keyof DecisionAnswers]-?: NonNullable<DecisionAnswers[Section]> };

/**
 * A complete routine share: a school asks about a child with an EHC plan; education and health are
 * shared, the parent's criminal record withheld. Tests override the sections they are about.
 */
export function routineShareAnswers(options: {
  personIds: readonly string[];
  schoolId: string;
  overrides?: Partial<DecisionAnswers>;
}): CompleteAnswers {
  const answers: CompleteAnswers = {
    request: {
      requesterKind: 'agency',
      requesterName: 'Rebecca Sutton',
      requesterRole: 'Special educational needs coordinator',
      requesterOrganisationId: options.schoolId,
      channelId: 'telephone',
      receivedOn: '2026-11-27',
      purposeId: 'education-support',
      details:
        'The school is reviewing the EHC plan and asks for the latest health and education information.',
    },
    people: { personIds: [...options.personIds], systemTransfer: false },
    recipients: {
      recipients: [
        {
          name: 'Rebecca Sutton',
          role: 'Special educational needs coordinator',
          organisationId: options.schoolId,
          reason:
            'She coordinates the annual review of the EHC plan and needs the current needs and provision.',
        },
      ],
    },
    information: {
      shared: [
        {
          categoryId: 'education',
          relevance: 'Current attainment and support in place, for the plan review.',
        },
        { categoryId: 'health', relevance: 'Speech and language needs named in section C of the plan.' },
      ],
      withheld: ['parent-criminal-record'],
      thirdParties: 'none',
      confirmed: ['necessary', 'proportionate', 'relevant', 'adequate', 'accurate', 'timely', 'secure'],
    },
    lawfulBasis: {
      unsure: false,
      article6: 'public-task',
      article9: 'health-social-care',
      schedule1: 'health-social-care-purposes',
      commonLaw: 'consent',
    },
    openness: {
      told: true,
      toldDetails:
        'Mum was told on 26 November that the plan review needs the latest health and education reports, sent to the SENCo.',
    },
    safety: {
      wellbeing: 'Sharing helps the school meet her speech and language needs; no risk to others identified.',
      riskOfSharing: "Low: the school already holds the plan; the parent's history is withheld.",
      riskOfNotSharing: 'The review would go ahead without current needs, and support could be cut.',
    },
    outcome: {
      outcome: 'share-in-part',
      notShareReasonIds: [],
      reasons:
        "Education and health information is needed for the review; the parent's criminal record is not relevant.",
    },
  };
  // An override replaces a whole section; none of the tests passes one as undefined.
  return { ...answers, ...options.overrides } as CompleteAnswers;
}
