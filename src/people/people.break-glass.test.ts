import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { createPerson, createStaff, signIn } from '../../test/support/factories.ts';
import {
  context,
  organisationId,
  manager,
  otherManager,
  unallocated,
  dpo,
  viewEvents,
  counts,
  setUpPeopleWorld,
} from '../../test/support/people-world.ts';

beforeAll(setUpPeopleWorld);

describe('a reason for access (break-glass)', () => {
  it('opens the record for 24 hours, tells the line manager and every DPO without personal data, and is reviewed', async () => {
    const secondDpo = await createStaff(context, {
      organisationId,
      roles: ['dpo', 'practitioner'],
      displayName: 'Jo Grant',
    });
    const person = await createPerson(context, {
      organisationId,
      givenNames: 'Aisha',
      familyName: 'Begum',
      dateOfBirth: '2016-05-09',
      nhsNumber: '9990000018',
      localReference: 'SBC-771203',
    });
    const browser = await signIn(context, unallocated);
    expect((await browser.get(`/people/${person}`)).statusCode).toBe(403);
    const form = await browser.get(`/people/${person}/access`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('Aisha');

    const before = await counts();
    const short = await browser.post(`/people/${person}/access`, { reason: 'need it' });
    expect(short.statusCode).toBe(400);
    expect(errorSummary(short.body)).toEqual(['Reason must be 10 characters or more']);
    expect(short.body).not.toContain('Aisha');
    const long = await browser.post(`/people/${person}/access`, { reason: 'x'.repeat(2001) });
    expect(errorSummary(long.body)).toEqual(['Reason must be 2000 characters or fewer']);
    const extra = await browser.post(`/people/${person}/access`, {
      reason: 'Safeguarding referral from school',
      expiresAt: '2099-01-01',
    });
    expect(errorSummary(extra.body)).toEqual(['The form has a field it does not expect (expiresAt)']);
    expect(await counts()).toEqual(before);

    const reason = 'Safeguarding referral received from the school nurse out of hours';
    const granted = await browser.post(`/people/${person}/access`, { reason });
    expect(granted.statusCode).toBe(303);
    expect(granted.headers['location']).toBe(`/people/${person}?done=reason-recorded`);
    const page = await browser.get(String(granted.headers['location']));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Aisha Begum');
    expect(page.body).toContain('you recorded a reason for access');
    expect((await viewEvents(person)).at(-1)?.change).toEqual({ basis: 'break-glass', page: 'record' });

    const grantEvent = await context.db
      .selectFrom('audit_events')
      .select(['change', 'actor_user_id'])
      .where('person_id', '=', person)
      .where('action', '=', 'person.break_glass')
      .executeTakeFirstOrThrow();
    expect(grantEvent.actor_user_id).toBe(unallocated.id);
    expect(grantEvent.change).toMatchObject({ reason });

    const notices = await context.db
      .selectFrom('notifications')
      .selectAll()
      .where('kind', '=', 'people.break_glass')
      .execute();
    expect(notices.map((notice) => notice.user_id).sort()).toEqual(
      [otherManager.id, dpo.id, secondDpo.id].sort(),
    );
    const outbox = await context.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('subject', '=', 'A reason for access was recorded')
      .execute();
    expect(outbox).toHaveLength(3);
    const personal = [
      'Aisha',
      'Begum',
      '2016-05-09',
      '9 May 2016',
      '9990000018',
      '999 000 0018',
      'SBC-771203',
      reason,
    ];
    for (const text of [
      ...notices.flatMap((notice) => [notice.subject, notice.body, notice.link]),
      ...outbox.flatMap((mail) => [mail.subject, mail.body]),
    ]) {
      for (const identifier of personal) expect(text).not.toContain(identifier);
    }
    expect(notices.every((notice) => notice.link === '/people/access-reviews')).toBe(true);

    // The line manager reviews it; the practitioner cannot see the review list.
    expect((await browser.get('/people/access-reviews')).statusCode).toBe(403);
    const managerBrowser = await signIn(context, otherManager);
    const reviews = await managerBrowser.get('/people/access-reviews');
    expect(reviews.statusCode).toBe(200);
    expect(reviews.body).toContain('Sam Hughes');
    expect(reviews.body).toContain(reason);
    expect(reviews.body).not.toContain('Aisha');
    const grant = await context.db
      .selectFrom('break_glass_access')
      .select(['id', 'granted_at', 'expires_at'])
      .where('person_id', '=', person)
      .executeTakeFirstOrThrow();
    expect(grant.expires_at.getTime() - grant.granted_at.getTime()).toBe(24 * 3_600_000);
    const extraField = await managerBrowser.post(`/people/access-reviews/${grant.id}/reviewed`, {
      outcome: 'fine',
    });
    expect(extraField.statusCode).toBe(400);
    expect(errorSummary(extraField.body)).toEqual(['The form has a field it does not expect (outcome)']);
    // A manager of someone else cannot review it.
    const notTheirs = await signIn(context, manager);
    expect((await notTheirs.post(`/people/access-reviews/${grant.id}/reviewed`)).statusCode).toBe(404);
    const reviewed = await managerBrowser.post(`/people/access-reviews/${grant.id}/reviewed`);
    expect(reviewed.statusCode).toBe(303);
    expect((await managerBrowser.get(String(reviewed.headers['location']))).body).toContain(
      'Marked as reviewed',
    );
    const again = await managerBrowser.post(`/people/access-reviews/${grant.id}/reviewed`);
    expect(again.statusCode).toBe(400);
    expect(errorSummary(again.body)).toEqual(['That reason for access has already been reviewed']);
    const dpoReviews = await (await signIn(context, dpo)).get('/people/access-reviews');
    expect(dpoReviews.body).toContain('Reviewed');
    expect(
      await context.db
        .selectFrom('audit_events')
        .select('action')
        .where('person_id', '=', person)
        .where('action', '=', 'person.access_reviewed')
        .execute(),
    ).toHaveLength(1);

    // 24 hours later the record is closed again.
    context.clock.set(new Date(grant.expires_at.getTime() - 120_000));
    expect((await (await signIn(context, unallocated)).get(`/people/${person}`)).statusCode).toBe(200);
    context.clock.set(grant.expires_at);
    const expired = await (await signIn(context, unallocated)).get(`/people/${person}`);
    expect(expired.statusCode).toBe(403);
    expect(expired.body).not.toContain('Aisha');
  });
});
