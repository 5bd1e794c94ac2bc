import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import {
  asPractitioner,
  context,
  elsewhere,
  practitioner,
  setUpDisclosureWorldWith,
  shareToNeighbour,
} from '../../test/support/disclosure-world.ts';
import { signIn } from '../../test/support/factories.ts';

let dataDir: string;
let disclosureId: string;
let packageId: string;

// The disclosure is a secure exchange package's: sending it logged the disclosure.
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-incident-disclosure-'));
  await setUpDisclosureWorldWith({ DATA_DIR: dataDir });
  const sent = await context.services.exchange.send(asPractitioner, shareToNeighbour, {
    recipientIndex: 0,
    categoryIds: ['education'],
    message: 'The EHC needs assessment report.',
    mode: 'download',
    files: [],
  });
  packageId = sent.id;
  disclosureId = (
    await context.db
      .selectFrom('exchange_packages')
      .select('disclosure_id')
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow()
  ).disclosure_id;
}, 60_000);

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const report = (overrides: Record<string, string | string[]> = {}) => ({
  kind: 'wrong-recipient',
  whatHappened: 'The report went to the wrong caseworker.',
  'happenedOn-day': '30',
  'happenedOn-month': '11',
  'happenedOn-year': '2026',
  'awareOn-day': '30',
  'awareOn-month': '11',
  'awareOn-year': '2026',
  awareTime: '08:00',
  information: 'The EHC needs assessment report.',
  peopleAffected: '1',
  peopleEstimated: [],
  actionsTaken: 'Asked them to delete it.',
  ...overrides,
});

describe('reporting an incident straight from a disclosure (R5.1)', () => {
  it('links the report to the disclosure it starts from, and the incident page back to it', async () => {
    const browser = await signIn(context, practitioner);
    const disclosurePage = await browser.get(`/disclosures/${disclosureId}`);
    expect(disclosurePage.body).toContain(`/incidents/new?disclosure=${disclosureId}`);
    const form = await browser.get(`/incidents/new?disclosure=${disclosureId}`);
    expect(form.body).toContain(`name="disclosureId" value="${disclosureId}"`);
    const reported = await browser.post('/incidents/new', report({ disclosureId }));
    expect(reported.statusCode, errorSummary(reported.body).join('; ')).toBe(303);
    const location = reported.headers['location'] ?? '';
    const incidentId = location.slice('/incidents/'.length, location.indexOf('?'));
    const row = await context.db
      .selectFrom('incidents')
      .select('disclosure_id')
      .where('id', '=', incidentId)
      .executeTakeFirstOrThrow();
    expect(row.disclosure_id).toBe(disclosureId);
    expect((await browser.get(location)).body).toContain(`href="/disclosures/${disclosureId}"`);
  });

  it('refuses a disclosure the reporter cannot see, as if it did not exist', async () => {
    const outsider = await signIn(context, elsewhere);
    const form = await outsider.get(`/incidents/new?disclosure=${disclosureId}`);
    expect(form.body).not.toContain('name="disclosureId"');
    const refused = await outsider.post('/incidents/new', report({ disclosureId }));
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'Report the incident from the page of a disclosure you can see',
    ]);
    const malformed = await outsider.post('/incidents/new', report({ disclosureId: 'not-an-id' }));
    expect(errorSummary(malformed.body)).toEqual([
      'Report the incident from the page of a disclosure you can see',
    ]);
  });
});

describe('containment (R5.2)', () => {
  async function reportedIncident(): Promise<{ browser: TestBrowser; path: string }> {
    const browser = await signIn(context, practitioner);
    const reported = await browser.post('/incidents/new', report({ disclosureId }));
    expect(reported.statusCode, errorSummary(reported.body).join('; ')).toBe(303);
    const location = reported.headers['location'] ?? '';
    return { browser, path: location.slice(0, location.indexOf('?')) };
  }

  it('records a task to get something back by a date, shows it overdue until it is marked done, and actions taken at once', async () => {
    const { browser, path } = await reportedIncident();
    const noDate = await browser.post(`${path}/actions`, {
      kind: 'retrieve',
      description: 'Asked the school to post it back.',
    });
    expect(noDate.statusCode).toBe(400);
    expect(errorSummary(noDate.body)).toEqual(['Enter the date it should be back by']);
    const task = await browser.post(`${path}/actions`, {
      kind: 'retrieve',
      description: 'Asked the school to post it back.',
      'dueOn-day': '3',
      'dueOn-month': '12',
      'dueOn-year': '2026',
    });
    expect(task.statusCode, errorSummary(task.body).join('; ')).toBe(303);
    const other = await browser.post(`${path}/actions`, {
      kind: 'other',
      description: 'The recipient confirmed she deleted it.',
    });
    expect(other.statusCode).toBe(303);
    let page = await browser.get(path);
    expect(page.body).toContain('Asked the school to post it back.');
    expect(page.body).toMatch(/The recipient confirmed she deleted it\.[\s\S]*?Done/);

    context.clock.set('2026-12-04T10:00:00Z');
    const later = await signIn(context, practitioner);
    page = await later.get(path);
    expect(page.body).toMatch(/Asked the school to post it back\.[\s\S]*?Overdue/);
    // The register lists it among the containment tasks overdue.
    const register = await later.get('/incidents');
    expect(register.body.slice(register.body.indexOf('Containment tasks overdue'))).toContain(
      'Asked the school to post it back.',
    );
    const done = /action="([^"]+\/done)"/.exec(page.body)?.[1] ?? '';
    expect((await later.post(done, {})).statusCode).toBe(303);
    expect((await later.get(path)).body).toMatch(/Asked the school to post it back\.[\s\S]*?Done \d/);
    expect(errorSummary((await later.post(done, {})).body)).toEqual(['That action is already done']);
  });

  it('withdraws the package the incident is about at once, and records that it did', async () => {
    const { browser, path } = await reportedIncident();
    const page = await browser.get(path);
    expect(page.body).toMatch(/Withdraw EX-\d{7} now/);
    const recalled = await browser.post(`${path}/recall-package`, {});
    expect(recalled.statusCode, errorSummary(recalled.body).join('; ')).toBe(303);
    const row = await context.db
      .selectFrom('exchange_packages')
      .select(['ended', 'end_reason'])
      .where('id', '=', packageId)
      .executeTakeFirstOrThrow();
    expect(row.ended).toBe('revoked');
    expect(row.end_reason).toMatch(/^Containment of incident INC-\d{7}$/);
    const after = await browser.get(path);
    expect(after.body).toMatch(/Withdrew secure exchange package EX-\d{7}/);
    expect(after.body).not.toMatch(/Withdraw EX-\d{7} now/);
    expect(errorSummary((await browser.post(`${path}/recall-package`, {})).body)).toEqual([
      'There is no package to withdraw: it has ended already',
    ]);
  });
});

describe('reporting an incident from misdirected information received (R5.1)', () => {
  it('starts filled in from the entry and links to it; someone outside the register cannot link one', async () => {
    const browser = await signIn(context, practitioner);
    const recorded = await browser.post('/misdirected/new', {
      'receivedOn-day': '30',
      'receivedOn-month': '11',
      'receivedOn-year': '2026',
      method: 'fax',
      sender: 'Great Western Hospital, paediatrics',
      intendedFor: 'Wiltshire Council children’s services',
      whatArrived: 'A discharge summary about a child not known to us.',
      actions: ['passedOn', 'senderTold'],
      actionDetails: 'Rang the ward to tell them.',
    });
    expect(recorded.statusCode, errorSummary(recorded.body).join('; ')).toBe(303);
    const list = await browser.get('/misdirected');
    const href = /href="(\/incidents\/new\?misdirected=[^"]+)"/.exec(list.body)?.[1] ?? '';
    const misdirectedId = href.split('=')[1] ?? '';
    const form = await browser.get(href);
    expect(form.body).toContain('This report is about misdirected information your organisation received');
    expect(form.body).toContain('A discharge summary about a child not known to us.');
    const reported = await browser.post('/incidents/new', report({ misdirectedId }));
    expect(reported.statusCode, errorSummary(reported.body).join('; ')).toBe(303);
    const location = reported.headers['location'] ?? '';
    const incidentId = location.slice('/incidents/'.length, location.indexOf('?'));
    const row = await context.db
      .selectFrom('incidents')
      .select('misdirected_id')
      .where('id', '=', incidentId)
      .executeTakeFirstOrThrow();
    expect(row.misdirected_id).toBe(misdirectedId);

    const outsider = await signIn(context, elsewhere);
    const refused = await outsider.post('/incidents/new', report({ misdirectedId }));
    expect(errorSummary(refused.body)).toEqual([
      'Report the incident from an entry of your organisation’s misdirected-information register',
    ]);
  });
});
