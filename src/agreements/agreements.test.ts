import { beforeAll, describe, expect, it } from 'vitest';
import { ehcAgreement } from '../../test/support/agreement-fixtures.ts';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import { viewerOf } from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { samplePdf } from '../../test/support/sample-files.ts';
import type { Viewer } from '../auth/index.ts';

/**
 * The register of sharing agreements and DPIAs (the ICO data sharing code): the information
 * governance lead records an agreement checked against the policy pack; its state follows its dates
 * (review overdue is flagged but still covers; ended covers nothing); `covering` finds only the
 * organisation's agreements in force for a partner and purpose; the signed copy is sealed and its
 * downloads audited; everyone reads the register, only its keepers change it.
 */

let context: TestContext;
let councilId: string;
let schoolId: string;
let otherSchoolId: string;
let igLead: TestStaff;
let practitioner: TestStaff;
let asLead: Viewer;
// One sign-in each: a one-time code is never accepted twice.
let lead: TestBrowser;
let reader: TestBrowser;

const today = '2026-12-01';

async function eventsOf(id: string): Promise<string[]> {
  const rows = await context.db
    .selectFrom('audit_events')
    .select('action')
    .where('entity_id', '=', id)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  context.clock.set(`${today}T10:00:00Z`);
  councilId = await createOrganisation(context);
  schoolId = await createOrganisation(context, { name: 'Oakfield Primary School', hosted: false });
  otherSchoolId = await createOrganisation(context, { name: 'Hillside Academy', hosted: false });
  igLead = await createStaff(context, { organisationId: councilId, roles: ['ig_lead'] });
  practitioner = await createStaff(context, { organisationId: councilId, roles: ['practitioner'] });
  asLead = viewerOf(igLead, ['ig_lead']);
  lead = await signIn(context, igLead);
  reader = await signIn(context, practitioner);
}, 60_000);

describe('recording an agreement', () => {
  it('names every fault of an agreement and records nothing', async () => {
    const { agreements } = context.services;
    const cases: [Parameters<typeof ehcAgreement>[2], string[]][] = [
      [{ title: ' ' }, ['Enter the agreement’s title']],
      [{ partnerOrganisationIds: [] }, ['Select the partner organisations']],
      [
        { partnerOrganisationIds: [councilId] },
        ['Select partners from the directory, other than your own organisation'],
      ],
      [{ purposeIds: ['gossip'] }, ['Select purposes from the list']],
      [{ methods: ['carrier-pigeon'] }, ['Select how the information may be sent']],
      [
        { ownBasis: { article6: 'public-task' } },
        [
          'Select the Article 9 condition: special category information may be shared',
          'Select the Data Protection Act 2018 Schedule 1 condition',
        ],
      ],
      [
        {
          ownBasis: {
            article6: 'whim',
            article9: 'health-social-care',
            schedule1: 'health-social-care-purposes',
          },
        },
        ['Select your organisation’s Article 6 basis'],
      ],
      [
        { categories: [{ categoryId: 'education', relevance: '' }] },
        ['Say how “Education” is relevant to the purposes'],
      ],
      [
        {
          categories: [
            { categoryId: 'education', relevance: 'For the review.' },
            { categoryId: 'domestic-abuse', relevance: 'Context.' },
          ],
        },
        [
          // Domestic abuse is sensitive for education support: the pack asks why it is needed.
          'Say why “Domestic abuse” is needed: it is sensitive for these purposes',
        ],
      ],
      [{ reviewOn: '2026-01-01', startsOn: '2026-06-01' }, ['The review date must be on or after the start']],
      [
        { endsOn: '2027-01-01', reviewOn: '2027-06-01' },
        ['The end date must be on or after the review date'],
      ],
    ];
    const before = (await agreements.list(asLead)).length;
    for (const [overrides, messages] of cases) {
      const refused = await agreements
        .create(asLead, ehcAgreement(schoolId, today, overrides))
        .catch((error: unknown) => error as { problems: { message: string }[] });
      expect(
        (refused as { problems: { message: string }[] }).problems.map((problem) => problem.message),
      ).toEqual(messages);
    }
    expect(await agreements.list(asLead)).toHaveLength(before);
  });

  it('records one through its page for the IG lead, refuses a practitioner, and audits it', async () => {
    expect((await lead.get('/agreements/new')).statusCode).toBe(200);
    const blank = await lead.post('/agreements/new', {});
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Enter the agreement’s title',
      'Select the partner organisations',
      'Select the purposes the agreement covers',
      'Select the information that may be shared',
      'Select how the information may be sent',
      'Select your organisation’s Article 6 basis',
      'Enter each partner’s lawful basis, as the agreement states it',
      'Say how long the recipients keep it',
      'Describe the risk of sharing that the agreement assessed',
      'Describe the risk of not sharing that the agreement assessed',
      'Enter when it starts',
      'Enter when it must be reviewed',
      'Enter when it ends',
    ]);
    const recorded = await lead.post('/agreements/new', {
      title: 'Early help: the council and Hillside Academy',
      partnerOrganisationIds: [otherSchoolId],
      purposeIds: ['early-help'],
      categoryIds: ['education'],
      'relevance-education': 'Attendance and attainment, for the early help assessment.',
      methods: ['secure-exchange', 'post'],
      article6: 'public-task',
      partnerBasis: 'The academy: Article 6(1)(e).',
      retention: 'Two years after the early help plan closes.',
      riskOfSharing: 'Low.',
      riskOfNotSharing: 'Needs are missed.',
      'startsOn-day': '1',
      'startsOn-month': '9',
      'startsOn-year': '2026',
      'reviewOn-day': '1',
      'reviewOn-month': '9',
      'reviewOn-year': '2027',
      'endsOn-day': '31',
      'endsOn-month': '8',
      'endsOn-year': '2028',
    });
    expect(recorded.statusCode, errorSummary(recorded.body).join('; ')).toBe(303);
    const path = (recorded.headers['location'] ?? '').split('?')[0] ?? '';
    const page = await lead.get(path);
    expect(page.body).toMatch(/Sharing agreement ISA-\d{7}/);
    expect(page.body).toContain('In force');
    expect(await eventsOf(path.split('/').at(-1) ?? '')).toEqual(['agreement.recorded']);

    expect((await reader.get(path)).statusCode).toBe(200);
    expect((await reader.get('/agreements')).body).toContain('Early help: the council and Hillside Academy');
    expect((await reader.get('/agreements/new')).statusCode).toBe(403);
    expect((await reader.post('/agreements/new', {})).statusCode).toBe(403);

    const elsewhere = await createOrganisation(context);
    const stranger = await signIn(
      context,
      await createStaff(context, { organisationId: elsewhere, roles: ['ig_lead'] }),
    );
    expect((await stranger.get(path)).statusCode).toBe(404);
  });
});

describe('what an agreement covers', () => {
  it('follows its dates: not started, in force, review overdue (still covering), ended (covering nothing)', async () => {
    const { agreements } = context.services;
    const id = await agreements.create(
      asLead,
      ehcAgreement(schoolId, today, { startsOn: '2026-12-10', reviewOn: '2027-01-31', endsOn: '2027-03-31' }),
    );
    const covering = () =>
      agreements
        .covering(councilId, { recipientOrganisationId: schoolId, purposeId: 'education-support' })
        .then((list) => list.map((agreement) => agreement.id));
    const stateOn = async (day: string) => {
      context.clock.set(`${day}T10:00:00Z`);
      return (await agreements.find(asLead, id)).state;
    };
    expect(await stateOn('2026-12-09')).toBe('not-started');
    expect(await covering()).not.toContain(id);
    expect(await stateOn('2026-12-10')).toBe('in-force');
    expect(await covering()).toContain(id);
    expect(await stateOn('2027-02-01')).toBe('review-overdue');
    expect(await covering()).toContain(id);
    // Another partner, another purpose, another organisation: not covered.
    expect(
      (
        await agreements.covering(councilId, {
          recipientOrganisationId: otherSchoolId,
          purposeId: 'education-support',
        })
      ).map((agreement) => agreement.id),
    ).not.toContain(id);
    expect(
      (
        await agreements.covering(councilId, {
          recipientOrganisationId: schoolId,
          purposeId: 'youth-justice',
        })
      ).map((agreement) => agreement.id),
    ).not.toContain(id);
    expect(
      await agreements.covering(otherSchoolId, {
        recipientOrganisationId: schoolId,
        purposeId: 'education-support',
      }),
    ).toEqual([]);
    expect(await stateOn('2027-04-01')).toBe('expired');
    expect(await covering()).not.toContain(id);
    context.clock.set(`${today}T10:00:00Z`);
  });

  it('ends early with a reason, from today covering nothing, and only once', async () => {
    const { agreements } = context.services;
    const id = await agreements.create(asLead, ehcAgreement(schoolId, today));
    const noReason = await lead.post(`/agreements/${id}/end`, { reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(errorSummary(noReason.body)).toEqual(['Say why the agreement is ending']);
    expect((await lead.post(`/agreements/${id}/end`, { reason: 'The school closed.' })).statusCode).toBe(303);
    expect((await agreements.find(asLead, id)).state).toBe('expired');
    expect(
      (
        await agreements.covering(councilId, {
          recipientOrganisationId: schoolId,
          purposeId: 'education-support',
        })
      ).map((agreement) => agreement.id),
    ).not.toContain(id);
    expect(errorSummary((await lead.post(`/agreements/${id}/end`, { reason: 'Again.' })).body)).toEqual([
      'This agreement has already ended',
    ]);
    expect(await eventsOf(id)).toEqual(['agreement.recorded', 'agreement.ended']);
  });
});

describe('the signed copy and DPIAs', () => {
  it('stores the signed copy sealed, refuses what is not a PDF or image, and audits each download', async () => {
    const { agreements } = context.services;
    const id = await agreements.create(asLead, ehcAgreement(schoolId, today));
    const pdf = await samplePdf({ text: 'Signed by both parties.' });
    const refused = await lead.postMultipart(`/agreements/${id}/signed-copy`, {}, [
      {
        field: 'signedCopy',
        name: 'agreement.exe',
        type: 'application/pdf',
        bytes: Buffer.from('MZ not a pdf'),
      },
    ]);
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual(['The selected file must be a PDF, PNG or JPEG']);
    const stored = await lead.postMultipart(`/agreements/${id}/signed-copy`, {}, [
      { field: 'signedCopy', name: 'agreement.pdf', type: 'application/pdf', bytes: pdf },
    ]);
    expect(stored.statusCode, errorSummary(stored.body).join('; ')).toBe(303);
    const row = await context.db
      .selectFrom('sharing_agreement_documents')
      .select('ciphertext')
      .where('agreement_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.ciphertext.includes(Buffer.from('%PDF'))).toBe(false);
    const download = await reader.get(`/agreements/${id}/signed-copy`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(await eventsOf(id)).toEqual([
      'agreement.recorded',
      'agreement.signed_copy_uploaded',
      'agreement.signed_copy_downloaded',
    ]);
  });

  it('records a DPIA, refusing a high-risk one without a screening that found one needed or without the ICO question', async () => {
    const form = {
      title: 'Routine sharing with schools',
      screening: 'not-needed',
      screeningReason: 'Covered by the agreement’s assessment.',
      highRisk: 'yes',
      'reviewOn-day': '1',
      'reviewOn-month': '12',
      'reviewOn-year': '2027',
    };
    const refused = await lead.post('/dpias/new', form);
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'A high-risk processing needs a DPIA: choose that one is needed',
      'Say whether the ICO was consulted (UK GDPR Article 36)',
    ]);
    const recorded = await lead.post('/dpias/new', { ...form, screening: 'needed', icoConsulted: 'no' });
    expect(recorded.statusCode, errorSummary(recorded.body).join('; ')).toBe(303);
    const register = await lead.get('/agreements');
    expect(register.body).toMatch(/DPIA-\d{7}: Routine sharing with schools/);
    context.clock.set('2028-01-01T10:00:00Z');
    // A new day, a new sign-in: the session of 2026 has long ended.
    expect((await (await signIn(context, practitioner)).get('/agreements')).body).toContain('Review overdue');
    context.clock.set(`${today}T10:00:00Z`);
  });
});
