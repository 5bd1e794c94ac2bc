import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import {
  context,
  practitioner,
  colleague,
  asPractitioner,
  shareToPolice,
  shareToNeighbour,
  shareInternally,
  uuidPattern,
  switchboard,
  expectClean,
  telephoneForm,
  outgoingCallForm,
  postForm,
  disclosureCount,
  checklistFor,
  type Form,
  setUpDisclosureWorld,
} from '../../test/support/disclosure-world.ts';
import { viewerOf } from '../../test/support/consent-fixtures.ts';
import { signIn } from '../../test/support/factories.ts';

beforeAll(setUpDisclosureWorld, 60_000);

describe('the checklists', () => {
  it('telephone: shows the switchboard number and refuses to log anything until the call-back through it is recorded (R4.1.2, R4.1.3)', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(
      browser,
      shareToPolice,
      { recipientIndex: '0', categoryIds: ['education'], method: 'telephone' },
      'incoming',
    );
    expect(page.body).toContain(
      `<p class="govuk-body govuk-!-font-size-24 govuk-!-font-weight-bold" id="switchboard-number">${switchboard}</p>`,
    );
    for (const text of [
      'Did you call back through the organisation’s published switchboard number?',
      'Answer if you received the call, and the caller is not known to you and is from another organisation.',
      'Do not disclose anything to a caller who cannot give one.',
      'The telephone may be used, with its checklist completed.',
    ])
      expect(page.body).toContain(text);
    // Plain words for the practitioner: the requirement IDs are on the disclosure's record (below).
    expect(page.body).not.toMatch(/R\d+\.\d+/);
    expect(page.body).not.toContain('Policy requirement');
    // A question asked on every call received has no hint repeating that the call was received.
    expect(page.body).not.toContain('Answer if you received the call.');
    const stepOne = { recipientIndex: '0', categoryIds: ['education'], method: 'telephone' };
    const before = await disclosureCount();

    const noCallBack = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm({ callBackMade: 'no', callBackNumber: '' }),
    });
    expect(noCallBack.statusCode).toBe(400);
    expect(errorSummary(noCallBack.body)).toEqual([
      'Record the call-back through the switchboard number before disclosing',
    ]);
    expect(noCallBack.body).toContain('href="#callBackMade"');
    expect(noCallBack.body).toContain('id="callBackMade-error"');
    // What was typed is kept.
    expect(noCallBack.body).toContain('value="Sarah Price"');
    expectClean(noCallBack.body);

    const callersNumber = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm({ callBackNumber: '07700 900123' }),
    });
    expect(errorSummary(callersNumber.body)).toEqual([
      'Call back through the organisation’s published switchboard number in the directory, not a number the caller gave',
    ]);

    const noReturnNumber = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm({ returnNumber: '', description: '' }),
    });
    expect(noReturnNumber.statusCode).toBe(400);
    // On the telephone, what was disclosed is asked once, last, as the call's record (R4.1.7).
    expect(errorSummary(noReturnNumber.body)).toEqual([
      'Enter the caller’s return telephone number: do not disclose anything to a caller who cannot give one',
      'Enter what you disclosed during the call',
    ]);

    const voicemail = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm({
        contactConfidential: 'yes',
        messageLeft: 'voicemail',
        messagePermissionRecorded: 'no',
      }),
    });
    expect(errorSummary(voicemail.body)).toEqual([
      'Do not leave a voicemail about a confidential contact without recording the person’s permission',
    ]);

    const blank = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      callDirection: 'incoming',
    });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body).length).toBeGreaterThanOrEqual(10);
    expect(await disclosureCount()).toBe(before);

    const recorded = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm(),
    });
    expect(recorded.statusCode).toBe(303);
    expect(recorded.headers['location']).toMatch(new RegExp(`^/disclosures/${uuidPattern}\\?done=recorded$`));
    expect(await disclosureCount()).toBe(before + 1);
    const shown = await browser.get(recorded.headers['location'] ?? '');
    expect(shown.statusCode).toBe(200);
    expectClean(shown.body);
    for (const text of [
      'Disclosure recorded.',
      'Telephone to Wiltshire Police',
      'DC Sarah Price',
      'Education support, including an EHC plan',
      'Priya Sharma',
      'Not asked for',
      'Did you call back through the organisation’s published switchboard number?',
      'Policy requirement R4.1.2',
      'R4.1.1: The telephone may be used',
    ]) {
      expect(shown.body).toContain(text);
    }
    expect(shown.body).toContain(`href="/decisions/${shareToPolice}"`);
  });

  it('telephone: asks first whether the call was made or received, on its own page, and each asks its own questions (R4.1.x)', async () => {
    const browser = await signIn(context, practitioner);
    const stepOne = { recipientIndex: '0', categoryIds: ['education'], method: 'telephone' };
    const question = await checklistFor(browser, shareToPolice, stepOne);
    // A question page: a GET form, so it works without JavaScript and puts nothing personal in the address.
    expect(question.body).toContain('Did you make the call or receive it?');
    expect(question.body).toContain(
      `<form method="get" action="/decisions/${shareToPolice}/disclosures/checklist"`,
    );
    for (const value of ['incoming', 'outgoing']) expect(question.body).toContain(`value="${value}"`);
    expect(question.body).not.toContain('What is the caller’s name?');

    const unanswered = await browser.get(`/decisions/${shareToPolice}/disclosures/checklist?call=`);
    expect(unanswered.statusCode).toBe(400);
    expect(errorSummary(unanswered.body)).toEqual(['Select whether you made the call or received it']);
    expect(unanswered.body).toContain('href="#call"');

    // A call received: the caller's questions, none of a call made, and no e-mail rules.
    const received = await browser.get(`/decisions/${shareToPolice}/disclosures/checklist?call=incoming`);
    expect(received.statusCode).toBe(200);
    expect(received.body).toContain('What is the caller’s name?');
    expect(received.body).toContain('<input type="hidden" name="callDirection" value="incoming">');
    expect(received.body).not.toContain('Who did you speak to?');
    expect(received.body).not.toMatch(/R4\.6\.[12]|R4\.5\./);

    // A call made: who answered, the number called; no caller, no e-mail rules.
    const made = await browser.get(`/decisions/${shareToPolice}/disclosures/checklist?call=outgoing`);
    expect(made.statusCode).toBe(200);
    expectClean(made.body);
    for (const text of [
      'Who did you speak to?',
      'What is their role and team?',
      'How do you know who you spoke to?',
      'Which number did you call?',
      `id="switchboard-number">${switchboard}</p>`,
      'You made it',
    ])
      expect(made.body).toContain(text);
    for (const text of ['caller’s name', 'Do you know the caller?', 'return telephone number'])
      expect(made.body).not.toContain(text);
    expect(made.body).not.toMatch(/R4\.6\.[12]|R4\.5\./);
    const before = await disclosureCount();

    // Through the switchboard means the directory's switchboard number.
    const wrongNumber = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...outgoingCallForm({ numberCalled: '07700 900123' }),
    });
    expect(wrongNumber.statusCode).toBe(400);
    expect(errorSummary(wrongNumber.body)).toEqual([
      'That is not the organisation’s published switchboard number in the directory: call through the switchboard before you disclose to someone you do not know',
    ]);
    expect(wrongNumber.body).toContain('href="#numberCalled"');
    expect(wrongNumber.body).toContain('Who did you speak to?');

    // A form posted without a direction goes back to the question.
    const noDirection = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...outgoingCallForm({ callDirection: '' }),
    });
    expect(noDirection.statusCode).toBe(400);
    expect(errorSummary(noDirection.body)).toEqual(['Select whether you made the call or received it']);
    expect(await disclosureCount()).toBe(before);

    const recorded = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...outgoingCallForm(),
    });
    expect(recorded.statusCode, errorSummary(recorded.body).join('; ')).toBe(303);
    expect(await disclosureCount()).toBe(before + 1);
    const shown = await browser.get(recorded.headers['location'] ?? '');
    for (const text of [
      'Did you make the call or receive it?',
      'I made the call',
      'Who did you speak to?',
      'DC Sarah Price',
      'I called through the organisation’s published switchboard',
    ])
      expect(shown.body).toContain(text);
    expect(shown.body).not.toContain('What is the caller’s name?');
  });

  it('post: refuses unencrypted media, a courier not on the approved list and a missing address, changing nothing (R4.2.x)', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education', 'health'],
      method: 'post',
    });
    for (const text of [
      'Signed for',
      'approved supplier list',
      'Is the envelope marked ‘Addressee Only’?',
      'value="Rebecca Sutton"',
      'The recipient must confirm receipt within 5 working days',
    ])
      expect(page.body).toContain(text);
    const stepOne = { recipientIndex: '0', categoryIds: ['education', 'health'], method: 'post' };
    const before = await disclosureCount();
    const post = (overrides: Form) =>
      browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
        ...stepOne,
        ...postForm(overrides),
      });

    expect(errorSummary((await post({ mediaEnclosed: 'yes', mediaEncrypted: 'no' })).body)).toEqual([
      'Encrypt the disc or memory stick before you post it',
    ]);
    expect(errorSummary((await post({ service: 'courier', courierId: 'bike-messenger' })).body)).toEqual([
      'Select a courier from the approved list: that courier is not on it',
    ]);
    const noAddress = await post({
      recipientName: '',
      addressLine1: '',
      addressTown: '',
      addressPostcode: 'nowhere',
      addresseeOnly: 'no',
    });
    expect(noAddress.statusCode).toBe(400);
    expect(errorSummary(noAddress.body)).toEqual([
      'Enter the name of the person it is addressed to: an organisation alone is not enough',
      'Enter the first line of the address',
      'Enter the town or city',
      'Enter a full UK postcode, like SN1 2JH',
      'Mark the envelope ‘Addressee Only’',
    ]);
    for (const field of ['recipientName', 'addressLine1', 'addressTown', 'addressPostcode', 'addresseeOnly'])
      expect(noAddress.body).toContain(`href="#${field}"`);

    // A letter is recorded before it goes: what is being sent comes first, in the present tense.
    expect(page.body).not.toContain('What did you disclose?');
    expect(page.body.indexOf('What are you sending?')).toBeGreaterThan(0);
    expect(page.body.indexOf('What are you sending?')).toBeLessThan(
      page.body.indexOf('How is it being sent?'),
    );
    const undescribed = await post({ description: '', addresseeOnly: 'no' });
    expect(errorSummary(undescribed.body)).toEqual([
      'Enter what you are sending',
      'Mark the envelope ‘Addressee Only’',
    ]);
    expect(undescribed.body).toContain('href="#description"');
    expect(await disclosureCount()).toBe(before);
  });

  it('in person: refuses paper carried unsealed and anything electronic unencrypted', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'in-person',
    });
    expect(page.body).toContain('Did you check the recipient’s identity?');
    expect(page.body).toContain('Personal information taken off site is logged first, with the reason');
    // A hand-over is recorded once it is over: what was disclosed comes after how, in the past tense.
    expect(page.body.indexOf('What did you disclose?')).toBeGreaterThan(
      page.body.indexOf('What you carried'),
    );
    expect(page.body).not.toContain('What are you sending?');
    expect(page.body).not.toMatch(/R\d+\.\d+/);
    const before = await disclosureCount();
    const form = {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'in-person',
      recipientName: 'Rebecca Sutton',
      identityChecked: 'yes',
      handedToNamedRecipient: 'yes',
      itemsCarried: 'The education report in a sealed envelope.',
      description: 'Education report.',
    };
    const unsealed = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      paperCarried: 'yes',
      paperSealed: 'no',
      electronicCarried: 'yes',
      electronicEncrypted: 'no',
    });
    expect(unsealed.statusCode).toBe(400);
    const unlogged =
      'Select the entry in your off-site log for what you carried: log it first if you have not';
    expect(errorSummary(unsealed.body)).toEqual([
      unlogged,
      'Carry paper in a sealed envelope or file',
      'Encrypt anything electronic before you carry it',
    ]);
    const nothing = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      paperCarried: 'no',
      electronicCarried: 'no',
    });
    expect(errorSummary(nothing.body)).toEqual([
      unlogged,
      'Select what you carried: paper, something electronic, or both',
    ]);
    expect(await disclosureCount()).toBe(before);
    const sealed = { ...form, paperCarried: 'yes', paperSealed: 'yes', electronicCarried: 'no' };
    // R4.3.3: what was carried off site is carried under an entry of the practitioner's own off-site log.
    const notLogged = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, sealed);
    expect(notLogged.statusCode).toBe(400);
    expect(errorSummary(notLogged.body)).toEqual([unlogged]);
    expect(notLogged.body).toContain('log what you are taking off site');
    const offSite = {
      form: 'paper' as const,
      what: 'The education report, sealed.',
      reasonId: 'home-visit',
      destination: 'The family home',
      dueBackAt: new Date(context.clock.now().getTime() + 6 * 3_600_000),
      protected: true,
      carSafe: true,
    };
    const colleagues = await context.services.custody.log(viewerOf(colleague, ['practitioner']), offSite);
    const someoneElses = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...sealed,
      offSiteEntryId: colleagues,
    });
    expect(errorSummary(someoneElses.body)).toEqual([
      'Select one of your own off-site log entries that is off site or came back in the last fortnight',
    ]);
    expect(await disclosureCount()).toBe(before);
    const own = await context.services.custody.log(asPractitioner, offSite);
    const logged = await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'in-person',
    });
    // The only entry that will do is chosen already.
    expect(logged.body.replace(/\s+/g, ' ')).toMatch(
      new RegExp(
        `<option value="${own}" selected>OS-\\d+: The education report, sealed\\. \\(off site now\\)`,
      ),
    );
    const handed = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...sealed,
      offSiteEntryId: own,
    });
    expect(handed.statusCode, errorSummary(handed.body).join('; ')).toBe(303);
    const disclosure = await browser.get(handed.headers['location'] ?? '');
    expect(disclosure.body).toContain(`href="/off-site/${own}"`);
  });

  it('fax: shows the directory’s number and refuses another number claimed to be it, or one not checked twice (R4.4.1)', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareToPolice, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'fax',
    });
    expect(page.body).toContain('Public protection unit: <strong>01632 960 555</strong>');
    const before = await disclosureCount();
    const form = {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'fax',
      recipientTelephonedFirst: 'yes',
      recipientWaiting: 'yes',
      coverSheet: 'yes',
      receiptConfirmationRequested: 'yes',
      description: 'Attendance summary.',
    };
    const notListed = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...form,
      faxNumber: '01632 960 556',
      numberFromDirectory: 'yes',
    });
    expect(errorSummary(notListed.body)).toEqual([
      'That number is not in the directory for the recipient’s organisation: check it twice instead, or use the directory’s number',
    ]);
    const unchecked = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...form,
      faxNumber: '01632 960 556',
      numberFromDirectory: 'no',
      numberCheckedTwice: 'no',
      recipientWaiting: '',
    });
    expect(errorSummary(unchecked.body)).toEqual([
      'Use the number from the directory, or check the number twice before you send the fax',
      'Ask the recipient to wait by the fax machine: the information is confidential',
    ]);
    expect(await disclosureCount()).toBe(before);
    const sent = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...form,
      faxNumber: '01632960555',
      numberFromDirectory: 'yes',
    });
    expect(sent.statusCode).toBe(303);
  });

  it('e-mail: refuses a subject line that identifies the child, without repeating it in the message (R4.5.5)', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareInternally, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientAddress: '',
    });
    expect(page.body).toContain('jo.bennett@swindon.gov.uk');
    expect(page.body).toContain('What is the subject line? It must not identify anyone.');
    const before = await disclosureCount();
    const form = {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientsNeedIt: 'yes',
      copiesChecked: 'yes',
      markedConfidential: 'yes',
      description: 'The early help assessment.',
    };
    const named = await browser.post(`/decisions/${shareInternally}/disclosures/checklist`, {
      ...form,
      subject: 'Amelia Hughes 12/05/2014 early help',
    });
    expect(named.statusCode).toBe(400);
    const [message] = errorSummary(named.body);
    expect(message).toMatch(/^Remove personal details from the subject line: it contains /);
    expect(message).not.toMatch(/Amelia|Hughes|2014/);
    // The practitioner sees their own subject again, to correct it.
    expect(named.body).toContain('value="Amelia Hughes 12/05/2014 early help"');
    // A relative's name counts too, though no list of names knows it: the record's relatives are checked.
    const relative = await browser.post(`/decisions/${shareInternally}/disclosures/checklist`, {
      ...form,
      subject: 'Qorvathy - early help',
    });
    expect(errorSummary(relative.body)).toEqual([
      'Remove personal details from the subject line: it contains a name',
    ]);
    // Confidential content from the pack's terms counts with no one named.
    const confidential = await browser.post(`/decisions/${shareInternally}/disclosures/checklist`, {
      ...form,
      subject: 'Early help: self-harm disclosed at school',
    });
    expect(errorSummary(confidential.body)).toEqual([
      'Remove personal details from the subject line: it contains confidential content',
    ]);
    const unchecked = await browser.post(`/decisions/${shareInternally}/disclosures/checklist`, {
      ...form,
      copiesChecked: 'no',
      markedConfidential: '',
      subject: 'Early help plan: assessment',
    });
    expect(errorSummary(unchecked.body)).toEqual([
      'Check reply, reply all, cc and bcc before you send it',
      'Mark the message ‘confidential’',
    ]);
    expect(await disclosureCount()).toBe(before);
    const sent = await browser.post(`/decisions/${shareInternally}/disclosures/checklist`, {
      ...form,
      subject: 'Early help plan: assessment',
    });
    expect(sent.statusCode).toBe(303);
  });

  it('e-mail the method policy refuses is refused again at the checklist, if it gets there', async () => {
    const browser = await signIn(context, practitioner);
    const before = await disclosureCount();
    const forced = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientsNeedIt: 'yes',
      copiesChecked: 'yes',
      markedConfidential: 'yes',
      subject: 'Reports',
      description: 'Reports.',
    });
    expect(forced.statusCode).toBe(400);
    expect(errorSummary(forced.body).join(' ')).toContain('Use the secure exchange instead');
    expect(forced.body).toContain('href="#answers"');
    expect(await disclosureCount()).toBe(before);
  });

  it('secure exchange: is never logged from a checklist, only by sending its package', async () => {
    const browser = await signIn(context, practitioner);
    const before = await disclosureCount();
    const form = {
      recipientIndex: '0',
      categoryIds: ['health'],
      method: 'secure-exchange',
      description: 'Health summary.',
    };
    const logged = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      recipientsNeedIt: 'yes',
    });
    expect(logged.statusCode).toBe(400);
    expect(errorSummary(logged.body)).toEqual([
      'Send it through the secure exchange from the decision’s page: sending the package records the disclosure',
    ]);
    // Step 1's hidden answers are checked again: information the decision did not share goes back to step 1.
    const tampered = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      categoryIds: ['parent-criminal-record'],
      recipientsNeedIt: 'yes',
    });
    expect(tampered.statusCode).toBe(303);
    expect(tampered.headers['location']).toBe(`/decisions/${shareToNeighbour}/disclosures/new`);
    expect(await disclosureCount()).toBe(before);
  });
});
