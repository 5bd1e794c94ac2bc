import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
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
