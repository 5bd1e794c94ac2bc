import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import {
  context,
  practitioner,
  elsewhere,
  expectClean,
  setUpDisclosureWorld,
} from '../../test/support/disclosure-world.ts';
import { signIn } from '../../test/support/factories.ts';

beforeAll(setUpDisclosureWorld, 60_000);

describe('misdirected information (R4.4.3)', () => {
  it('names every missing answer, refuses a future date or no action, and logs it', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get('/misdirected/new');
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    const blank = await browser.post('/misdirected/new', {});
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Enter the date it arrived',
      'Select how it arrived',
      'Enter who sent it',
      'Enter who it was meant for',
      'Enter what arrived',
      'Select what you have done: pass it to the right recipient, tell the sender, or both',
      'Enter what you did about it',
    ]);
    expect(blank.body).toContain('href="#receivedOn-day"');
    const today = context.clock.now().toISOString().slice(0, 10).split('-');
    const answers = {
      'receivedOn-day': today[2] ?? '',
      'receivedOn-month': today[1] ?? '',
      'receivedOn-year': today[0] ?? '',
      method: 'fax',
      sender: 'Great Western Hospital, paediatrics',
      intendedFor: 'Wiltshire Council children’s services',
      whatArrived: 'A discharge summary about a child not known to us.',
      actions: ['passedOn', 'senderTold'],
      actionDetails: 'Rang the ward to tell them; forwarded by secure exchange to Wiltshire.',
    };
    const future = await browser.post('/misdirected/new', { ...answers, 'receivedOn-year': '2031' });
    expect(errorSummary(future.body)).toEqual(['The date it arrived must be today or in the past']);
    const notReal = await browser.post('/misdirected/new', {
      ...answers,
      'receivedOn-day': '31',
      'receivedOn-month': '2',
    });
    expect(errorSummary(notReal.body)).toEqual(['The date it arrived must be a real date']);
    const nothingDone = await browser.post('/misdirected/new', { ...answers, actions: [] });
    expect(nothingDone.statusCode).toBe(400);
    expect(errorSummary(nothingDone.body)).toEqual([
      'Select what you have done: pass it to the right recipient, tell the sender, or both',
    ]);
    // What was typed is kept.
    expect(nothingDone.body).toContain('Great Western Hospital, paediatrics');
    expect((await browser.get('/misdirected')).body).not.toContain(
      'A discharge summary about a child not known to us.',
    );

    const logged = await browser.post('/misdirected/new', { ...answers, actions: 'senderTold' });
    expect(logged.statusCode).toBe(303);
    expect(logged.headers['location']).toBe('/misdirected?done=recorded');
    const list = await browser.get('/misdirected?done=recorded');
    expectClean(list.body);
    for (const text of [
      'Misdirected information recorded.',
      'A discharge summary about a child not known to us.',
      'Sender told',
      'Fax',
      'Priya Sharma',
    ])
      expect(list.body).toContain(text);
    // Another organisation's log is its own.
    expect((await (await signIn(context, elsewhere)).get('/misdirected')).body).not.toContain(
      'A discharge summary about a child not known to us.',
    );
  });
});
