import { expect } from 'vitest';
import { errorSummary, expectClean, type TestBrowser } from './browser.ts';
// The one check every page test uses, here for the consent tests' imports.
export { expectClean };
import { consentRegisterWorld, type ConsentRegisterWorld } from './consent-register.ts';
import type { TestContext } from './harness.ts';

/** The consent pages' test world: the register's world, with room for many sign-ins from one address. */
export type ConsentPagesWorld = ConsentRegisterWorld;

export function consentPagesWorld(): Promise<ConsentPagesWorld> {
  return consentRegisterWorld({ SIGN_IN_ADDRESS_LIMIT: '1000' });
}

export type Form = Record<string, string | readonly string[]>;

/** A complete, valid consent form for the child, as the browser sends it. */
export function validConsent(pages: ConsentPagesWorld, overrides: Form = {}): Form {
  const { motherId, schoolId } = pages;
  return {
    decision: 'given',
    'givenOn-day': '20',
    'givenOn-month': '11',
    'givenOn-year': '2026',
    consentGivenBy: ['child', 'parent_carer'],
    parentCarerId: motherId,
    childCapacity: 'competent',
    capacityNotAssessedReason: '',
    childView: 'Amelia wants her teacher to know so that she can get help with reading.',
    prevailingView: 'child',
    notSoughtReason: '',
    notSoughtDetail: '',
    purposeIds: ['early-help', 'education-support'],
    useDescription: 'To plan early help with her school.',
    recipientOrganisationIds: [schoolId],
    recipientRoles: 'School nurse',
    methodIds: ['secure-exchange'],
    categoryIds: ['education', 'family-circumstances'],
    retentionPeriod: 'Until Amelia is 25',
    retentionFormIds: ['electronic'],
    toldSharedWithoutConsent: 'yes',
    toldMayWithdraw: 'yes',
    howGiven: 'written',
    evidenceNote: 'Signed form on the case file.',
    'reviewOn-day': '',
    'reviewOn-month': '',
    'reviewOn-year': '',
    'expiresOn-day': '',
    'expiresOn-month': '',
    'expiresOn-year': '',
    supersedesId: '',
    ...overrides,
  };
}

export const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Records consent through the pages: the form, check your answers, save. Returns the new record's id. */
export async function recordThroughPages(
  browser: TestBrowser,
  personId: string,
  form: Form,
): Promise<string> {
  await browser.get(`/people/${personId}/consents/new`);
  const posted = await browser.post(`/people/${personId}/consents/new`, form);
  expect(posted.statusCode, errorSummary(posted.body).join('; ')).toBe(303);
  expect(posted.headers['location']).toBe(`/people/${personId}/consents/new/check`);
  const check = await browser.get(`/people/${personId}/consents/new/check`);
  expect(check.statusCode).toBe(200);
  const saved = await browser.post(`/people/${personId}/consents/new/check`);
  expect(saved.statusCode).toBe(303);
  const id = new RegExp(`^/consents/(${uuidPattern})\\?done=(recorded|superseded)$`).exec(
    String(saved.headers['location']),
  )?.[1];
  if (id === undefined) throw new Error(`unexpected redirect ${String(saved.headers['location'])}`);
  return id;
}

/** How many consents, events, drafts and audited changes there are: bad input changes none of them. */
export async function counts(context: TestContext) {
  const count = async (table: 'consents' | 'consent_events' | 'consent_drafts') =>
    Number(
      (
        await context.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    );
  const changes = await context.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', 'in', [
      'consent.recorded',
      'consent.withdrawn',
      'consent.reviewed',
      'consent.superseded',
    ])
    .executeTakeFirstOrThrow();
  return {
    consents: await count('consents'),
    events: await count('consent_events'),
    drafts: await count('consent_drafts'),
    changes: Number(changes.count),
  };
}

/** How many times a person's consent has been shown (each showing is audited). */
export async function viewsOf(context: TestContext, personId: string): Promise<number> {
  const row = await context.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', '=', 'consent.viewed')
    .where('person_id', '=', personId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
