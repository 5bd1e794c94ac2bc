import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { readClock } from './incidents.clock.ts';

/**
 * The incident register (R5.1 to R5.4): anyone signed in reports, the line manager, the IT service
 * desk and the DPO are told at once, the DPO grades and reports to the ICO inside the 72-hour clock
 * (or says why not), and closes with lessons learned. Each refusal changes nothing.
 */

let context: TestContext;
let practitioner: TestStaff;
let manager: TestStaff;
let dpo: TestStaff;
let desk: TestStaff;
let colleague: TestStaff;
let otherDpo: TestStaff;
let incidentId: string;

const hour = 3_600_000;

/** A letter to the wrong house, discovered at 08:00 on 30 November 2026 (the test clock reads 09:00). */
function letterToWrongHouse(overrides: Record<string, string | string[]> = {}) {
  return {
    kind: 'wrong-recipient',
    whatHappened: 'A letter about a child protection conference went to number 14 instead of 41.',
    'happenedOn-day': '28',
    'happenedOn-month': '11',
    'happenedOn-year': '2026',
    'awareOn-day': '30',
    'awareOn-month': '11',
    'awareOn-year': '2026',
    awareTime: '08:00',
    information: 'The conference invitation with the date, the child’s school and the concerns.',
    peopleAffected: '3',
    peopleEstimated: [],
    actionsTaken: 'Rang number 14 and asked them to return it unopened.',
    ...overrides,
  };
}

async function incidentCount(): Promise<number> {
  const row = await context.db
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function eventsFor(id: string): Promise<string[]> {
  const rows = await context.db
    .selectFrom('audit_events')
    .where('entity_id', '=', id)
    .select('action')
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  const councilId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  manager = await createStaff(context, {
    organisationId: councilId,
    roles: ['manager'],
    displayName: 'Helen Carter',
  });
  practitioner = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  colleague = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Tom Ellis',
  });
  dpo = await createStaff(context, { organisationId: councilId, roles: ['dpo'], displayName: 'Dana Price' });
  desk = await createStaff(context, {
    organisationId: councilId,
    roles: ['it_service_desk'],
    displayName: 'Ian Desk',
  });
  const otherId = await createOrganisation(context, { name: `Bath Council ${randomUUID().slice(0, 6)}` });
  otherDpo = await createStaff(context, {
    organisationId: otherId,
    roles: ['dpo'],
    displayName: 'Olga Other',
  });
}, 60_000);

describe('reporting an incident (R5.1, R5.2)', () => {
  it('refuses a report with bad answers, naming each, and writes nothing', async () => {
    const browser = await signIn(context, practitioner);
    expect((await browser.get('/incidents/new')).statusCode).toBe(200);
    const before = await incidentCount();
    const blank = await browser.post('/incidents/new', {});
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Select what kind of incident it is',
      'Enter what happened',
      'Enter when it happened',
      'Enter when it was discovered',
      'Enter what information is involved',
      'Enter how many people the information is about',
      'Enter what has been done so far, or ‘nothing yet’',
    ]);
    const cases: [Record<string, string | string[]>, string][] = [
      [{ awareTime: '25:00' }, 'Enter the time it was discovered, like 14:30'],
      [{ 'awareOn-day': '31', 'awareOn-month': '2' }, 'When it was discovered must be a real date'],
      [
        { 'awareOn-day': '28', 'awareOn-month': '3', 'awareOn-year': '2027', awareTime: '01:30' },
        'That time did not happen: the clocks went forward an hour then',
      ],
      [{ awareTime: '09:30' }, 'When it was discovered must be now or in the past'],
      [
        { 'happenedOn-day': '1', 'happenedOn-month': '12' },
        'When it happened must be on or before when it was discovered',
      ],
      [{ peopleAffected: 'three' }, 'How many people must be a whole number, like 3'],
      [{ peopleAffected: '999999999' }, 'How many people must be 100,000,000 or fewer'],
      [{ kind: 'alien-abduction' }, 'Select what kind of incident it is'],
    ];
    for (const [overrides, message] of cases) {
      const refused = await browser.post('/incidents/new', letterToWrongHouse(overrides));
      expect(refused.statusCode, message).toBe(400);
      expect(errorSummary(refused.body)).toEqual([message]);
    }
    expect(await incidentCount()).toBe(before);
  });

  it('records it, and tells the line manager, the IT service desk and the DPO at once without personal details', async () => {
    const browser = await signIn(context, practitioner);
    const reported = await browser.post('/incidents/new', letterToWrongHouse({ peopleEstimated: 'yes' }));
    expect(reported.statusCode, errorSummary(reported.body).join('; ')).toBe(303);
    const location = reported.headers['location'] ?? '';
    expect(location).toMatch(/^\/incidents\/[0-9a-f-]{36}\?done=reported$/);
    incidentId = location.slice('/incidents/'.length, location.indexOf('?'));
    expect(await eventsFor(incidentId)).toEqual(['incident.reported']);

    const page = await browser.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Incident reported.');
    // Discovered at 08:00 on 30 November; the test clock reads a little after 09:00.
    expect(page.body).toContain(
      `${readClock(new Date('2026-11-30T08:00:00Z'), context.clock.now()).text} to report to the ICO`,
    );
    expect(page.body).toMatch(/7[01] hours \d+ minutes? left to report to the ICO/);
    expect(page.body).toContain('3 December 2026 at 8:00am');
    expect(page.body).toContain('3 (estimate)');

    const notices = await context.db
      .selectFrom('notifications')
      .where('kind', '=', 'incident.reported')
      .select(['user_id', 'subject', 'body', 'link'])
      .execute();
    expect(notices.map((notice) => notice.user_id).sort()).toEqual([manager.id, desk.id, dpo.id].sort());
    for (const notice of notices) {
      expect(notice.link).toBe(`/incidents/${incidentId}`);
      expect(`${notice.subject} ${notice.body}`).not.toMatch(/letter|conference|number 14|school/i);
      expect(notice.subject).toMatch(/^Incident INC-\d{7} reported$/);
    }
  });

  it('shows it to the reporter, their line manager, the DPO and the IT service desk, and to no one else', async () => {
    for (const staff of [practitioner, manager, dpo, desk]) {
      const browser = await signIn(context, staff);
      expect((await browser.get(`/incidents/${incidentId}`)).statusCode).toBe(200);
      expect((await browser.get('/incidents')).body).toContain(`href="/incidents/${incidentId}"`);
    }
    for (const staff of [colleague, otherDpo]) {
      const browser = await signIn(context, staff);
      expect((await browser.get(`/incidents/${incidentId}`)).statusCode).toBe(404);
      expect((await browser.get('/incidents')).body).not.toContain(incidentId);
    }
    const browser = await signIn(context, practitioner);
    expect((await browser.get('/incidents/not-an-id')).statusCode).toBe(404);
  });
});

describe('the DPO’s work (R5.3, R5.4)', () => {
  it('keeps grading, reporting and closing to the DPO', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/incidents/${incidentId}`);
    expect(page.body).not.toContain('Record the grading');
    for (const action of ['grade', 'ico-report', 'close']) {
      const refused = await browser.post(`/incidents/${incidentId}/${action}`, {
        likelihood: '1',
        severity: '1',
      });
      expect(refused.statusCode).toBe(403);
    }
    const elsewhere = await signIn(context, otherDpo);
    await elsewhere.get('/incidents');
    expect(
      (
        await elsewhere.post(`/incidents/${incidentId}/grade`, {
          likelihood: '1',
          severity: '1',
          notReportableReasons: 'x',
        })
      ).statusCode,
    ).toBe(404);
    expect(await eventsFor(incidentId)).toEqual(['incident.reported']);
  });

  it('needs the DPO’s reasons for “not reportable”, and stops the clock only when given', async () => {
    const browser = await signIn(context, dpo);
    await browser.get(`/incidents/${incidentId}`);
    const blank = await browser.post(`/incidents/${incidentId}/grade`, {});
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Select how likely it is that people are harmed',
      'Select how severe the harm would be',
    ]);
    const noReasons = await browser.post(`/incidents/${incidentId}/grade`, {
      likelihood: '2',
      severity: '3',
    });
    expect(noReasons.statusCode).toBe(400);
    expect(errorSummary(noReasons.body)).toEqual([
      'Give your reasons for judging that this incident does not need to be reported to the ICO',
    ]);
    expect(await eventsFor(incidentId)).toEqual(['incident.reported']);

    const graded = await browser.post(`/incidents/${incidentId}/grade`, {
      likelihood: '2',
      severity: '3',
      notReportableReasons: 'The letter was returned unopened the same morning.',
    });
    expect(graded.statusCode).toBe(303);
    const page = await browser.get(`/incidents/${incidentId}`);
    expect(page.body).toContain('Not reportable');
    expect(page.body).not.toContain('to report to the ICO</p>');
  });

  it('regrades as reportable, refuses a late report without reasons, and records one on time', async () => {
    let browser = await signIn(context, dpo);
    await browser.get(`/incidents/${incidentId}`);
    const regraded = await browser.post(`/incidents/${incidentId}/grade`, { likelihood: '3', severity: '4' });
    expect(regraded.statusCode).toBe(303);
    expect((await browser.get(`/incidents/${incidentId}`)).body).toContain(
      'Report to the ICO and tell the people affected',
    );
    // Closing before the report is recorded is refused.
    const early = await browser.post(`/incidents/${incidentId}/close`, {
      lessons: 'Check the house number.',
      hrReferral: 'no',
    });
    expect(early.statusCode).toBe(400);
    expect(errorSummary(early.body)).toEqual(['Record the report to the ICO before closing the incident']);

    // 73 hours after discovery (signed in again: the session has ended), a report at 09:00 on 3 December is late.
    context.clock.advance(72 * hour);
    browser = await signIn(context, dpo);
    await browser.get(`/incidents/${incidentId}`);
    const report = (time: string, lateReason = '') => ({
      'reportedOn-day': '3',
      'reportedOn-month': '12',
      'reportedOn-year': '2026',
      reportedTime: time,
      reference: 'ICO/2026/12345',
      lateReason,
    });
    const late = await browser.post(`/incidents/${incidentId}/ico-report`, report('09:00'));
    expect(late.statusCode).toBe(400);
    expect(errorSummary(late.body)).toEqual([
      'It was reported more than 72 hours after it was discovered: give the reasons for the delay',
    ]);
    expect(late.body).toContain('href="#lateReason"');
    // Exactly 72 hours after discovery is in time.
    const onTime = await browser.post(`/incidents/${incidentId}/ico-report`, report('08:00'));
    expect(onTime.statusCode, errorSummary(onTime.body).join('; ')).toBe(303);
    const page = await browser.get(`/incidents/${incidentId}`);
    expect(page.body).toContain('ICO/2026/12345');
    expect(page.body).not.toContain('Why it was reported after 72 hours');
    const again = await browser.post(`/incidents/${incidentId}/ico-report`, report('08:30'));
    expect(again.statusCode).toBe(400);
  });

  it('tells the people affected only after a safety check, and closing waits for both', async () => {
    const browser = await signIn(context, dpo);
    const page = await browser.get(`/incidents/${incidentId}`);
    expect(page.body).toContain('Could telling the people affected put a child at risk?');
    const unchecked = await browser.post(`/incidents/${incidentId}/close`, {
      lessons: 'Check the house number.',
      hrReferral: 'no',
    });
    expect(errorSummary(unchecked.body)).toEqual([
      'Record the safety check on telling the people affected before closing the incident',
    ]);
    const tooSoon = await browser.post(`/incidents/${incidentId}/told`, { toldHow: 'Rang the mother.' });
    expect(errorSummary(tooSoon.body)).toEqual([
      'Record the safety check before telling the people affected',
    ]);
    const noReasons = await browser.post(`/incidents/${incidentId}/safety-check`, {
      safetyRisk: 'no',
      safetyReasons: ' ',
    });
    expect(errorSummary(noReasons.body)).toEqual(['Give your reasons']);
    // Only the DPO records it.
    const reporter = await signIn(context, practitioner);
    expect(
      (
        await reporter.post(`/incidents/${incidentId}/safety-check`, {
          safetyRisk: 'no',
          safetyReasons: 'Checked with the social worker.',
        })
      ).statusCode,
    ).toBe(403);
    const checked = await browser.post(`/incidents/${incidentId}/safety-check`, {
      safetyRisk: 'no',
      safetyReasons: 'The allocated social worker sees no risk in the family knowing.',
    });
    expect(checked.statusCode, errorSummary(checked.body).join('; ')).toBe(303);
    const untold = await browser.post(`/incidents/${incidentId}/close`, {
      lessons: 'Check the house number.',
      hrReferral: 'no',
    });
    expect(errorSummary(untold.body)).toEqual([
      'Record that the people affected were told before closing the incident',
    ]);
    const told = await browser.post(`/incidents/${incidentId}/told`, {
      toldHow: 'The social worker visited the family on 3 December and explained.',
    });
    expect(told.statusCode, errorSummary(told.body).join('; ')).toBe(303);
    const after = await browser.get(`/incidents/${incidentId}`);
    expect(after.body).toContain('The social worker visited the family on 3 December and explained.');
    expect(after.body).not.toContain('Could telling the people affected put a child at risk?</legend>');
  });

  it('closes with the lessons learned, only once', async () => {
    const browser = await signIn(context, dpo);
    await browser.get(`/incidents/${incidentId}`);
    const noLessons = await browser.post(`/incidents/${incidentId}/close`, { lessons: '', hrReferral: '' });
    expect(noLessons.statusCode).toBe(400);
    expect(errorSummary(noLessons.body)).toEqual([
      'Enter the lessons learned',
      'Select yes if it was referred to human resources',
    ]);
    const closed = await browser.post(`/incidents/${incidentId}/close`, {
      lessons: 'Letters are checked against the case record address before posting.',
      hrReferral: 'no',
    });
    expect(closed.statusCode).toBe(303);
    const again = await browser.post(`/incidents/${incidentId}/close`, {
      lessons: 'Again.',
      hrReferral: 'no',
    });
    expect(again.statusCode).toBe(400);
    expect(await eventsFor(incidentId)).toEqual([
      'incident.reported',
      'incident.graded',
      'incident.graded',
      'incident.ico_reported',
      'incident.safety_checked',
      'incident.people_told',
      'incident.closed',
    ]);
    const list = await browser.get('/incidents');
    expect(list.body.slice(list.body.indexOf('id="closed"'))).toContain(`href="/incidents/${incidentId}"`);
  });
});

describe('the clock’s reminders', () => {
  it('reminds the DPO at 24, 48 and 66 hours, once each, and stops when the report is recorded', async () => {
    const browser = await signIn(context, practitioner);
    const aware = new Date(context.clock.now().getTime() - 30 * 60_000);
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'numeric',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(aware)
      .reduce<Record<string, string>>((all, part) => ({ ...all, [part.type]: part.value }), {});
    const reported = await browser.post(
      '/incidents/new',
      letterToWrongHouse({
        'happenedOn-day': parts['day'] ?? '',
        'happenedOn-month': parts['month'] ?? '',
        'happenedOn-year': parts['year'] ?? '',
        'awareOn-day': parts['day'] ?? '',
        'awareOn-month': parts['month'] ?? '',
        'awareOn-year': parts['year'] ?? '',
        awareTime: `${parts['hour'] ?? ''}:${parts['minute'] ?? ''}`,
      }),
    );
    expect(reported.statusCode, errorSummary(reported.body).join('; ')).toBe(303);
    const location = reported.headers['location'] ?? '';
    const id = location.slice('/incidents/'.length, location.indexOf('?'));
    const reminders = async () =>
      (
        await context.db
          .selectFrom('notifications')
          .where('kind', '=', 'incident.clock')
          .where('link', '=', `/incidents/${id}`)
          .select(['user_id', 'subject'])
          .execute()
      ).map((notice) => notice.subject);

    expect(await context.services.incidents.remindClock()).toBe(0);
    context.clock.advance(24 * hour);
    expect(await context.services.incidents.remindClock()).toBe(1);
    expect(await context.services.incidents.remindClock()).toBe(0);
    context.clock.advance(24 * hour);
    await context.services.incidents.remindClock();
    expect((await reminders()).map((subject) => subject.replace(/^Incident INC-\d{7}: /, ''))).toEqual([
      '48 hours left to report to the ICO',
      '24 hours left to report to the ICO',
    ]);
    expect(await eventsFor(id)).toEqual([
      'incident.reported',
      'incident.clock_reminder',
      'incident.clock_reminder',
    ]);
    // Graded not reportable, with reasons: the clock stops and no third reminder comes.
    const asDpo = await signIn(context, dpo);
    await asDpo.get(`/incidents/${id}`);
    await asDpo.post(`/incidents/${id}/grade`, {
      likelihood: '1',
      severity: '1',
      notReportableReasons: 'Sent to the right family after all: the address was correct.',
    });
    context.clock.advance(18 * hour);
    await context.services.incidents.remindClock();
    expect(await reminders()).toHaveLength(2);
  });
});

describe('the register as a spreadsheet', () => {
  it('gives the DPO every incident as CSV, with nothing a spreadsheet would run as a formula, and audits the export', async () => {
    const reporter = await signIn(context, practitioner);
    const reported = await reporter.post(
      '/incidents/new',
      letterToWrongHouse({ whatHappened: '=HYPERLINK("http://example.com","click") was typed into a form.' }),
    );
    expect(reported.statusCode).toBe(303);
    const browser = await signIn(context, dpo);
    const csv = await browser.get('/incidents.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toMatch(/^"Reference","Kind","Happened on"/);
    expect(csv.body).toContain('"\'=HYPERLINK(""http://example.com"",""click"") was typed into a form."');
    expect(csv.body).not.toMatch(/(^|,)"=/m);
    const exported = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'incident.register_exported')
      .execute();
    expect(exported).toHaveLength(1);
    expect((await reporter.get('/incidents.csv')).statusCode).toBe(403);
  });
});
