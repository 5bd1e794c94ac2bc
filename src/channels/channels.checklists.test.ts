import { describe, expect, it } from 'vitest';
import { channelMethodIds, loadPolicyPack, type ChannelMethodId } from '../policy/index.ts';
import { checkChecklist, checklistFor, type ChecklistContext } from './channels.checklists.ts';
import { evaluateMethod, type MethodAdvice } from './channels.policy.ts';

const pack = loadPolicyPack('default');
const today = '2026-11-30';
const base: ChecklistContext = { channels: pack.channels, sensitivity: 'personal', today };

function adviceFor(
  method: 'email' | 'secure-email',
  from: string,
  to: string,
  sameOrganisation: boolean,
): MethodAdvice {
  const answer = evaluateMethod(
    {
      method,
      sender: { organisationId: 'swindon', address: from },
      recipient: { organisationId: sameOrganisation ? 'swindon' : 'wiltshire', address: to },
      directory: {
        senderDomains: ['swindon.gov.uk'],
        recipientDomains: sameOrganisation ? ['swindon.gov.uk'] : ['wiltshire.gov.uk'],
        trustedLink: false,
      },
      sensitivity: 'personal',
    },
    pack,
  );
  if (!answer.ok) throw new Error('the question is valid');
  return answer.advice;
}

/** One complete, consistent set of answers per method. */
const complete: Record<ChannelMethodId, Record<string, unknown>> = {
  telephone: {
    callDirection: 'incoming',
    callerName: 'Dr Anna Kowalska',
    callerOrganisation: 'Great Western Hospital',
    callerDetails: 'Named doctor for safeguarding children, paediatric department',
    callerVerified: true,
    callerKnown: false,
    callerFromAnotherOrganisation: true,
    callBackMade: true,
    callBackNumber: '01632 960003',
    returnNumber: '01632 960450',
    onlyToPersonWhoAsked: true,
    contactConfidential: true,
    messageLeft: 'none',
    notOverheard: true,
    disclosed: 'Dates of the last two strategy discussions and the outcome of the section 47 enquiry.',
  },
  post: {
    service: 'courier',
    courierId: 'council-courier',
    trackingReference: 'CC-2026-11-4471',
    recipientName: 'Ms Ruth Adeyemi, designated safeguarding lead',
    address: {
      line1: 'Oakfield Primary School',
      line2: 'Marlowe Avenue',
      town: 'Swindon',
      postcode: 'sn3 3ph',
    },
    addresseeOnly: true,
    innerAndOuterEnvelope: true,
    packagingAdequate: true,
    mediaEnclosed: true,
    mediaEncrypted: true,
    receiptRequested: true,
  },
  'in-person': {
    recipientName: 'PC Daniel Okoro',
    identityChecked: true,
    handedToNamedRecipient: true,
    itemsCarried: 'Chronology (12 pages) in a sealed envelope',
    paperCarried: true,
    paperSealed: true,
    electronicCarried: false,
  },
  fax: {
    recipientTelephonedFirst: true,
    faxNumber: '01632 960103',
    numberFromDirectory: true,
    recipientWaiting: true,
    coverSheet: true,
    receiptConfirmationRequested: true,
  },
  email: {
    recipientsNeedIt: true,
    copiesChecked: true,
    markedConfidential: true,
    subject: 'Strategy discussion - minutes attached',
  },
  'secure-email': {
    recipientsNeedIt: true,
    copiesChecked: true,
    markedConfidential: true,
    subject: 'Core group minutes',
  },
  'secure-exchange': { recipientsNeedIt: true },
};

const contexts: Record<ChannelMethodId, ChecklistContext> = {
  telephone: { ...base, switchboardNumber: '01632960003' },
  post: { ...base, recipientOrganisationName: 'Oakfield Primary School' },
  'in-person': base,
  fax: { ...base, directoryFaxNumbers: ['01632960103'] },
  email: {
    ...base,
    names: ['Jayden Smith'],
    advice: adviceFor('email', 'a@swindon.gov.uk', 'b@swindon.gov.uk', true),
  },
  'secure-email': {
    ...base,
    names: ['Jayden Smith'],
    advice: {
      ...adviceFor('secure-email', 'a@swindon.gov.uk', 'b@swindon.gov.uk', true),
      method: 'secure-email',
    },
  },
  'secure-exchange': base,
};

function errorsOf(method: ChannelMethodId, answers: unknown, context: ChecklistContext = contexts[method]) {
  const result = checkChecklist(method, answers, context);
  return result.ok ? [] : result.errors;
}

describe('method checklists', () => {
  it.each(channelMethodIds)('accepts complete answers for %s and returns them normalised', (method) => {
    const result = checkChecklist(method, complete[method], contexts[method]);
    expect(result).toMatchObject({ ok: true, method });
    if (method === 'post' && result.ok)
      expect(result.answers).toMatchObject({ address: { postcode: 'SN3 3PH' } });
  });

  it.each(channelMethodIds)(
    'refuses an empty %s checklist, naming every question in order with a clear message',
    (method) => {
      const errors = errorsOf(method, {});
      expect(errors.length).toBeGreaterThan(0);
      const required = checklistFor(method)
        .filter((item) => item.when === undefined)
        .map((item) => item.id);
      expect(errors.map((error) => error.field)).toEqual(expect.arrayContaining(required));
      for (const error of errors) expect(error.message).toMatch(/^[A-Z“‘]/);
    },
  );

  it.each(channelMethodIds)('refuses each missing answer of a %s checklist on its own', (method) => {
    for (const field of Object.keys(complete[method])) {
      const answers = Object.fromEntries(Object.entries(complete[method]).filter(([key]) => key !== field));
      const item = checklistFor(method).find((entry) => entry.id === field);
      // A call received asks its own questions as every checklist does.
      if (
        item?.when !== undefined &&
        item.when !== 'You received the call' &&
        ![
          'callBackMade',
          'callBackNumber',
          'courierId',
          'mediaEncrypted',
          'paperSealed',
          'recipientWaiting',
        ].includes(field)
      )
        continue;
      if (item?.when !== undefined) {
        expect(errorsOf(method, answers).length, `${method}.${field}`).toBeGreaterThan(0);
        continue;
      }
      expect(
        errorsOf(method, answers).map((error) => error.field),
        `${method}.${field}`,
      ).toContain(field);
    }
  });

  it.each(channelMethodIds)('refuses a "no" where the %s checklist needs a "yes"', (method) => {
    const confirmations = checklistFor(method).filter((item) => item.answer === 'confirm');
    expect(confirmations.length).toBeGreaterThan(0);
    for (const item of confirmations) {
      if (complete[method][item.id] !== true) continue;
      expect(
        errorsOf(method, { ...complete[method], [item.id]: false }).map((error) => error.field),
        `${method}.${item.id}`,
      ).toContain(item.id);
    }
  });

  it('refuses answers that are not an object, and questions that are not on the checklist', () => {
    expect(errorsOf('telephone', null)).toEqual([
      { field: '(answers)', message: 'Send the checklist answers as an object' },
    ]);
    expect(errorsOf('secure-exchange', { recipientsNeedIt: true, viaUsb: true })).toEqual([
      { field: 'viaUsb', message: '“viaUsb” is not a question on the secure-exchange checklist' },
    ]);
  });
});

describe('contradictions each checklist refuses', () => {
  const telephone = complete.telephone;

  it('telephone: an unknown caller from another organisation and no call-back through the switchboard (R4.1.2)', () => {
    expect(errorsOf('telephone', { ...telephone, callBackMade: false })).toEqual([
      {
        field: 'callBackMade',
        message: 'Record the call-back through the switchboard number before disclosing',
      },
    ]);
    expect(
      errorsOf('telephone', { ...telephone, callBackMade: undefined, callBackNumber: undefined }),
    ).toEqual([
      {
        field: 'callBackMade',
        message: 'Record the call-back through the switchboard number before disclosing',
      },
    ]);
    expect(errorsOf('telephone', { ...telephone, callBackNumber: '07700 900123' })[0]).toMatchObject({
      field: 'callBackNumber',
      message: expect.stringContaining('published switchboard number') as unknown,
    });
    expect(
      errorsOf('telephone', telephone, { ...contexts.telephone, switchboardNumber: null })[0],
    ).toMatchObject({
      field: 'callBackNumber',
      message: expect.stringContaining('no published switchboard number') as unknown,
    });
    // The same number written differently is the same number.
    expect(errorsOf('telephone', { ...telephone, callBackNumber: '+44 1632 960003' })).toEqual([]);
    // A known caller, or one from your own organisation, needs no call-back.
    expect(
      errorsOf('telephone', {
        ...telephone,
        callerKnown: true,
        callBackMade: undefined,
        callBackNumber: undefined,
      }),
    ).toEqual([]);
    expect(
      errorsOf('telephone', {
        ...telephone,
        callerFromAnotherOrganisation: false,
        callBackMade: undefined,
        callBackNumber: undefined,
      }),
    ).toEqual([]);
  });

  const outgoing = {
    callDirection: 'outgoing',
    personReached: 'DC Sarah Price',
    personRole: 'Detective constable, child abuse investigation team',
    identityConfirmed: 'through-switchboard',
    numberCalled: '01632 960003',
    onlyToPersonReached: true,
    contactConfidential: false,
    messageLeft: 'none',
    notOverheard: true,
    disclosed: 'The dates of the last two home visits.',
  };

  it('telephone: asks first whether the call was made or received, and each direction asks its own questions (R4.1.x)', () => {
    const questions = checklistFor('telephone');
    expect(questions[0]).toMatchObject({
      id: 'callDirection',
      question: 'Did you make the call or receive it?',
    });
    const received = questions.filter((item) => item.when?.startsWith('You received the call'));
    const made = questions.filter((item) => item.when === 'You made the call');
    expect(received.map((item) => item.id)).toEqual(
      expect.arrayContaining(['callerName', 'callerKnown', 'callBackMade', 'returnNumber']),
    );
    expect(made.map((item) => item.id)).toEqual([
      'personReached',
      'personRole',
      'identityConfirmed',
      'numberCalled',
      'onlyToPersonReached',
    ]);
    // No caller questions on a call you made, no e-mail rules on a call at all.
    expect(made.some((item) => /caller/i.test(item.question))).toBe(false);
    expect(questions.filter((item) => !/^R4\.1\.\d$/.test(item.requirement))).toEqual([]);

    // Without a direction: that, and what every call records, are asked; no caller question is.
    expect(errorsOf('telephone', {}).map((error) => error.field)).toEqual([
      'callDirection',
      'contactConfidential',
      'messageLeft',
      'notOverheard',
      'disclosed',
    ]);
    expect(errorsOf('telephone', { ...telephone, callDirection: 'sideways' })[0]).toEqual({
      field: 'callDirection',
      message: 'Select whether you made the call or received it',
    });
  });

  it('telephone: a call made records who answered and the number called, not a caller (R4.1.1, R4.1.2)', () => {
    expect(checkChecklist('telephone', outgoing, contexts.telephone)).toMatchObject({ ok: true });
    // A call made is not asked about a caller, and a call received is.
    expect(errorsOf('telephone', { ...outgoing, callerName: 'Sarah Price' })).toEqual([
      { field: 'callerName', message: '“callerName” is not a question on the telephone checklist' },
    ]);
    expect(errorsOf('telephone', { ...telephone, callDirection: 'outgoing' }).map((e) => e.field)).toEqual(
      expect.arrayContaining(['personReached', 'personRole', 'identityConfirmed', 'numberCalled']),
    );
    const nameless = Object.fromEntries(
      Object.entries(outgoing).filter(
        ([question]) => question !== 'personReached' && question !== 'personRole',
      ),
    );
    expect(errorsOf('telephone', nameless)).toEqual([
      { field: 'personReached', message: 'Enter the name of the person you spoke to' },
      { field: 'personRole', message: 'Enter the role and team of the person you spoke to' },
    ]);
    expect(errorsOf('telephone', { ...outgoing, onlyToPersonReached: false })[0]).toMatchObject({
      field: 'onlyToPersonReached',
    });
  });

  it('telephone: a call made to someone you do not know goes through the directory’s switchboard number (R4.1.2)', () => {
    expect(errorsOf('telephone', { ...outgoing, numberCalled: '07700 900123' })).toEqual([
      {
        field: 'numberCalled',
        message:
          'That is not the organisation’s published switchboard number in the directory: call through the switchboard before you disclose to someone you do not know',
      },
    ]);
    expect(
      errorsOf('telephone', outgoing, { ...contexts.telephone, switchboardNumber: null })[0],
    ).toMatchObject({
      field: 'numberCalled',
      message: expect.stringContaining('no published switchboard number') as unknown,
    });
    expect(errorsOf('telephone', { ...outgoing, numberCalled: '+44 1632 960003' })).toEqual([]);
    // Someone you know may be rung on their own line.
    expect(
      errorsOf('telephone', { ...outgoing, identityConfirmed: 'known-to-you', numberCalled: '07700 900123' }),
    ).toEqual([]);
    expect(errorsOf('telephone', { ...outgoing, identityConfirmed: 'they-said-so' })[0]).toMatchObject({
      field: 'identityConfirmed',
    });
    // R4.1.5 holds for a call made too.
    expect(
      errorsOf('telephone', { ...outgoing, contactConfidential: true, messageLeft: 'voicemail' })[0],
    ).toMatchObject({ field: 'messagePermissionRecorded' });
  });

  it('the advice on a call, a letter or a fax lists none of e-mail’s rules (R4.6.1, R4.6.2); on an e-mail it does', () => {
    const reasonsFor = (method: ChannelMethodId, from: string, to: string, same: boolean) => {
      const answer = evaluateMethod(
        {
          method,
          sender: { organisationId: 'swindon', address: from },
          recipient: { organisationId: same ? 'swindon' : 'nhs', address: to },
          directory: {
            senderDomains: ['swindon.gov.uk', 'swindon.gcsx.gov.uk'],
            recipientDomains: same ? ['swindon.gov.uk'] : ['nhs.net'],
            trustedLink: false,
          },
          sensitivity: 'personal',
        },
        pack,
      );
      if (!answer.ok) throw new Error('the question is valid');
      return answer.advice.reasons.map((reason) => reason.requirement);
    };
    const routes = [
      ['a@swindon.gov.uk', 'b@swindon.gov.uk', true],
      ['a@swindon.gov.uk', 'b@nhs.net', false],
      ['a@swindon.gcsx.gov.uk', 'b@nhs.net', false],
    ] as const;
    for (const [from, to, same] of routes) {
      for (const method of ['telephone', 'post', 'fax'] as const)
        expect(reasonsFor(method, from, to, same), `${method} ${from} ${to}`).not.toEqual(
          expect.arrayContaining([expect.stringMatching(/^R4\.6\.[12]$/)]),
        );
      expect(reasonsFor('email', from, to, same), `email ${from} ${to}`).toEqual(
        expect.arrayContaining([expect.stringMatching(/^R4\.6\.[12]$/)]),
      );
    }
  });

  it('telephone: no return number, no disclosure (R4.1.3)', () => {
    expect(errorsOf('telephone', { ...telephone, returnNumber: '' })[0]).toMatchObject({
      field: 'returnNumber',
      message: expect.stringContaining('do not disclose anything') as unknown,
    });
  });

  it('telephone: a confidential contact and a voicemail or message left without recorded permission (R4.1.5)', () => {
    expect(errorsOf('telephone', { ...telephone, messageLeft: 'voicemail' })).toEqual([
      {
        field: 'messagePermissionRecorded',
        message:
          'Do not leave a voicemail about a confidential contact without recording the person’s permission',
      },
    ]);
    expect(
      errorsOf('telephone', {
        ...telephone,
        messageLeft: 'with-someone-else',
        messagePermissionRecorded: false,
      })[0],
    ).toMatchObject({ field: 'messagePermissionRecorded' });
    expect(
      errorsOf('telephone', { ...telephone, messageLeft: 'voicemail', messagePermissionRecorded: true }),
    ).toEqual([]);
    expect(
      errorsOf('telephone', { ...telephone, contactConfidential: false, messageLeft: 'voicemail' }),
    ).toEqual([]);
  });

  it('post: media not encrypted, an unapproved courier, a courier without the courier service (R4.2.2, R4.2.3)', () => {
    expect(errorsOf('post', { ...complete.post, mediaEncrypted: false })).toEqual([
      { field: 'mediaEncrypted', message: 'Encrypt the disc or memory stick before you post it' },
    ]);
    expect(errorsOf('post', { ...complete.post, courierId: 'man-with-a-van' })).toEqual([
      { field: 'courierId', message: 'Select a courier from the approved list: that courier is not on it' },
    ]);
    expect(errorsOf('post', { ...complete.post, service: 'registered' })[0]).toMatchObject({
      field: 'courierId',
    });
    expect(errorsOf('post', { ...complete.post, service: 'signed-for', courierId: undefined })).toEqual([]);
    expect(errorsOf('post', { ...complete.post, trackingReference: ' ' })).toEqual([
      { field: 'trackingReference', message: 'Enter the tracking reference' },
    ]);
    expect(
      errorsOf('post', {
        ...complete.post,
        address: { ...(complete.post['address'] as object), postcode: 'SWINDON' },
      })[0],
    ).toMatchObject({ field: 'address.postcode' });
  });

  it('post: addressed only to an organisation or a team, not a named person (R4.2.5)', () => {
    const refusal = [
      {
        field: 'recipientName',
        message:
          'Address it to a named person, not only to an organisation or team: add the person’s name, like ‘Ruth Adeyemi, Safeguarding Team’',
      },
    ];
    for (const recipientName of [
      'Oakfield Primary School',
      'oakfield primary',
      'The Safeguarding Team',
      'Children’s Services',
      "Children's Services, Oakfield",
      'MASH',
      'FAO: Multi-Agency Safeguarding Hub',
    ])
      expect(errorsOf('post', { ...complete.post, recipientName }), recipientName).toEqual(refusal);
    for (const recipientName of ['Ruth Adeyemi', 'Ms R Adeyemi, Safeguarding Team, Oakfield Primary School'])
      expect(errorsOf('post', { ...complete.post, recipientName }), recipientName).toEqual([]);
  });

  it('in person: paper not sealed, electronic not encrypted, nothing carried (R4.3.4, R4.3.5)', () => {
    expect(errorsOf('in-person', { ...complete['in-person'], paperSealed: false })).toEqual([
      { field: 'paperSealed', message: 'Carry paper in a sealed envelope or file' },
    ]);
    expect(errorsOf('in-person', { ...complete['in-person'], electronicCarried: true })).toEqual([
      { field: 'electronicEncrypted', message: 'Encrypt anything electronic before you carry it' },
    ]);
    expect(errorsOf('in-person', { ...complete['in-person'], paperCarried: false })[0]).toMatchObject({
      field: 'paperCarried',
    });
  });

  it('fax: a number neither from the directory nor checked twice, a claimed directory number that is not in it, no one waiting (R4.4.1)', () => {
    expect(errorsOf('fax', { ...complete.fax, numberFromDirectory: false })).toEqual([
      {
        field: 'numberCheckedTwice',
        message: 'Use the number from the directory, or check the number twice before you send the fax',
      },
    ]);
    expect(
      errorsOf('fax', { ...complete.fax, numberFromDirectory: false, numberCheckedTwice: true }),
    ).toEqual([]);
    expect(errorsOf('fax', { ...complete.fax, faxNumber: '01632 960999' })[0]).toMatchObject({
      field: 'faxNumber',
      message: expect.stringContaining('not in the directory') as unknown,
    });
    expect(errorsOf('fax', { ...complete.fax, recipientWaiting: false })).toEqual([
      {
        field: 'recipientWaiting',
        message: 'Ask the recipient to wait by the fax machine: the information is confidential',
      },
    ]);
    expect(
      errorsOf(
        'fax',
        { ...complete.fax, recipientWaiting: false },
        { ...contexts.fax, sensitivity: undefined },
      ),
    ).toEqual([]);
  });

  it('e-mail: a subject that identifies someone (R4.5.5), no confidential marking (R4.5.4), a method the policy refuses (R4.5.1)', () => {
    expect(
      errorsOf('email', { ...complete.email, subject: 'Jayden Smith DOB 12/03/2015 - minutes' }),
    ).toEqual([
      {
        field: 'subject',
        message: 'Remove personal details from the subject line: it contains a name and a date of birth',
      },
    ]);
    expect(errorsOf('email', { ...complete.email, markedConfidential: false })).toEqual([
      { field: 'markedConfidential', message: 'Mark the message ‘confidential’' },
    ]);
    const refused = adviceFor('email', 'a@swindon.gov.uk', 'b@wiltshire.gov.uk', false);
    expect(errorsOf('email', complete.email, { ...contexts.email, advice: refused })[0]).toMatchObject({
      field: 'method',
      message: expect.stringMatching(
        /^The method policy does not allow this e-mail \(R4\.5\.1: .*\)\. Use the secure exchange instead$/,
      ) as unknown,
    });
    expect(errorsOf('email', complete.email, { ...contexts.email, advice: undefined })[0]).toMatchObject({
      field: 'method',
    });
  });
});
