import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import {
  context,
  practitioner,
  colleague,
  dpo,
  childId,
  shareToPolice,
  shareToNeighbour,
  notShared,
  uuidPattern,
  expectClean,
  postForm,
  checklistFor,
  recordTelephoneDisclosure,
  setUpDisclosureWorld,
} from '../../test/support/disclosure-world.ts';
import { signIn } from '../../test/support/factories.ts';

beforeAll(setUpDisclosureWorld, 60_000);

describe('a letter and its receipt (R4.2.8)', () => {
  it('lists the receipt as awaited, then overdue, and records how it was confirmed', async () => {
    const browser = await signIn(context, practitioner);
    await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education', 'health'],
      method: 'post',
    });
    const sent = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      recipientIndex: '0',
      categoryIds: ['education', 'health'],
      method: 'post',
      ...postForm(),
    });
    expect(sent.statusCode).toBe(303);
    const path = (sent.headers['location'] ?? '').split('?')[0] ?? '';
    const id = path.split('/').at(-1) ?? '';

    const shown = await browser.get(path);
    for (const text of [
      'Awaited',
      'Signed for',
      'RR123456785GB',
      'Wiltshire Council, County Hall, Trowbridge, BA14 8JN',
      'Policy requirement R4.2.6',
      '7 December 2026',
      'Record that receipt was confirmed',
    ])
      expect(shown.body).toContain(text);

    const awaited = await browser.get('/disclosures/receipts');
    expect(awaited.statusCode).toBe(200);
    expectClean(awaited.body);
    expect(awaited.body).toContain(`href="${path}"`);
    expect(awaited.body).toContain('Awaited');
    // The colleague sees only their own; the DPO sees the organisation's.
    expect((await (await signIn(context, colleague)).get('/disclosures/receipts')).body).not.toContain(path);
    expect((await (await signIn(context, dpo)).get('/disclosures/receipts')).body).toContain(path);

    context.clock.set('2026-12-09T09:00:00Z');
    const later = await signIn(context, practitioner);
    const overdue = await later.get('/disclosures/receipts');
    expect(overdue.body).toContain('govuk-tag--red');
    expect(overdue.body).toContain('Overdue');

    const form = await later.get(`/disclosures/${id}/receipt`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('How did they confirm?');
    const blank = await later.post(`/disclosures/${id}/receipt`, { how: '  ' });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual(['Enter how the recipient confirmed they received it']);
    const confirmed = await later.post(`/disclosures/${id}/receipt`, {
      how: 'Rebecca Sutton e-mailed to say the letter arrived sealed.',
    });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers['location']).toBe(`${path}?done=receipt`);
    const after = await later.get(`${path}?done=receipt`);
    for (const text of [
      'Receipt recorded.',
      'Confirmed',
      'Priya Sharma',
      'Rebecca Sutton e-mailed to say the letter arrived sealed.',
    ])
      expect(after.body).toContain(text);
    expect(after.body).not.toContain('Record that receipt was confirmed');
    expect((await later.get('/disclosures/receipts')).body).not.toContain(path);
    expect((await later.get(`/disclosures/${id}/receipt`)).headers['location']).toBe(path);
    const twice = await later.post(`/disclosures/${id}/receipt`, { how: 'Again.' });
    expect(twice.statusCode).toBe(400);
    expect(errorSummary(twice.body)).toEqual(['Receipt has already been confirmed']);
  });
});

describe('the decision and the person’s history', () => {
  // Something disclosed under the decision to share with the police.
  beforeAll(recordTelephoneDisclosure);

  it('shows the disclosures on the decision, with the button to record another, and in the person’s sharing history', async () => {
    const browser = await signIn(context, practitioner);
    const overview = await browser.get(`/decisions/${shareToPolice}`);
    expect(overview.statusCode).toBe(200);
    expectClean(overview.body);
    expect(overview.body).toContain(`href="/decisions/${shareToPolice}/disclosures/new"`);
    expect(overview.body).toContain('Record a disclosure');
    expect(overview.body).toMatch(new RegExp(`href="/disclosures/${uuidPattern}"`));
    expect(overview.body).toContain('Telephone');
    const declined = await browser.get(`/decisions/${notShared}`);
    expect(declined.body).not.toContain('Record a disclosure');

    const history = await browser.get(`/people/${childId}/sharing`);
    expect(history.statusCode).toBe(200);
    expectClean(history.body);
    expect(history.body).toContain('Information disclosed under those decisions, newest first');
    expect(history.body).toMatch(new RegExp(`href="/disclosures/${uuidPattern}"`));
    expect(history.body).toContain(`href="/decisions/${shareToPolice}"`);
  });
});
