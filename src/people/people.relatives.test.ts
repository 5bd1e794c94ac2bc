import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { createPerson, signIn } from '../../test/support/factories.ts';
import {
  context,
  organisationId,
  allocated,
  siblingWorker,
  child,
  sibling,
  stranger,
  viewerFor,
  viewEvents,
  counts,
  setUpPeopleWorld,
} from '../../test/support/people-world.ts';

beforeAll(setUpPeopleWorld);

describe('family members', () => {
  it('adds someone new with their relationship, and an existing person found by NHS number or case reference', async () => {
    const child2 = await createPerson(context, {
      organisationId,
      givenNames: 'Isla',
      familyName: 'Wright',
      allocatedTo: allocated.id,
    });
    const browser = await signIn(context, allocated);
    const form = await browser.get(`/people/${child2}/relationships/new`);
    expect(form.statusCode).toBe(200);
    expect((await viewEvents(child2)).at(-1)?.change).toEqual({
      basis: 'allocated',
      page: 'add-family-member',
    });

    const created = await browser.post(`/people/${child2}/relationships/new`, {
      mode: 'new',
      relationship: 'father',
      parentalResponsibility: 'yes',
      givenNames: 'Daniel',
      familyName: 'Wright',
      'dateOfBirth-day': '3',
      'dateOfBirth-month': '4',
      'dateOfBirth-year': '1988',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers['location']).toBe(`/people/${child2}?done=relative-added`);
    const page = await browser.get(String(created.headers['location']));
    expect(page.body).toContain('Daniel Wright');
    expect(page.body).toContain('Father');

    // The father is a family member of someone allocated to the practitioner: they may open his record.
    const father = (
      await context.services.people.relatives(viewerFor(allocated, ['practitioner']), child2)
    ).find((relative) => relative.person.givenNames === 'Daniel');
    expect(father?.parentalResponsibility).toBe(true);
    const fatherPage = await browser.get(`/people/${father?.person.id ?? ''}`);
    expect(fatherPage.statusCode).toBe(200);
    expect((await viewEvents(father?.person.id ?? '')).at(-1)?.change).toEqual({
      basis: 'family-member',
      page: 'record',
    });
    expect(fatherPage.body).toContain('Isla Wright');

    // An existing person the practitioner may open: Jayden (allocated), linked as a half-brother by case reference.
    const existing = await browser.post(`/people/${child2}/relationships/new`, {
      mode: 'existing',
      identifier: 'sbc-204417',
      existingRelationship: 'half_sibling',
      existingParentalResponsibility: 'no',
    });
    expect(existing.statusCode).toBe(303);
    const labels = (
      await context.services.people.relatives(viewerFor(allocated, ['practitioner']), child)
    ).map((relative) => relative.label);
    expect(labels).toContain('Half-brother or half-sister');
  });

  it('refuses unknown relationships, self-links, duplicates and people the practitioner may not open', async () => {
    const browser = await signIn(context, allocated);
    await browser.get(`/people/${child}/relationships/new`);
    const strangerNhs =
      (
        await context.db
          .selectFrom('people')
          .select('nhs_number')
          .where('id', '=', stranger)
          .executeTakeFirstOrThrow()
      ).nhs_number ?? '';
    const cases: { answers: Record<string, string | readonly string[]>; expected: string }[] = [
      {
        answers: {
          mode: 'existing',
          identifier: 'SBC-204417',
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'no',
        },
        expected: 'A person cannot be their own family member',
      },
      {
        answers: {
          mode: 'existing',
          identifier: '943 476 5919',
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'no',
        },
        expected: 'A person cannot be their own family member',
      },
      {
        answers: {
          mode: 'existing',
          identifier: strangerNhs,
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'no',
        },
        expected:
          'No record you can open has that NHS number or case reference. Search for them, and open their record first if you need to',
      },
      {
        answers: {
          mode: 'existing',
          identifier: 'SBC-000000',
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'no',
        },
        expected:
          'No record you can open has that NHS number or case reference. Search for them, and open their record first if you need to',
      },
      {
        answers: {
          mode: 'existing',
          identifier: 'SBC-204417',
          existingRelationship: 'cousin_twice_removed',
          existingParentalResponsibility: 'no',
        },
        expected: 'Select how they are related from the list',
      },
      {
        answers: {
          mode: 'existing',
          identifier: 'SBC-204417',
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'maybe',
        },
        expected: 'Select whether they have parental responsibility',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'stepmum',
          parentalResponsibility: 'yes',
          givenNames: 'Kim',
          familyName: 'Smith',
        },
        expected: 'Select how they are related from the list',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'special_guardian',
          parentalResponsibility: 'no',
          givenNames: 'Kim',
          familyName: 'Smith',
        },
        expected:
          'A carer with parental responsibility or special guardian has parental responsibility: select Yes',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'aunt_or_uncle',
          parentalResponsibility: 'no',
          givenNames: '<b>Kim</b>',
          familyName: 'Smith',
        },
        expected: 'Given names must not contain < or >',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'aunt_or_uncle',
          parentalResponsibility: 'no',
          givenNames: 'Kim',
          familyName: 'Smith',
          'dateOfBirth-day': '1',
          'dateOfBirth-month': '1',
          'dateOfBirth-year': '2090',
        },
        expected: 'Date of birth must be today or in the past',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'aunt_or_uncle',
          parentalResponsibility: 'no',
          givenNames: 'Kim',
          familyName: 'Smith',
          personId: stranger,
        },
        expected: 'The form has a field it does not expect (personId)',
      },
      {
        answers: { mode: 'sideways', relationship: 'aunt_or_uncle' },
        expected: 'Choose whether the family member is already in Safeshare',
      },
      { answers: {}, expected: 'Choose whether the family member is already in Safeshare' },
    ];
    // Ruby is already linked to Jayden (as his sister): linking again, from either side, is a duplicate.
    const ruby = await signIn(context, siblingWorker);
    await ruby.get(`/people/${sibling}/relationships/new`);
    const duplicate = await ruby.post(`/people/${sibling}/relationships/new`, {
      mode: 'existing',
      identifier: 'SBC-204417',
      existingRelationship: 'sibling',
      existingParentalResponsibility: 'no',
    });
    expect(duplicate.statusCode).toBe(400);
    expect(errorSummary(duplicate.body)).toEqual(['These two people are already linked']);

    const before = await counts();
    const rows = await context.db.selectFrom('person_relationships').selectAll().orderBy('id').execute();
    for (const { answers, expected } of cases) {
      const response = await browser.post(`/people/${child}/relationships/new`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
      expect(response.body).not.toContain('Kowalski');
      expect(response.body).not.toContain('<b>Kim</b>');
    }
    const after = await counts();
    expect({ ...after, events: 0 }).toEqual({ ...before, events: 0 });
    expect(await context.db.selectFrom('person_relationships').selectAll().orderBy('id').execute()).toEqual(
      rows,
    );
  });
});
