import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { londonToday } from '../../src/lib/time.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { SecretBox } from '../../src/lib/secret-box.ts';
import { services as buildServices } from '../../src/services.ts';
import { ehcAgreement } from '../support/agreement-fixtures.ts';
import { errorSummary } from '../support/browser.ts';
import { givenConsentAnswers, viewerOf } from '../support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn } from '../support/factories.ts';
import { freshDatabase, type TestContext } from '../support/harness.ts';

/**
 * Safeshare's structured log never carries personal data (DESIGN.md; the estate issue): a journey
 * through the pages at the most talkative level (registering a child with her NHS number and date of
 * birth, finding her by name, recording consent, a routine share with the recipient's name and
 * address, a refused form, an incident) is logged, and nothing of the child, her family or what was
 * typed about them appears in it.
 */

const lines: string[] = [];
let context: TestContext;
let app: FastifyInstance;

beforeAll(async () => {
  const database = await freshDatabase();
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'trace' }), secretKey: randomBytes(32) };
  const clock = new ManualClock();
  clock.set('2026-12-01T10:00:00Z');
  const secretBox = new SecretBox(randomBytes(32));
  const dependencies = { db: database.db, clock, secretBox, config };
  const services = buildServices(dependencies);
  app = await buildApp({ ...dependencies, services, logStream: { write: (line) => lines.push(line) } });
  await app.ready();
  context = { ...database, app, services, clock, config, secretBox };
}, 60_000);

afterAll(async () => {
  await app.close();
});

describe('the log of a journey', () => {
  it('holds no name, date of birth, NHS number, address or anything typed about a person', async () => {
    const councilId = await createOrganisation(context);
    const schoolId = await createOrganisation(context, { name: 'Oakfield Primary School', hosted: false });
    const practitioner = await createStaff(context, { organisationId: councilId, roles: ['practitioner'] });
    const lead = await createStaff(context, { organisationId: councilId, roles: ['ig_lead'] });
    await context.services.agreements.create(
      viewerOf(lead, ['ig_lead']),
      ehcAgreement(schoolId, londonToday(context.clock.now())),
    );
    const browser = await signIn(context, practitioner);

    const registered = await browser.post('/people/new', {
      givenNames: 'Zephyrine',
      familyName: 'Quillfeather',
      knownAs: 'Zeph',
      'dateOfBirth-day': '14',
      'dateOfBirth-month': '9',
      'dateOfBirth-year': '2017',
      nhsNumber: '999 000 0026',
      localReference: 'SBC-771234',
      upn: 'b801200005001',
      externalId: 'MOSAIC-99123',
      addressLine1: '12 Drove Road',
      addressLine2: '',
      town: 'Swindon',
      postcode: 'sn1 3ab',
    });
    expect(registered.statusCode, errorSummary(registered.body).join('; ')).toBe(303);
    const childId = /\/people\/([0-9a-f-]{36})/.exec(registered.headers['location'] ?? '')?.[1] ?? '';
    expect((await browser.post('/people/search', { query: 'Quillfeather' })).body).toContain(childId);
    expect((await browser.get(`/people/${childId}`)).statusCode).toBe(200);
    await context.services.consent.record(
      { ...viewerOf(practitioner, ['practitioner']) },
      childId,
      givenConsentAnswers({
        purposeIds: ['education-support'],
        recipientOrganisationIds: [schoolId],
        recipientRoles: [],
        categoryIds: ['education', 'health'],
        methodIds: ['secure-exchange'],
        childView: 'Zephyrine wants her teacher Ms Marchbanks to know about her hearing.',
      }),
    );
    const page = await browser.get(`/people/${childId}/share-under-agreement`);
    const option = /name="option" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const refused = await browser.post(`/people/${childId}/share-under-agreement`, {
      option,
      recipientName: 'Rosalind Marchbanks',
      recipientRole: 'SENCo',
      recipientEmail: 'not an address',
      channelId: 'email',
      asked: 'Zephyrine’s audiology report for her EHC plan review.',
      categoryIds: ['education', 'health'],
      method: 'secure-exchange',
      thirdParties: 'no',
      riskChanged: 'no',
    });
    expect(refused.statusCode).toBe(400);
    const shared = await browser.post(`/people/${childId}/share-under-agreement`, {
      option,
      recipientName: 'Rosalind Marchbanks',
      recipientRole: 'SENCo',
      recipientEmail: 'r.marchbanks@oakfield.sch.uk',
      channelId: 'email',
      asked: 'Zephyrine’s audiology report for her EHC plan review.',
      categoryIds: ['education', 'health'],
      method: 'secure-exchange',
      thirdParties: 'no',
      riskChanged: 'no',
    });
    expect(shared.statusCode, errorSummary(shared.body).join('; ')).toBe(303);
    const incident = await browser.post('/incidents/new', {
      kind: 'wrong-recipient',
      whatHappened: 'Zephyrine Quillfeather’s report went to the wrong school.',
      'happenedOn-day': '30',
      'happenedOn-month': '11',
      'happenedOn-year': '2026',
      'awareOn-day': '1',
      'awareOn-month': '12',
      'awareOn-year': '2026',
      awareTime: '09:00',
      information: 'Her audiology report, born 14 September 2017.',
      peopleAffected: '1',
      peopleEstimated: [],
      actionsTaken: 'Rang Ms Marchbanks.',
    });
    expect(incident.statusCode, errorSummary(incident.body).join('; ')).toBe(303);

    const log = lines.join('');
    // The journey was logged: requests, at the most talkative level.
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('"url":"/people/new"');
    for (const personal of [
      'Zephyrine',
      'Quillfeather',
      'Zeph"',
      '2017-09-14',
      '14 September 2017',
      '9990000026',
      '999 000 0026',
      'SBC-771234',
      'b801200005001',
      'MOSAIC-99123',
      'Drove Road',
      'SN1 3AB',
      'Marchbanks',
      'r.marchbanks@oakfield.sch.uk',
      'audiology',
      practitioner.email,
    ])
      expect(log, personal).not.toContain(personal);
  });
});
