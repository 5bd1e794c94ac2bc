import { z } from 'zod';
import type { ChannelMethodId, ChannelPolicy } from '../policy/index.ts';
import { multiline, singleLine, textRule, type TextShape } from '../lib/text.schema.ts';
import { ukPostcode } from '../lib/fields.ts';
import { methodName, type MethodReason, type RequirementId, type Sensitivity } from './channels.methods.ts';
import { checkSubject, describeFindings } from './channels.subject.ts';

/**
 * The checklist each method demands (source policy 4.1 to 4.6), as questions with the requirement
 * each meets, and `checkChecklist`, which the disclosure log calls before it records a disclosure:
 * answers that are incomplete or contradict each other (an unknown caller and no call-back, a disc
 * posted unencrypted, a voicemail left about a confidential contact without permission) are
 * refused with a GOV.UK-style message per field. Pure: what the directory knows (the switchboard
 * and fax numbers) and the method policy's answer come in the context.
 */

export interface ChecklistItem {
  /** The answer's field name. */
  readonly id: string;
  readonly requirement: RequirementId;
  readonly question: string;
  /**
   * The answer it takes: `confirm` a true that must be true (a step done), `yes-no` a true or false
   * fact, `text` free text, `number` a telephone or fax number, `choice` one of the listed values,
   * `address` a postal address.
   */
  readonly answer: 'confirm' | 'yes-no' | 'text' | 'number' | 'choice' | 'address';
  /** When the question applies, if not always. */
  readonly when?: string;
}

/** The telephone checklist asks about a call received or a call made, never both (R4.1.x). */
export const callDirections = ['incoming', 'outgoing'] as const;
const receivedCall = 'You received the call';
const madeCall = 'You made the call';

const items: Record<ChannelMethodId, readonly ChecklistItem[]> = {
  telephone: [
    {
      id: 'callDirection',
      requirement: 'R4.1.1',
      answer: 'choice',
      question: 'Did you make the call or receive it?',
    },
    // A call received (R4.1.1 to R4.1.4): who the caller is, and the call-back before disclosing.
    {
      id: 'callerName',
      requirement: 'R4.1.1',
      answer: 'text',
      question: 'What is the caller’s name?',
      when: receivedCall,
    },
    {
      id: 'callerOrganisation',
      requirement: 'R4.1.1',
      answer: 'text',
      question: 'Which organisation is the caller from?',
      when: receivedCall,
    },
    {
      id: 'callerDetails',
      requirement: 'R4.1.1',
      answer: 'text',
      question: 'How did the caller identify themselves (job title, team, address)?',
      when: receivedCall,
    },
    {
      id: 'callerVerified',
      requirement: 'R4.1.1',
      answer: 'confirm',
      question: 'Have you checked who the caller is?',
      when: receivedCall,
    },
    {
      id: 'callerKnown',
      requirement: 'R4.1.2',
      answer: 'yes-no',
      question: 'Do you know the caller?',
      when: receivedCall,
    },
    {
      id: 'callerFromAnotherOrganisation',
      requirement: 'R4.1.2',
      answer: 'yes-no',
      question: 'Is the caller from another organisation?',
      when: receivedCall,
    },
    {
      id: 'callBackMade',
      requirement: 'R4.1.2',
      answer: 'confirm',
      question: 'Did you call back through the organisation’s published switchboard number?',
      when: 'You received the call, and the caller is not known to you and is from another organisation',
    },
    {
      id: 'callBackNumber',
      requirement: 'R4.1.2',
      answer: 'number',
      question: 'Which number did you call back on?',
      when: 'You received the call and called back',
    },
    {
      id: 'returnNumber',
      requirement: 'R4.1.3',
      answer: 'number',
      question: 'What is the caller’s return telephone number?',
      when: receivedCall,
    },
    {
      id: 'onlyToPersonWhoAsked',
      requirement: 'R4.1.4',
      answer: 'confirm',
      question: 'Are you giving the information only to the person who asked for it?',
      when: receivedCall,
    },
    // A call made (R4.1.1, R4.1.2, R4.1.4): the number from the directory, and who answered.
    {
      id: 'personReached',
      requirement: 'R4.1.1',
      answer: 'text',
      question: 'Who did you speak to?',
      when: madeCall,
    },
    {
      id: 'personRole',
      requirement: 'R4.1.1',
      answer: 'text',
      question: 'What is their role and team?',
      when: madeCall,
    },
    {
      id: 'identityConfirmed',
      requirement: 'R4.1.2',
      answer: 'choice',
      question:
        'How do you know who you spoke to: you know them, or you called through the organisation’s published switchboard?',
      when: madeCall,
    },
    {
      id: 'numberCalled',
      requirement: 'R4.1.2',
      answer: 'number',
      question: 'Which number did you call?',
      when: madeCall,
    },
    {
      id: 'onlyToPersonReached',
      requirement: 'R4.1.4',
      answer: 'confirm',
      question: 'Did you give the information only to the person you meant to reach?',
      when: madeCall,
    },
    // Either way (R4.1.5 to R4.1.7).
    {
      id: 'contactConfidential',
      requirement: 'R4.1.5',
      answer: 'yes-no',
      question: 'Is the fact that the person contacted your service itself confidential?',
    },
    {
      id: 'messageLeft',
      requirement: 'R4.1.5',
      answer: 'choice',
      question: 'Did you leave a message: none, with someone else, or on voicemail?',
    },
    {
      id: 'messagePermissionRecorded',
      requirement: 'R4.1.5',
      answer: 'confirm',
      question: 'Have you recorded the person’s permission to leave a message?',
      when: 'The contact is confidential and you left a message',
    },
    {
      id: 'notOverheard',
      requirement: 'R4.1.6',
      answer: 'confirm',
      question: 'Are you somewhere you cannot be overheard?',
    },
    {
      id: 'disclosed',
      requirement: 'R4.1.7',
      answer: 'text',
      question: 'What did you disclose during the call?',
    },
  ],
  post: [
    {
      id: 'service',
      requirement: 'R4.2.1',
      answer: 'choice',
      question: 'How is it being sent: registered, signed for, or by courier?',
    },
    {
      id: 'courierId',
      requirement: 'R4.2.2',
      answer: 'choice',
      question: 'Which approved courier?',
      when: 'Sent by courier',
    },
    {
      id: 'trackingReference',
      requirement: 'R4.2.1',
      answer: 'text',
      question: 'What is the tracking reference?',
    },
    {
      id: 'recipientName',
      requirement: 'R4.2.5',
      answer: 'text',
      question: 'Which named person is it addressed to?',
    },
    { id: 'address', requirement: 'R4.2.5', answer: 'address', question: 'What is the full postal address?' },
    {
      id: 'addresseeOnly',
      requirement: 'R4.2.6',
      answer: 'confirm',
      question: 'Is the envelope marked ‘Addressee Only’?',
    },
    {
      id: 'innerAndOuterEnvelope',
      requirement: 'R4.2.7',
      answer: 'confirm',
      question: 'Is it in an inner envelope inside a plain outer envelope?',
    },
    {
      id: 'packagingAdequate',
      requirement: 'R4.2.4',
      answer: 'confirm',
      question: 'Will the packaging protect the contents?',
    },
    {
      id: 'mediaEnclosed',
      requirement: 'R4.2.3',
      answer: 'yes-no',
      question: 'Is a disc, memory stick or other electronic media enclosed?',
    },
    {
      id: 'mediaEncrypted',
      requirement: 'R4.2.3',
      answer: 'confirm',
      question: 'Is the media encrypted?',
      when: 'Electronic media is enclosed',
    },
    {
      id: 'receiptRequested',
      requirement: 'R4.2.8',
      answer: 'confirm',
      question: 'Have you asked the recipient to confirm receipt?',
    },
  ],
  'in-person': [
    { id: 'recipientName', requirement: 'R2.11', answer: 'text', question: 'Who did you hand it to?' },
    {
      id: 'identityChecked',
      requirement: 'R2.11',
      answer: 'confirm',
      question: 'Did you check the recipient’s identity?',
    },
    {
      id: 'handedToNamedRecipient',
      requirement: 'R2.11',
      answer: 'confirm',
      question: 'Did you hand it to the named recipient and no one else?',
    },
    { id: 'itemsCarried', requirement: 'R4.3.3', answer: 'text', question: 'What did you carry?' },
    { id: 'paperCarried', requirement: 'R4.3.4', answer: 'yes-no', question: 'Did you carry paper?' },
    {
      id: 'paperSealed',
      requirement: 'R4.3.4',
      answer: 'confirm',
      question: 'Was the paper in a sealed envelope or file?',
      when: 'You carried paper',
    },
    {
      id: 'electronicCarried',
      requirement: 'R4.3.5',
      answer: 'yes-no',
      question: 'Did you carry anything electronic (laptop, memory stick)?',
    },
    {
      id: 'electronicEncrypted',
      requirement: 'R4.3.5',
      answer: 'confirm',
      question: 'Was it encrypted?',
      when: 'You carried anything electronic',
    },
  ],
  fax: [
    {
      id: 'recipientTelephonedFirst',
      requirement: 'R4.4.1',
      answer: 'confirm',
      question: 'Did you telephone the recipient to say the fax is coming?',
    },
    { id: 'faxNumber', requirement: 'R4.4.1', answer: 'number', question: 'Which fax number?' },
    {
      id: 'numberFromDirectory',
      requirement: 'R4.4.1',
      answer: 'yes-no',
      question: 'Is it the pre-programmed number from the directory?',
    },
    {
      id: 'numberCheckedTwice',
      requirement: 'R4.4.1',
      answer: 'confirm',
      question: 'Did you check the number twice?',
      when: 'The number is not from the directory',
    },
    {
      id: 'recipientWaiting',
      requirement: 'R4.4.1',
      answer: 'confirm',
      question: 'Is the recipient waiting by the fax machine?',
      when: 'The information is about a person',
    },
    {
      id: 'coverSheet',
      requirement: 'R4.4.1',
      answer: 'confirm',
      question: 'Did you use a fax cover sheet?',
    },
    {
      id: 'receiptConfirmationRequested',
      requirement: 'R4.4.2',
      answer: 'confirm',
      question: 'Have you asked the recipient to confirm they received it?',
    },
  ],
  email: [
    {
      id: 'recipientsNeedIt',
      requirement: 'R4.5.2',
      answer: 'confirm',
      question: 'Does every recipient need the information?',
    },
    {
      id: 'copiesChecked',
      requirement: 'R4.5.3',
      answer: 'confirm',
      question: 'Have you checked reply, reply all, cc and bcc?',
    },
    {
      id: 'markedConfidential',
      requirement: 'R4.5.4',
      answer: 'confirm',
      question: 'Is the message marked ‘confidential’?',
    },
    {
      id: 'subject',
      requirement: 'R4.5.5',
      answer: 'text',
      question: 'What is the subject line? It must not identify anyone.',
    },
  ],
  'secure-email': [
    {
      id: 'recipientsNeedIt',
      requirement: 'R4.5.2',
      answer: 'confirm',
      question: 'Does every recipient need the information?',
    },
    {
      id: 'copiesChecked',
      requirement: 'R4.5.3',
      answer: 'confirm',
      question: 'Have you checked reply, reply all, cc and bcc?',
    },
    {
      id: 'markedConfidential',
      requirement: 'R4.5.4',
      answer: 'confirm',
      question: 'Is the message marked ‘confidential’?',
    },
    {
      id: 'subject',
      requirement: 'R4.5.5',
      answer: 'text',
      question: 'What is the subject line? It must not identify anyone.',
    },
  ],
  'secure-exchange': [
    {
      id: 'recipientsNeedIt',
      requirement: 'R2.11',
      answer: 'confirm',
      question: 'Does every recipient need the information?',
    },
  ],
};

/** The questions a method asks, in order. */
export function checklistFor(method: ChannelMethodId): readonly ChecklistItem[] {
  return items[method];
}

// ---------------------------------------------------------------- answers

/** A yes/no question whose only acceptable answer is yes: the message says what to do. */
const yes = (message: string) => z.boolean({ error: message }).refine((value) => value, { error: message });
const yesNo = (message: string) => z.boolean({ error: message });
/** A typed answer under the one text rule; its messages name it as the too-long message does ("The caller’s name"). */
const text = (message: string, max: number, tooLong: string, shape: TextShape = singleLine) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .max(max, tooLong)
    .superRefine(textRule(tooLong.slice(0, tooLong.indexOf(' must be ')), shape));
const phone = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .refine(
      (value) => /^\+?[\d\s()-]{7,25}$/.test(value) && (value.match(/\d/g)?.length ?? 0) >= 7,
      'Enter a telephone number, like 01632 960001',
    );

/** What every call records, made or received (R4.1.5 to R4.1.7). */
const everyCall = {
  contactConfidential: yesNo('Select yes if the fact that the person contacted your service is confidential'),
  messageLeft: z.enum(['none', 'with-someone-else', 'voicemail'], {
    error: 'Select whether you left a message: none, with someone else, or on voicemail',
  }),
  messagePermissionRecorded: z
    .boolean({ error: 'Select yes if you recorded the person’s permission to leave a message' })
    .optional(),
  notOverheard: yes('Make the call where you cannot be overheard'),
  disclosed: text(
    'Enter what you disclosed during the call',
    2000,
    'What you disclosed must be 2000 characters or fewer',
    multiline,
  ),
};

const directionMessage = 'Select whether you made the call or received it';

const receivedCallAnswers = z.strictObject({
  callDirection: z.literal('incoming', { error: directionMessage }),
  callerName: text('Enter the caller’s name', 200, 'The caller’s name must be 200 characters or fewer'),
  callerOrganisation: text(
    'Enter the caller’s organisation',
    200,
    'The caller’s organisation must be 200 characters or fewer',
  ),
  callerDetails: text(
    'Enter how the caller identified themselves, like their job title and team',
    500,
    'The caller’s details must be 500 characters or fewer',
    multiline,
  ),
  callerVerified: yes('Check who the caller is before you disclose anything'),
  callerKnown: yesNo('Select yes if you know the caller'),
  callerFromAnotherOrganisation: yesNo('Select yes if the caller is from another organisation'),
  callBackMade: z.boolean({ error: 'Select yes if you called back through the switchboard' }).optional(),
  callBackNumber: z.string({ error: 'Enter the number you called back on' }).trim().optional(),
  returnNumber: phone(
    'Enter the caller’s return telephone number: do not disclose anything to a caller who cannot give one',
  ),
  onlyToPersonWhoAsked: yes(
    'Give the information only to the person who asked for it; if they are not there, leave a message asking them to call you back',
  ),
  ...everyCall,
});

const madeCallAnswers = z.strictObject({
  callDirection: z.literal('outgoing', { error: directionMessage }),
  personReached: text(
    'Enter the name of the person you spoke to',
    200,
    'The name of the person you spoke to must be 200 characters or fewer',
  ),
  personRole: text(
    'Enter the role and team of the person you spoke to',
    200,
    'Their role and team must be 200 characters or fewer',
  ),
  identityConfirmed: z.enum(['known-to-you', 'through-switchboard'], {
    error:
      'Select how you know who you spoke to: you know them, or you called through the organisation’s published switchboard',
  }),
  numberCalled: phone('Enter the number you called'),
  onlyToPersonReached: yes(
    'Give the information only to the person you meant to reach; if they are not there, leave a message asking them to call you back',
  ),
  ...everyCall,
});

const telephoneAnswers = z.discriminatedUnion('callDirection', [receivedCallAnswers, madeCallAnswers]);

/**
 * A telephone checklist is read as the call it says it was. Without a direction it is read for
 * the direction and what every call records, so that each missing answer is still named.
 */
function telephoneSchema(answers: unknown): z.ZodType {
  const direction =
    typeof answers === 'object' && answers !== null && 'callDirection' in answers
      ? answers.callDirection
      : undefined;
  if (direction === 'incoming') return receivedCallAnswers;
  if (direction === 'outgoing') return madeCallAnswers;
  return z.object({ callDirection: z.enum(callDirections, { error: directionMessage }), ...everyCall });
}

const postalAddress = z.strictObject({
  line1: text(
    'Enter the first line of the address',
    200,
    'The first line of the address must be 200 characters or fewer',
  ),
  line2: z
    .string()
    .trim()
    .max(200, 'The second line of the address must be 200 characters or fewer')
    .superRefine(textRule('the second line of the address', singleLine))
    .optional(),
  town: text('Enter the town or city', 100, 'The town or city must be 100 characters or fewer'),
  postcode: ukPostcode,
});

const postAnswers = z.strictObject({
  service: z.enum(['registered', 'signed-for', 'courier'], {
    error: 'Select how it is being sent: registered, signed for or by an approved courier',
  }),
  courierId: z.string({ error: 'Select a courier from the approved list' }).trim().optional(),
  trackingReference: text(
    'Enter the tracking reference',
    60,
    'The tracking reference must be 60 characters or fewer',
  ),
  recipientName: text(
    'Enter the name of the person it is addressed to: an organisation alone is not enough',
    200,
    'The recipient’s name must be 200 characters or fewer',
  ),
  address: postalAddress,
  addresseeOnly: yes('Mark the envelope ‘Addressee Only’'),
  innerAndOuterEnvelope: yes('Put it in an inner envelope inside a plain outer envelope'),
  packagingAdequate: yes('Use packaging that will protect the contents'),
  mediaEnclosed: yesNo('Select yes if a disc, memory stick or other electronic media is enclosed'),
  mediaEncrypted: z.boolean({ error: 'Select yes if the media is encrypted' }).optional(),
  receiptRequested: yes('Ask the recipient to confirm receipt'),
});

const inPersonAnswers = z.strictObject({
  recipientName: text(
    'Enter the name of the person you handed it to',
    200,
    'The recipient’s name must be 200 characters or fewer',
  ),
  identityChecked: yes('Check the recipient’s identity before you hand anything over'),
  handedToNamedRecipient: yes('Hand it only to the named recipient'),
  itemsCarried: text(
    'Enter what you carried',
    1000,
    'What you carried must be 1000 characters or fewer',
    multiline,
  ),
  paperCarried: yesNo('Select yes if you carried paper'),
  paperSealed: z.boolean({ error: 'Select yes if the paper was in a sealed envelope or file' }).optional(),
  electronicCarried: yesNo('Select yes if you carried anything electronic'),
  electronicEncrypted: z.boolean({ error: 'Select yes if it was encrypted' }).optional(),
});

const faxAnswers = z.strictObject({
  recipientTelephonedFirst: yes('Telephone the recipient before you send the fax'),
  faxNumber: phone('Enter the fax number'),
  numberFromDirectory: yesNo('Select yes if the number is the pre-programmed one from the directory'),
  numberCheckedTwice: z.boolean({ error: 'Select yes if you checked the number twice' }).optional(),
  recipientWaiting: z
    .boolean({ error: 'Select yes if the recipient is waiting by the fax machine' })
    .optional(),
  coverSheet: yes('Use a fax cover sheet'),
  receiptConfirmationRequested: yes('Ask the recipient to confirm they received the fax'),
});

const emailAnswers = z.strictObject({
  recipientsNeedIt: yes('Send it only to recipients who need the information'),
  copiesChecked: yes('Check reply, reply all, cc and bcc before you send it'),
  markedConfidential: yes('Mark the message ‘confidential’'),
  subject: text('Enter the subject line', 250, 'The subject line must be 250 characters or fewer'),
});

const secureExchangeAnswers = z.strictObject({
  recipientsNeedIt: yes('Send it only to recipients who need the information'),
});

const answerSchemas = {
  telephone: telephoneAnswers,
  post: postAnswers,
  'in-person': inPersonAnswers,
  fax: faxAnswers,
  email: emailAnswers,
  'secure-email': emailAnswers,
  'secure-exchange': secureExchangeAnswers,
} as const satisfies Record<ChannelMethodId, z.ZodType>;

export type ChecklistAnswers = { readonly [M in ChannelMethodId]: z.output<(typeof answerSchemas)[M]> };
export type TelephoneAnswers = ChecklistAnswers['telephone'];
export type PostAnswers = ChecklistAnswers['post'];
export type InPersonAnswers = ChecklistAnswers['in-person'];
export type FaxAnswers = ChecklistAnswers['fax'];
export type EmailAnswers = ChecklistAnswers['email'];

/** What the checklist needs to know beyond the answers. */
export interface ChecklistContext {
  /** The pack's channel rules (approved couriers, local reference formats). */
  readonly channels: Pick<ChannelPolicy, 'approvedCouriers' | 'localReferences' | 'confidentialContent'>;
  /** How sensitive the information is; none: it identifies no one. */
  readonly sensitivity?: Sensitivity | undefined;
  /** Telephone: the published switchboard number of the organisation called or calling, from the directory (R4.1.2). */
  readonly switchboardNumber?: string | null | undefined;
  /** Post: the recipient organisation's name in the directory, which alone is not a named person (R4.2.5). */
  readonly recipientOrganisationName?: string | undefined;
  /** Fax: the recipient organisation's pre-programmed numbers from the directory (R4.4.1). */
  readonly directoryFaxNumbers?: readonly string[] | undefined;
  /** E-mail: the names of the people concerned, for the subject-line check (R4.5.5). */
  readonly names?: readonly string[] | undefined;
  /** Today, YYYY-MM-DD, for the subject-line check. */
  readonly today: string;
  /** E-mail: the method policy's answer for this e-mail (R4.5.1). */
  readonly advice?:
    | {
        readonly method: ChannelMethodId;
        readonly allowed: boolean;
        readonly reasons: readonly MethodReason[];
        readonly recommended: ChannelMethodId;
      }
    | undefined;
}

export interface ChecklistError {
  readonly field: string;
  readonly message: string;
}

export type ChecklistResult<M extends ChannelMethodId> =
  | { readonly ok: true; readonly method: M; readonly answers: ChecklistAnswers[M] }
  | { readonly ok: false; readonly method: M; readonly errors: readonly ChecklistError[] };

const digitsOf = (number: string) => {
  const digits = number.replace(/\D/g, '');
  return digits.startsWith('44') && digits.length > 10 ? `0${digits.slice(2)}` : digits;
};

/**
 * Words that name an organisation or a part of one, never a person: what is left of a recipient's
 * name without them (and without the recipient organisation's own name) must name someone (R4.2.5).
 */
const organisationWords = new Set(
  (
    'the of and for to at in on a an fao attn attention c/o dept department departments team teams ' +
    'service services unit units office offices hub desk duty front door mash multi agency multi-agency ' +
    'safeguarding safeguard child children children’s childrens child’s family families social care ' +
    'early help protection health visiting visitors council borough county city district metropolitan ' +
    'authority local nhs trust foundation hospital hospitals police constabulary force school academy ' +
    'college nursery surgery practice clinic centre center group partnership board admin administration ' +
    'reception post room mailroom records information governance legal housing education agency agencies'
  ).split(' '),
);

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/'/g, '’')
    .split(/[^\p{L}’/-]+/u)
    .map((word) => word.replace(/^[’/-]+|[’/-]+$/g, ''))
    .filter((word) => word !== '');
}

/** Whether a recipient name is only an organisation's or team's name: "Safeguarding Team", "MASH". */
function namesNoPerson(recipientName: string, organisationName: string | undefined): boolean {
  const organisation = new Set(wordsOf(organisationName ?? ''));
  return wordsOf(recipientName).every((word) => organisationWords.has(word) || organisation.has(word));
}

/** Checks a method's answers: ok with the normalised answers, or every error in question order. */
export function checkChecklist<M extends ChannelMethodId>(
  method: M,
  answers: unknown,
  context: ChecklistContext,
): ChecklistResult<M> {
  const schema: z.ZodType = method === 'telephone' ? telephoneSchema(answers) : answerSchemas[method];
  const parsed = schema.safeParse(answers);
  const errors: ChecklistError[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          errors.push({
            field: [...issue.path.map(String), key].join('.'),
            message: `“${key.slice(0, 60)}” is not a question on the ${method} checklist`,
          });
      } else if (issue.code === 'invalid_type' && issue.path.length === 0) {
        errors.push({ field: '(answers)', message: 'Send the checklist answers as an object' });
      } else {
        errors.push({ field: issue.path.map(String).join('.') || '(answers)', message: issue.message });
      }
    }
  } else {
    errors.push(...contradictions(method, parsed.data as ChecklistAnswers[ChannelMethodId], context));
  }
  if (errors.length > 0) {
    const order = checklistFor(method).map((item) => item.id);
    const rank = (field: string) => {
      const at = order.indexOf(field.split('.')[0] ?? field);
      return at === -1 ? order.length : at;
    };
    const unique = errors.filter(
      (error, index) => errors.findIndex((other) => other.field === error.field) === index,
    );
    return { ok: false, method, errors: unique.sort((a, b) => rank(a.field) - rank(b.field)) };
  }
  return { ok: true, method, answers: parsed.data as ChecklistAnswers[M] };
}

/** The rules between answers: what one answer demands of another. */
function contradictions(
  method: ChannelMethodId,
  answers: ChecklistAnswers[ChannelMethodId],
  context: ChecklistContext,
): ChecklistError[] {
  const errors: ChecklistError[] = [];
  const error = (field: string, message: string) => errors.push({ field, message });
  switch (method) {
    case 'telephone': {
      const call = answers as TelephoneAnswers;
      const switchboard = context.switchboardNumber ?? null;
      // R4.1.2: an unknown caller from another organisation is called back through its published switchboard.
      if (call.callDirection === 'incoming' && !call.callerKnown && call.callerFromAnotherOrganisation) {
        if (switchboard === null) {
          error(
            'callBackNumber',
            'The directory has no published switchboard number for the caller’s organisation: do not disclose until you have called back through one the directory holds',
          );
        } else if (call.callBackMade !== true) {
          error('callBackMade', 'Record the call-back through the switchboard number before disclosing');
        } else if (call.callBackNumber === undefined || call.callBackNumber === '') {
          error('callBackNumber', 'Enter the switchboard number you called back on');
        } else if (digitsOf(call.callBackNumber) !== digitsOf(switchboard)) {
          error(
            'callBackNumber',
            'Call back through the organisation’s published switchboard number in the directory, not a number the caller gave',
          );
        }
      }
      // R4.1.2: a call made to someone you do not know goes through the directory's switchboard number.
      if (call.callDirection === 'outgoing' && call.identityConfirmed === 'through-switchboard') {
        if (switchboard === null)
          error(
            'numberCalled',
            'The directory has no published switchboard number for the organisation you called: do not disclose to someone you do not know until you have called through one the directory holds',
          );
        else if (digitsOf(call.numberCalled) !== digitsOf(switchboard))
          error(
            'numberCalled',
            'That is not the organisation’s published switchboard number in the directory: call through the switchboard before you disclose to someone you do not know',
          );
      }
      // R4.1.5: a confidential contact is never left as a message without recorded permission.
      if (
        call.contactConfidential &&
        call.messageLeft !== 'none' &&
        call.messagePermissionRecorded !== true
      ) {
        error(
          'messagePermissionRecorded',
          call.messageLeft === 'voicemail'
            ? 'Do not leave a voicemail about a confidential contact without recording the person’s permission'
            : 'Do not leave a message with someone else about a confidential contact without recording the person’s permission',
        );
      }
      break;
    }
    case 'post': {
      const post = answers as PostAnswers;
      // R4.2.1, R4.2.2: a courier must be one the post room approved.
      if (post.service === 'courier') {
        if (post.courierId === undefined || post.courierId === '')
          error('courierId', 'Select the courier from the approved list');
        else if (!context.channels.approvedCouriers.some((courier) => courier.id === post.courierId))
          error('courierId', 'Select a courier from the approved list: that courier is not on it');
      } else if (post.courierId !== undefined && post.courierId !== '') {
        error(
          'courierId',
          'A courier was selected but the service is not courier: select courier as the service, or remove the courier',
        );
      }
      // R4.2.5: addressed to a named person, not only to an organisation or one of its teams.
      if (namesNoPerson(post.recipientName, context.recipientOrganisationName))
        error(
          'recipientName',
          'Address it to a named person, not only to an organisation or team: add the person’s name, like ‘Ruth Adeyemi, Safeguarding Team’',
        );
      // R4.2.3: media sent by post are encrypted.
      if (post.mediaEnclosed && post.mediaEncrypted !== true)
        error('mediaEncrypted', 'Encrypt the disc or memory stick before you post it');
      break;
    }
    case 'in-person': {
      const visit = answers as InPersonAnswers;
      if (!visit.paperCarried && !visit.electronicCarried)
        error('paperCarried', 'Select what you carried: paper, something electronic, or both');
      // R4.3.4, R4.3.5: paper sealed, anything electronic encrypted.
      if (visit.paperCarried && visit.paperSealed !== true)
        error('paperSealed', 'Carry paper in a sealed envelope or file');
      if (visit.electronicCarried && visit.electronicEncrypted !== true)
        error('electronicEncrypted', 'Encrypt anything electronic before you carry it');
      break;
    }
    case 'fax': {
      const fax = answers as FaxAnswers;
      // R4.4.1: the directory's pre-programmed number, or a number checked twice.
      if (fax.numberFromDirectory) {
        const listed = (context.directoryFaxNumbers ?? []).some(
          (number) => digitsOf(number) === digitsOf(fax.faxNumber),
        );
        if (!listed)
          error(
            'faxNumber',
            'That number is not in the directory for the recipient’s organisation: check it twice instead, or use the directory’s number',
          );
      } else if (fax.numberCheckedTwice !== true) {
        error(
          'numberCheckedTwice',
          'Use the number from the directory, or check the number twice before you send the fax',
        );
      }
      if (context.sensitivity !== undefined && fax.recipientWaiting !== true)
        error(
          'recipientWaiting',
          'Ask the recipient to wait by the fax machine: the information is confidential',
        );
      break;
    }
    case 'email':
    case 'secure-email': {
      const mail = answers as EmailAnswers;
      // R4.5.1: the method policy must allow this e-mail at all.
      const advice = context.advice;
      if (advice === undefined || advice.method !== method) {
        error('method', 'Check the method with the method policy before you send the e-mail');
      } else if (!advice.allowed) {
        const refusal = advice.reasons.find((reason) => reason.effect === 'refuses');
        error(
          'method',
          `The method policy does not allow this e-mail${refusal === undefined ? '' : ` (${refusal.requirement}: ${refusal.explanation})`}. Use ${methodName(advice.recommended)} instead`,
        );
      }
      // R4.5.5, R2.5: nothing identifying anyone in the subject line.
      const check = checkSubject(mail.subject, {
        names: context.names,
        localReferences: context.channels.localReferences,
        confidentialContent: context.channels.confidentialContent,
        today: context.today,
      });
      if (!check.clean)
        error(
          'subject',
          `Remove personal details from the subject line: it contains ${describeFindings(check.findings)}`,
        );
      break;
    }
    case 'secure-exchange':
      break;
  }
  return errors;
}
