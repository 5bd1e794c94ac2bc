import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { signIn } from '../../test/support/factories.ts';
import {
  context,
  organisationId,
  otherOrganisationId,
  allocated,
  siblingWorker,
  admin,
  child,
  viewEvents,
  counts,
  setUpPeopleWorld,
} from '../../test/support/people-world.ts';

beforeAll(setUpPeopleWorld);

describe('adding and changing people', () => {
  function validPerson(
    overrides: Record<string, string | readonly string[]> = {},
  ): Record<string, string | readonly string[]> {
    return {
      givenNames: 'Oliver James',
      familyName: 'O’Brien-Hughes',
      knownAs: 'Ollie',
      'dateOfBirth-day': '14',
      'dateOfBirth-month': '9',
      'dateOfBirth-year': '2019',
      nhsNumber: '999 000 0026',
      localReference: 'SBC-300101',
      upn: 'b801200005001',
      externalId: 'MOSAIC-88812',
      addressLine1: '12 Drove Road',
      addressLine2: '',
      town: 'Swindon',
      postcode: 'sn1 3ab',
      ...overrides,
    };
  }

  it('adds a person, allocates them to the practitioner who added them, and audits it', async () => {
    const browser = await signIn(context, siblingWorker);
    expect((await browser.get('/people/new')).statusCode).toBe(200);
    const response = await browser.post('/people/new', validPerson());
    expect(response.statusCode).toBe(303);
    const id =
      /^\/people\/([0-9a-f-]{36})\?done=created$/.exec(String(response.headers['location']))?.[1] ?? '';
    const row = await context.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      organisation_id: organisationId,
      given_names: 'Oliver James',
      family_name: 'O’Brien-Hughes',
      known_as: 'Ollie',
      date_of_birth: '2019-09-14',
      nhs_number: '9990000026',
      upn: 'B801200005001',
      postcode: 'SN1 3AB',
    });
    const allocation = await context.db
      .selectFrom('allocations')
      .selectAll()
      .where('person_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(allocation.user_id).toBe(siblingWorker.id);
    const actions = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('person_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(actions.map((event) => event.action)).toEqual(['person.created', 'person.allocated']);
    const page = await browser.get(String(response.headers['location']));
    expect(page.body).toContain('Record added');
    expect(page.body).toContain('this person is allocated to you');
    // Searchable at once, by a name word the organisation had not seen before.
    const found = await browser.post('/people/search', { query: 'obrien hughs' });
    expect(found.body).toContain(`/people/${id}`);
  });

  it('refuses every kind of bad answer with an error summary, and changes nothing', async () => {
    const browser = await signIn(context, siblingWorker);
    await browser.get('/people/new');
    const cases: { answers: Record<string, string | readonly string[]>; expected: string }[] = [
      { answers: {}, expected: 'Enter given names' },
      { answers: validPerson({ familyName: '' }), expected: 'Enter family name' },
      {
        answers: validPerson({ givenNames: 'x'.repeat(5000) }),
        expected: 'Given names must be 100 characters or fewer',
      },
      {
        answers: validPerson({ givenNames: '<script>alert(1)</script>' }),
        expected: 'Given names must not contain < or >',
      },
      {
        answers: validPerson({ familyName: "Smith'); DROP TABLE people;--" }),
        expected: 'Family name must only include letters, spaces, hyphens and apostrophes',
      },
      { answers: validPerson({ givenNames: ['Oliver', 'James'] }), expected: 'Enter given names' },
      {
        answers: validPerson({ isAllocatedTo: admin.id }),
        expected: 'The form has a field it does not expect (isAllocatedTo)',
      },
      {
        answers: validPerson({ nhsNumber: '999 000 0027' }),
        expected: 'Enter a valid NHS number: check you have typed it correctly',
      },
      {
        answers: validPerson({ nhsNumber: '999 000 0000' }),
        expected: 'Enter a valid NHS number: check you have typed it correctly',
      },
      {
        answers: validPerson({ nhsNumber: '12345' }),
        expected: 'NHS number must be 10 digits, like 999 123 4567',
      },
      {
        answers: validPerson({ nhsNumber: '943-476-5919' }),
        expected: 'NHS number must be 10 digits, like 999 123 4567',
      },
      {
        answers: validPerson({ nhsNumber: '943 476 5919' }),
        expected: 'A record with this NHS number already exists: search for it instead',
      },
      {
        answers: validPerson({ upn: 'A801200005001' }),
        expected: 'Enter a valid unique pupil number: check you have typed it correctly',
      },
      {
        answers: validPerson({ upn: '12345' }),
        expected:
          'Unique pupil number must be a letter then 11 digits then a digit or letter, like A123456789012',
      },
      {
        answers: validPerson({ postcode: 'NOT A POSTCODE' }),
        expected: 'Enter a full UK postcode, like SN1 2JH',
      },
      {
        answers: validPerson({ localReference: "1' OR '1'='1" }),
        expected:
          'Case reference must only include letters, numbers, hyphens, slashes, full stops and underscores',
      },
      {
        answers: validPerson({ 'dateOfBirth-year': '2099' }),
        expected: 'Date of birth must be today or in the past',
      },
      {
        answers: validPerson({ 'dateOfBirth-year': '1899' }),
        expected: 'Date of birth must be the same as or after 1 January 1900',
      },
      {
        answers: validPerson({ 'dateOfBirth-day': '30', 'dateOfBirth-month': '2' }),
        expected: 'Date of birth must be a real date',
      },
      { answers: validPerson({ 'dateOfBirth-day': '' }), expected: 'Date of birth must include a day' },
      { answers: validPerson({ 'dateOfBirth-year': '19' }), expected: 'Year must include 4 numbers' },
      { answers: validPerson({ 'dateOfBirth-month': 'ten' }), expected: 'Date of birth must be a real date' },
    ];
    const before = await counts();
    for (const { answers, expected } of cases) {
      const response = await browser.post('/people/new', answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
      expect(response.body).not.toContain('<script>alert(1)</script>');
    }
    const date = await browser.post('/people/new', validPerson({ 'dateOfBirth-year': '2099' }));
    expect(date.body).toContain('href="#dateOfBirth-day"');
    expect(await counts()).toEqual(before);
  });

  it('changes details with an audit of what changed, and refuses bad changes', async () => {
    const browser = await signIn(context, allocated);
    const form = await browser.get(`/people/${child}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="943 476 5919"');
    expect((await viewEvents(child)).at(-1)?.change).toEqual({ basis: 'allocated', page: 'edit' });
    const beforeRow = await context.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', child)
      .executeTakeFirstOrThrow();
    const current = {
      givenNames: 'Jayden',
      familyName: 'Smith',
      knownAs: '',
      'dateOfBirth-day': '2',
      'dateOfBirth-month': '3',
      'dateOfBirth-year': '2015',
      nhsNumber: '943 476 5919',
      localReference: 'SBC-204417',
      upn: '',
      externalId: '',
      addressLine1: beforeRow.address_line1 ?? '',
      addressLine2: '',
      town: beforeRow.town ?? '',
      postcode: beforeRow.postcode ?? '',
    };
    const beforeCounts = await counts();
    const changes = () =>
      context.db
        .selectFrom('audit_events')
        .select('action')
        .where('person_id', '=', child)
        .where('action', '<>', 'person.viewed')
        .execute();
    const beforeChanges = await changes();
    for (const [answers, expected] of [
      [{ ...current, givenNames: '' }, 'Enter given names'],
      [{ ...current, 'dateOfBirth-year': '2027' }, 'Date of birth must be today or in the past'],
      [
        { ...current, nhsNumber: '9434765918' },
        'Enter a valid NHS number: check you have typed it correctly',
      ],
      [
        { ...current, organisationId: otherOrganisationId },
        'The form has a field it does not expect (organisationId)',
      ],
    ] as const) {
      const response = await browser.post(`/people/${child}/edit`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body)).toContain(expected);
    }
    expect(
      await context.db.selectFrom('people').selectAll().where('id', '=', child).executeTakeFirstOrThrow(),
    ).toEqual(beforeRow);
    // Re-showing the form is a view of the record; nothing else was written.
    const afterCounts = await counts();
    expect({ ...afterCounts, events: 0 }).toEqual({ ...beforeCounts, events: 0 });
    expect(await changes()).toEqual(beforeChanges);

    const response = await browser.post(`/people/${child}/edit`, {
      ...current,
      knownAs: 'Jay',
      postcode: 'SN2 1DL',
    });
    expect(response.statusCode).toBe(303);
    const event = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('person_id', '=', child)
      .where('action', '=', 'person.updated')
      .executeTakeFirstOrThrow();
    expect(event.change).toEqual({ knownAs: 'Jay', postcode: 'SN2 1DL' });
    expect((await browser.get(String(response.headers['location']))).body).toContain('Details updated');
  });
});
