import type { NewAgreement } from '../../src/agreements/agreements.service.ts';

/**
 * An information sharing agreement between the council and a school for EHC plan reviews: education
 * and health information, by the secure exchange, in force from a year ago for three years.
 */
export function ehcAgreement(
  schoolId: string,
  today: string,
  overrides: Partial<NewAgreement> = {},
): NewAgreement {
  const year = Number(today.slice(0, 4));
  return {
    title: 'Education, health and care plans: the council and its schools',
    partnerOrganisationIds: [schoolId],
    purposeIds: ['education-support'],
    categories: [
      {
        categoryId: 'education',
        relevance: 'Attainment and the support in place, for the plan and its reviews.',
      },
      {
        categoryId: 'health',
        relevance: 'Health needs named in the plan, such as speech and language needs.',
      },
    ],
    methods: ['secure-exchange'],
    ownBasis: {
      article6: 'public-task',
      article9: 'health-social-care',
      schedule1: 'health-social-care-purposes',
    },
    partnerBasis: 'The school: Article 6(1)(e); Article 9(2)(h); Children and Families Act 2014 part 3.',
    retention: 'Until the child leaves the school, then transferred with the school record.',
    riskOfSharing: 'Low: the school already holds the plan; only what the plan review needs is shared.',
    riskOfNotSharing:
      'The review would go ahead without the child’s current needs, and support could be cut.',
    startsOn: `${String(year - 1)}${today.slice(4)}`,
    reviewOn: `${String(year + 1)}${today.slice(4)}`,
    endsOn: `${String(year + 2)}${today.slice(4)}`,
    ...overrides,
  };
}
