import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import {
  context,
  practitioner,
  colleague,
  elsewhere,
  asPractitioner,
  shareToPolice,
  shareToNeighbour,
  shareInternally,
  notShared,
  expectClean,
  telephoneForm,
  chooseMethod,
  recordTelephoneDisclosure,
  setUpDisclosureWorld,
} from '../../test/support/disclosure-world.ts';
import { signIn } from '../../test/support/factories.ts';

beforeAll(setUpDisclosureWorld, 60_000);

describe('the decision’s confirmation page', () => {
  it('goes on to the sending: a button to the secure exchange, and one to record a disclosure made another way', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${shareToPolice}/confirmation`);
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    expect(page.body).toMatch(
      new RegExp(
        `<a href="/decisions/${shareToPolice}/packages/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button">\\s*Send through the secure exchange\\s*</a>`,
      ),
    );
    expect(page.body).toMatch(
      new RegExp(
        `<a href="/decisions/${shareToPolice}/disclosures/new" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">\\s*Record a disclosure made another way\\s*</a>`,
      ),
    );
    // A decision not to share sends nothing.
    const notSharing = await browser.get(`/decisions/${notShared}/confirmation`);
    expect(notSharing.statusCode).toBe(200);
    expect(notSharing.body).not.toContain('Send through the secure exchange');
    expect(notSharing.body).not.toContain('/disclosures/new');
  });
});

describe('step 1: to whom, what and how', () => {
  it('offers only the decision’s recipients and shared information, and names every missing answer', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${shareToNeighbour}/disclosures/new`);
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    for (const text of [
      'Rebecca Sutton, SEN caseworker',
      'rebecca.sutton@wiltshire.gov.uk',
      'Education',
      'Health, including mental health',
      'Secure exchange',
      'Telephone',
    ])
      expect(page.body).toContain(text);
    expect(page.body).not.toContain('value="parent-criminal-record"');
    expect(page.body).not.toMatch(/Amelia|Hughes/);

    const blank = await browser.post(`/decisions/${shareToNeighbour}/disclosures/new`, {});
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Select who you are disclosing to',
      'Select the information you are disclosing',
      'Select how you are sending it',
    ]);
    expect(blank.body).toContain('href="#recipientIndex"');
    expectClean(blank.body);

    const tampered = await browser.post(`/decisions/${shareToNeighbour}/disclosures/new`, {
      recipientIndex: '3',
      categoryIds: ['parent-criminal-record'],
      method: 'post',
    });
    expect(tampered.statusCode).toBe(400);
    expect(errorSummary(tampered.body)).toEqual([
      'Select who you are disclosing to',
      'Select only information the decision agreed to share',
    ]);
  });

  it('starts with the information the decision shares ticked, and offers the methods the policy allows before those it refuses', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${shareToNeighbour}/disclosures/new`);
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    // Every category the decision shares starts ticked: the practitioner unticks what is not going now.
    for (const category of ['education', 'health'])
      expect(page.body).toMatch(new RegExp(`value="${category}" checked`));
    expect(page.body).toContain('Untick anything you are not disclosing now.');

    // Ordinary and secure e-mail to the neighbouring council are refused: not choices, but listed after them with why.
    const choices = [...page.body.matchAll(/name="method" type="radio" value="([a-z-]+)"/g)].map(
      (match) => match[1],
    );
    expect(choices).toEqual(['secure-exchange', 'post', 'in-person', 'telephone', 'fax']);
    const refused = page.body.slice(page.body.indexOf('Why other methods are not listed'));
    expect(page.body.indexOf('Why other methods are not listed')).toBeGreaterThan(
      page.body.indexOf('value="telephone"'),
    );
    expect(refused).toContain(
      '<strong>Ordinary e-mail</strong>: Ordinary e-mail to another organisation is not secure: it must never carry personal or confidential information.',
    );
    expect(refused).toContain('<strong>Secure e-mail</strong>:');
    // A line for each method, not the policy's paragraph, and no e-mail address to ask for.
    expect(page.body).toContain(
      'Encrypted and time-limited. The recipient signs in to open it and confirms receipt.',
    );
    expect(page.body).not.toContain('keep it locked in the boot');
    expect(page.body).not.toContain('name="recipientAddress"');

    // Within the council, ordinary e-mail is allowed, and the address can be changed.
    const internal = await browser.get(`/decisions/${shareInternally}/disclosures/new`);
    expect(internal.body).toContain('name="method" type="radio" value="email"');
    expect(internal.body).toContain('name="recipientAddress"');
  });

  it('refuses ordinary e-mail from the council to the neighbouring council, explains why and offers the secure exchange', async () => {
    const browser = await signIn(context, practitioner);
    const refused = await chooseMethod(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientAddress: '',
    });
    expect(refused.statusCode).toBe(400);
    expectClean(refused.body);
    expect(errorSummary(refused.body)).toEqual([
      'Ordinary e-mail cannot be used for this disclosure: send it by the secure exchange instead',
    ]);
    // The reasons in plain words: the requirement IDs are for the disclosure's record, not step 1.
    expect(refused.body).toContain('<li>Ordinary e-mail to another organisation is not secure');
    expect(refused.body).toContain(
      '<li>Use the secure exchange: it is encrypted, time-limited and audited.</li>',
    );
    expect(refused.body).not.toMatch(/R\d+\.\d+/);
    expect(refused.body).toMatch(/value="secure-exchange" checked/);
    expect(refused.body).not.toMatch(/value="email" checked/);
    // Step 1's other answers are kept.
    expect(refused.body).toMatch(/value="education" checked/);
    expect(refused.headers['set-cookie']).toBeUndefined();

    const badAddress = await chooseMethod(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientAddress: 'not an address',
    });
    expect(badAddress.statusCode).toBe(400);
    expect(errorSummary(badAddress.body)).toEqual([
      'Enter an email address in the correct format, like name@example.gov.uk',
    ]);

    // The secure exchange it offers is accepted, and sending the package (not a checklist) records it.
    const exchange = await chooseMethod(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'secure-exchange',
      recipientAddress: '',
    });
    expect(exchange.statusCode).toBe(303);
    expect(exchange.headers['location']).toBe(`/decisions/${shareToNeighbour}/packages/new`);
  });

  it('keeps personal data out of the address: the draft waits in a signed cookie, and a checklist without one starts again', async () => {
    const browser = await signIn(context, practitioner);
    const chosen = await chooseMethod(browser, shareInternally, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientAddress: 'jo.bennett@swindon.gov.uk',
    });
    expect(chosen.statusCode).toBe(303);
    expect(chosen.headers['location']).toBe(`/decisions/${shareInternally}/disclosures/checklist`);
    expect(String(chosen.headers['set-cookie'])).toMatch(
      /^__Host-safeshare_disclosure=[^;]+;(?=.*; Path=\/;)(?=.*; HttpOnly)(?=.*; Secure)(?=.*; SameSite=Strict)/,
    );
    const page = await browser.get(`/decisions/${shareInternally}/disclosures/checklist`);
    expect(page.body).toContain('jo.bennett@swindon.gov.uk');
    // Step 1 comes back filled in from the draft.
    const again = await browser.get(`/decisions/${shareInternally}/disclosures/new`);
    expect(again.body).toMatch(/value="email" checked/);

    const forged = browser
      .cookie('__Host-safeshare_disclosure')
      ?.replace(/education/, 'parent-criminal-record');
    browser.setCookie('__Host-safeshare_disclosure', forged ?? '');
    const refused = await browser.get(`/decisions/${shareInternally}/disclosures/checklist`);
    expect(refused.statusCode).toBe(303);
    expect(refused.headers['location']).toBe(`/decisions/${shareInternally}/disclosures/new`);
  });
});

describe('who may see what', () => {
  // Something disclosed under the decision to share with the police.
  beforeAll(recordTelephoneDisclosure);

  it('answers 404 to another organisation and to a colleague with no part in the decision', async () => {
    const [disclosure] = (await context.services.disclosures.context(asPractitioner, shareToPolice))
      .disclosures;
    expect(disclosure).toBeDefined();
    const id = disclosure?.id ?? '';
    for (const staff of [elsewhere, colleague]) {
      const browser = await signIn(context, staff);
      expect((await browser.get(`/decisions/${shareToPolice}/disclosures/new`)).statusCode).toBe(404);
      expect(
        (
          await browser.post(`/decisions/${shareToPolice}/disclosures/new`, {
            recipientIndex: '0',
            categoryIds: ['education'],
            method: 'post',
          })
        ).statusCode,
      ).toBe(404);
      expect((await browser.get(`/decisions/${shareToPolice}/disclosures/checklist`)).statusCode).toBe(404);
      expect(
        (
          await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
            recipientIndex: '0',
            categoryIds: ['education'],
            method: 'telephone',
            ...telephoneForm(),
          })
        ).statusCode,
      ).toBe(404);
      expect((await browser.get(`/disclosures/${id}`)).statusCode).toBe(404);
      expect((await browser.post(`/disclosures/${id}/receipt`, { how: 'Forged.' })).statusCode).toBe(404);
    }
    const browser = await signIn(context, practitioner);
    expect((await browser.get('/disclosures/not-a-uuid')).statusCode).toBe(404);
    expect((await browser.get(`/disclosures/${randomUUID()}`)).statusCode).toBe(404);
    expect((await browser.get('/decisions/not-a-uuid/disclosures/new')).statusCode).toBe(404);
  });

  it('refuses to disclose under a decision not to share', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${notShared}/disclosures/new`);
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('Nothing can be disclosed under this decision');
  });
});
