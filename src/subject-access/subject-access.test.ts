import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import {
  asPractitioner,
  childId,
  context,
  councilId,
  dpo,
  elsewhere,
  practitioner,
  setUpDisclosureWorld,
  shareToPolice,
} from '../../test/support/disclosure-world.ts';
import { createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import { reportPdfText } from '../../test/support/subject-access-pdf.ts';
import { reportCsv } from './subject-access.csv.ts';
import type { SubjectAccessReport } from './subject-access.report.ts';

/**
 * The subject access register and its report (UK GDPR Art 15): third parties withheld as the
 * decision recorded them never reach the PDF or the CSV; the CSV is safe to open in a spreadsheet;
 * only the DPO and IG lead of the person's organisation may keep requests and produce the report;
 * producing it is audited against the person.
 */

const thirdParty = 'Qorvathy';
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let dpoBrowser: TestBrowser;
let igLead: TestStaff;
let withheldDecision: string;
let requestId: string;

/** A call from the police, called back through the switchboard, disclosing what `description` says. */
function telephoneDisclosure(description: string) {
  return {
    recipientIndex: 0,
    method: 'telephone' as const,
    categoryIds: ['education'],
    description,
    checklist: {
      callDirection: 'incoming',
      callerName: 'Sarah Price',
      callerOrganisation: 'Wiltshire Police',
      callerDetails: 'Detective constable, child abuse investigation team, collar number 4471',
      callerVerified: true,
      callerKnown: false,
      callerFromAnotherOrganisation: true,
      callBackMade: true,
      callBackNumber: '01632 960 999',
      returnNumber: '01632 960 123',
      onlyToPersonWhoAsked: true,
      contactConfidential: false,
      messageLeft: 'none',
      notOverheard: true,
      disclosed: description,
    },
  };
}

async function produce(browser: TestBrowser, id: string, format: 'pdf' | 'csv') {
  await browser.get(`/subject-access/${id}`);
  return browser.post(`/subject-access/${id}/report`, { format });
}

beforeAll(async () => {
  await setUpDisclosureWorld();
  igLead = await createStaff(context, {
    organisationId: councilId,
    roles: ['ig_lead'],
    displayName: 'Ivy Gold',
  });
  const stepfather = (await context.services.people.relatives(asPractitioner, childId)).find(
    (relative) => relative.person.familyName === thirdParty,
  );
  if (stepfather === undefined) throw new Error('the world has no stepfather');
  // A decision about Amelia and her stepfather, on a legal duty, that says what identifies him is withheld.
  const police = await context.services.sharing.open(asPractitioner, shareToPolice);
  const base = routineShareAnswers({ personIds: [childId, stepfather.person.id], schoolId: councilId });
  withheldDecision = (
    await context.services.sharing.recordComplete(asPractitioner, {
      ...base,
      recipients: police.answers.recipients ?? base.recipients,
      information: {
        ...base.information,
        description: `Attendance, and the visits of her stepfather Zoltar ${thirdParty} to the school.`,
        thirdParties: 'withheld',
      },
      lawfulBasis: {
        ...base.lawfulBasis,
        article6: 'legal-obligation',
        commonLaw: 'legal-duty',
        confidenceReason: 'A production order from the family court requires the disclosure.',
        statute: 'Production order under the Family Procedure Rules 2010, rule 12.73',
      },
    })
  ).id;
  await context.services.sharing.open(asPractitioner, withheldDecision);
  await context.services.disclosures.record(
    asPractitioner,
    withheldDecision,
    telephoneDisclosure(`Told the officer that Mr ${thirdParty} collects her on Fridays.`),
  );
  // Descriptions a spreadsheet would run as formulas, under a decision that recorded no third party.
  for (const description of [
    '=HYPERLINK("http://evil.example","Click")',
    '+44 1632 960999 rang back',
    '@SUM(1)',
  ])
    await context.services.disclosures.record(
      asPractitioner,
      shareToPolice,
      telephoneDisclosure(description),
    );
  // The practitioner opens the record: a read the report lists.
  await context.services.people.open(asPractitioner, childId, 'record');
  dpoBrowser = await signIn(context, dpo);
}, 120_000);

describe('the register of requests', () => {
  it('records a request from a parent, with the deadline one calendar month from receipt', async () => {
    const form = await dpoBrowser.get(`/subject-access/new?personId=${childId}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Amelia Hughes');
    const recorded = await dpoBrowser.post('/subject-access/new', {
      personId: childId,
      requesterKind: 'parental-responsibility',
      requesterName: 'Sophie Hughes',
      requesterRelationship: 'mother',
      'receivedOn-day': '31',
      'receivedOn-month': '10',
      'receivedOn-year': '2026',
      verification: 'Seen in person with her passport and the child’s birth certificate.',
      'verifiedOn-day': '2',
      'verifiedOn-month': '11',
      'verifiedOn-year': '2026',
    });
    expect(recorded.statusCode, errorSummary(recorded.body).join('; ')).toBe(303);
    requestId = uuid.exec(String(recorded.headers['location']))?.[0] ?? '';
    const page = await dpoBrowser.get(`/subject-access/${requestId}`);
    expect(page.statusCode).toBe(200);
    // Received 31 October: November has no 31st, so it is due on its last day, which is today.
    expect(page.body).toContain('30 November 2026');
    expect(page.body).toContain('Due today');
    const list = await dpoBrowser.get('/subject-access');
    expect(list.body).toContain('Amelia Hughes');
    expect(list.body).toContain('Due today');
    const audit = await context.db
      .selectFrom('audit_events')
      .select(['action', 'person_id'])
      .where('action', '=', 'subject_access.recorded')
      .execute();
    expect(audit).toEqual([{ action: 'subject_access.recorded', person_id: childId }]);
  });

  it('is started from the person’s record by the DPO, and not offered to a practitioner', async () => {
    const record = await dpoBrowser.get(`/people/${childId}`);
    expect(record.statusCode).toBe(200);
    expect(record.body).toContain(`href="/subject-access/new?personId=${childId}"`);
    const practitionerView = await (await signIn(context, practitioner)).get(`/people/${childId}`);
    expect(practitionerView.statusCode).toBe(200);
    expect(practitionerView.body).not.toContain('/subject-access/new');
  });

  it('counts open requests and their deadlines on the DPO’s dashboard, without the person’s name', async () => {
    const dashboard = await dpoBrowser.get('/oversight');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('subject access request open');
    expect(dashboard.body).toMatch(/SAR-\d{7}: due 30 November 2026 \(today\)/);
    const items = await context.services.subjectAccess.actionItems(asPractitioner);
    expect(items).toEqual([]);
  });

  it('says what is wrong with a request, and records nothing', async () => {
    await dpoBrowser.get('/subject-access/new');
    const refused = await dpoBrowser.post('/subject-access/new', {
      requesterKind: 'parental-responsibility',
      requesterName: '',
      'receivedOn-day': '31',
      'receivedOn-month': '12',
      'receivedOn-year': '2026',
      verification: '',
    });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'Find and choose the person the request is about',
      'Enter the name of the person who asked',
      'Select who they are to the child',
      'The date received must be today or in the past',
      'Say how the requester’s identity was checked',
      'Enter the date their identity was checked',
    ]);
    const rows = await context.db.selectFrom('subject_access_requests').select('id').execute();
    expect(rows).toHaveLength(1);
  });

  it('finds the person by name with the people search', async () => {
    await dpoBrowser.get('/subject-access/new');
    const found = await dpoBrowser.post('/subject-access/new/find', { query: 'Amelia Hughes' });
    expect(found.statusCode, found.body.slice(0, 3000)).toBe(200);
    expect(found.body).toContain(`value="${childId}"`);
  });

  it('extends the deadline once, from the original deadline, with the requester told within the first month', async () => {
    await dpoBrowser.get(`/subject-access/${requestId}`);
    const late = await dpoBrowser.post(`/subject-access/${requestId}/extend`, {
      months: '2',
      reason: 'Records held by three teams.',
      'toldOn-day': '1',
      'toldOn-month': '12',
      'toldOn-year': '2026',
    });
    expect(late.statusCode).toBe(400);
    expect(errorSummary(late.body).join(' ')).toContain('today or in the past');
    const extended = await dpoBrowser.post(`/subject-access/${requestId}/extend`, {
      months: '2',
      reason: 'Records held by three teams.',
      'toldOn-day': '30',
      'toldOn-month': '11',
      'toldOn-year': '2026',
    });
    expect(extended.statusCode, errorSummary(extended.body).join('; ')).toBe(303);
    const row = await context.db
      .selectFrom('subject_access_requests')
      .select(['due_on', 'extended_to'])
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ due_on: '2026-11-30', extended_to: '2027-01-30' });
    const again = await dpoBrowser.post(`/subject-access/${requestId}/extend`, {
      months: '1',
      reason: 'Still more.',
      'toldOn-day': '30',
      'toldOn-month': '11',
      'toldOn-year': '2026',
    });
    expect(again.statusCode).toBe(400);
    expect(errorSummary(again.body).join(' ')).toContain('only once');
  });
});

describe('the report', () => {
  it('never shows a third party the decision withheld, in the PDF or the CSV', async () => {
    const pdf = await produce(dpoBrowser, requestId, 'pdf');
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await reportPdfText(pdf.rawPayload);
    const csv = (await produce(dpoBrowser, requestId, 'csv')).body;
    for (const output of [text, csv]) {
      expect(output).toContain('Detective constable');
      expect(output).toContain('The record of this decision says the information identifies someone else');
      expect(output).not.toContain(thirdParty);
      expect(output).not.toContain('Zoltar');
      // Recipients are named by role and organisation, never as individuals.
      expect(output).not.toContain('Sarah Price');
    }
    expect(text).toContain('This decision was also about 1 other person, who is not named here.');
  });

  it('is a tagged PDF with headings, plain words and page numbers', async () => {
    const pdf = (await produce(dpoBrowser, requestId, 'pdf')).rawPayload;
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/StructTreeRoot');
    expect(raw).toContain('/Lang (en-GB)');
    expect(raw).toContain('pdfuaid:part');
    expect(raw).toMatch(/\/FontFile2/);
    const text = await reportPdfText(pdf);
    expect(text).toContain('Your information: who it has been shared with');
    expect(text).toContain('Amelia Hughes');
    expect(text).toContain('Who has looked at your record');
    expect(text).toContain('Priya Sharma');
    expect(text).toContain('They were allocated to work with you');
    expect(text).toContain('Consent given on 20 November 2026');
    expect(text).toContain('How long we keep these records');
    // Where to ask (R6.1, in part): the organisation's DPO, at its switchboard from the partner directory.
    expect(text).toContain('contact the Data Protection Officer at Swindon Borough Council');
    expect(text).toContain('by telephone on 01632960001');
    expect(text).toMatch(/Page 1 of \d/);
  });

  it('escapes every cell a spreadsheet would run as a formula, and quotes every cell', async () => {
    const csv = (await produce(dpoBrowser, requestId, 'csv')).body;
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""Click"")`);
    expect(csv).toContain(`"'+44 1632 960999 rang back`);
    expect(csv).toContain(`"'@SUM(1)`);
    expect(csv).not.toMatch(/(^|,)"[=+@-]/m);
    expect(csv.split('\r\n')[0]).toBe(
      '"Kind","When","Reference","Organisation","Role or staff","Method","Information","Purpose","Lawful basis","Consent","Details"',
    );
  });

  it('escapes a leading minus, tab or carriage return in any column', () => {
    const report: SubjectAccessReport = {
      reference: 'SAR-0000001',
      producedAt: new Date('2026-11-30T09:00:00Z'),
      organisationName: 'Swindon Borough Council',
      organisationPhone: null,
      personName: 'Amelia Hughes',
      personDateOfBirth: null,
      requester: 'The person themself',
      receivedOn: '2026-11-01',
      decisions: [],
      disclosures: [],
      consents: [],
      reads: [
        {
          at: new Date('2026-11-30T09:00:00Z'),
          staff: '-2+3',
          organisationName: '\tTabbed',
          what: '\rReturned',
          reason: 'x',
        },
      ],
    };
    const row = reportCsv(report).split('\r\n')[1] ?? '';
    expect(row).toContain(`"'-2+3"`);
    expect(row).toContain(`"'\tTabbed"`);
    expect(row).toContain(`"'\rReturned. Reason: x"`);
  });

  it('records each production on the request and in the audit trail, against the person', async () => {
    const before = await context.db
      .selectFrom('subject_access_requests')
      .select('reports_produced')
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    await produce(dpoBrowser, requestId, 'csv');
    const after = await context.db
      .selectFrom('subject_access_requests')
      .select(['reports_produced', 'report_produced_by'])
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ reports_produced: before.reports_produced + 1, report_produced_by: dpo.id });
    const events = await context.db
      .selectFrom('audit_events')
      .select(['person_id', 'entity_id', 'change'])
      .where('action', '=', 'subject_access.report_produced')
      .orderBy('seq', 'desc')
      .execute();
    expect(events).toHaveLength(after.reports_produced);
    expect(events[0]).toMatchObject({ person_id: childId, entity_id: requestId, change: { format: 'csv' } });
  });
});

describe('who may keep requests and produce reports', () => {
  it('refuses a practitioner every page of the register', async () => {
    const browser = await signIn(context, practitioner);
    for (const path of ['/subject-access', '/subject-access/new', `/subject-access/${requestId}`])
      expect((await browser.get(path)).statusCode).toBe(403);
    await browser.get('/');
    expect((await browser.post(`/subject-access/${requestId}/report`, { format: 'pdf' })).statusCode).toBe(
      403,
    );
  });

  it('shows another organisation’s DPO nothing of it', async () => {
    const browser = await signIn(context, elsewhere);
    const list = await browser.get('/subject-access');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Amelia Hughes');
    expect((await browser.get(`/subject-access/${requestId}`)).statusCode).toBe(404);
    expect((await browser.post(`/subject-access/${requestId}/report`, { format: 'pdf' })).statusCode).toBe(
      404,
    );
  });

  it('lets the IG lead of the organisation produce the report the request gives reason for', async () => {
    const browser = await signIn(context, igLead);
    const csv = await produce(browser, requestId, 'csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="SAR-\d{7}-subject-access\.csv"$/,
    );
    expect(csv.body).not.toContain(thirdParty);
  });

  it('closes the request as answered, and stops the clock', async () => {
    await dpoBrowser.get(`/subject-access/${requestId}`);
    const closed = await dpoBrowser.post(`/subject-access/${requestId}/close`, {
      outcome: 'answered',
      'answeredOn-day': '30',
      'answeredOn-month': '11',
      'answeredOn-year': '2026',
    });
    expect(closed.statusCode, errorSummary(closed.body).join('; ')).toBe(303);
    const page = await dpoBrowser.get(`/subject-access/${requestId}`);
    expect(page.body).toContain('Answered');
    expect(page.body).not.toContain('Extend the deadline');
  });
});
