import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import { createPerson, signIn } from '../../test/support/factories.ts';
import {
  context,
  organisationId,
  otherOrganisationId,
  manager,
  allocated,
  dpo,
  child,
  stranger,
  counts,
  setUpPeopleWorld,
} from '../../test/support/people-world.ts';

beforeAll(setUpPeopleWorld);

describe('finding people', () => {
  let browser: TestBrowser;
  let kowalski: string;
  let jaydenJones: string;
  beforeAll(async () => {
    kowalski = await createPerson(context, {
      organisationId,
      givenNames: 'Zofia',
      familyName: 'Kowalski',
      dateOfBirth: '2014-01-20',
      allocatedTo: allocated.id,
    });
    jaydenJones = await createPerson(context, {
      organisationId,
      givenNames: 'Jayden',
      familyName: 'Jones',
      knownAs: 'JJ',
      dateOfBirth: '2013-06-01',
      upn: 'B801200005001',
      allocatedTo: allocated.id,
    });
    await createPerson(context, {
      organisationId: otherOrganisationId,
      givenNames: 'Jayden',
      familyName: 'Smith',
      dateOfBirth: '2015-03-02',
    });
    browser = await signIn(context, allocated);
    await browser.get('/people');
  });

  /** The results section of the page (the caseload below it lists people too). */
  async function search(answers: Record<string, string>) {
    const response = await browser.post('/people/search', answers);
    expect(response.statusCode).toBe(200);
    const start = response.body.indexOf('id="results"');
    const end = response.body.indexOf('My caseload');
    expect(start).toBeGreaterThan(-1);
    return response.body.slice(start, end);
  }

  it('finds names despite typos and from parts of names', async () => {
    const jaden = await search({ query: 'jaden' });
    expect(jaden).toContain(`/people/${child}`);
    expect(jaden).toContain(`/people/${jaydenJones}`);
    const smiht = await search({ query: 'smiht' });
    expect(smiht).toContain(`/people/${child}`);
    expect(smiht).not.toContain(`/people/${jaydenJones}`);
    const kowal = await search({ query: 'Kowal' });
    expect(kowal).toContain(`/people/${kowalski}`);
    expect(kowal).toContain('Kowalski, Zofia');
    const both = await search({ query: 'smith jaden' });
    expect(both).toContain(`/people/${child}`);
    expect(both).not.toContain(`/people/${jaydenJones}`);
    const knownAs = await search({ query: 'jj' });
    expect(knownAs).toContain(`/people/${jaydenJones}`);
    const nothing = await search({ query: 'Xerxes Quimby' });
    expect(nothing).toContain('No records match your search');
  });

  it('finds by date of birth, NHS number, case reference and UPN', async () => {
    const byBirth = await search({
      'dateOfBirth-day': '2',
      'dateOfBirth-month': '3',
      'dateOfBirth-year': '2015',
    });
    expect(byBirth).toContain(`/people/${child}`);
    expect(byBirth).not.toContain(`/people/${kowalski}`);
    const nameAndBirth = await search({
      query: 'jaden',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '6',
      'dateOfBirth-year': '2013',
    });
    expect(nameAndBirth).toContain(`/people/${jaydenJones}`);
    expect(nameAndBirth).not.toContain(`/people/${child}`);
    expect(await search({ query: '943 476 5919' })).toContain(`/people/${child}`);
    expect(await search({ query: '9434765919' })).toContain(`/people/${child}`);
    expect(await search({ query: 'sbc-204417' })).toContain(`/people/${child}`);
    expect(await search({ query: 'B801200005001' })).toContain(`/people/${jaydenJones}`);
    const wrongCheck = await search({ query: '943 476 5918' });
    expect(wrongCheck).toContain('That is not a valid NHS number');
  });

  it('shows only records the viewer may open; the others are counted, with a way to give a reason', async () => {
    const body = await search({ query: 'Anna Kowalski' });
    expect(body).not.toContain('Kowalski, Anna');
    expect(body).not.toContain('2012');
    expect(body).toContain('1 more record matches that you are not allocated to');
    expect(body).toContain(`/people/${stranger}/access`);
    const dpoBrowser = await signIn(context, dpo);
    const asDpo = await dpoBrowser.post('/people/search', { query: 'Anna Kowalski' });
    expect(asDpo.body).toContain('Kowalski, Anna');
    expect(asDpo.body).not.toContain('not allocated to');
  });

  it('never puts the search in the address, and shows the caseload', async () => {
    const page = await browser.get('/people');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('method="post" action="/people/search"');
    expect(page.body).toContain('My caseload');
    expect(page.body).toContain('Smith, Jayden');
    expect(page.body).toContain('Kowalski, Zofia');
    expect(page.body).not.toContain('Kowalski, Anna');
    const team = await (await signIn(context, manager)).get('/people');
    expect(team.body).toContain('My team’s caseload');
    expect(team.body).toContain('Priya Sharma');
    expect(team.body).toContain('Smith, Jayden');
    expect((await browser.get('/people/search')).statusCode).toBe(303);
  });

  it('refuses bad searches with an error summary', async () => {
    const cases: { answers: Record<string, string | readonly string[]>; expected: string }[] = [
      { answers: {}, expected: 'Enter a name, NHS number or case reference, or a date of birth' },
      {
        answers: { query: '   ' },
        expected: 'Enter a name, NHS number or case reference, or a date of birth',
      },
      { answers: { query: 'x'.repeat(101) }, expected: 'Search must be 100 characters or fewer' },
      { answers: { query: '<script>alert(1)</script>' }, expected: 'Search must not contain < or >' },
      { answers: { query: '%%%' }, expected: 'Search must include letters or numbers' },
      { answers: { query: ['Jayden', 'Smith'] }, expected: 'Enter a name, NHS number or case reference' },
      {
        answers: { query: 'Jayden', sort: 'name' },
        expected: 'The form has a field it does not expect (sort)',
      },
      {
        answers: { 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', 'dateOfBirth-year': '2015' },
        expected: 'Date of birth must be a real date',
      },
      {
        answers: { 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': '2099' },
        expected: 'Date of birth must be today or in the past',
      },
    ];
    for (const { answers, expected } of cases) {
      const response = await browser.post('/people/search', answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
      expect(response.body).not.toContain('<script>alert(1)</script>');
    }
    const sql = await browser.post('/people/search', { query: "Smith'; DROP TABLE people;--" });
    expect(sql.statusCode).toBe(200);
    expect((await counts()).people).toBeGreaterThan(3);
  });
});
