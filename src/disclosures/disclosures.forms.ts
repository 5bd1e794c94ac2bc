import { z } from 'zod';
import { callDirections, checklistFor, type ChecklistItem } from '../channels/index.ts';
import { checkText, multiline, singleLine, type TextShape } from '../lib/text.ts';
import { textRule } from '../lib/text.schema.ts';
import { channelMethodIds, type ChannelMethodId } from '../policy/index.ts';
import { checkboxes, dateFieldNames, dateParts, readDate } from '../lib/fields.ts';
import type { MisdirectedAnswers } from './disclosures.schema.ts';
import type { WithdrawalNoticeMethod } from './disclosures.table.ts';
import type { WithdrawalNoticeAnswers } from './disclosures.withdrawal.service.ts';

/**
 * The disclosure log's forms: what each page posts, turned into the canonical answers of
 * disclosures.schema.ts. Step 1 chooses the recipient, the information and the method; step 2 is the
 * method's checklist, whose answers go to the channels capability's checks unchanged in meaning
 * (radios "yes" and "no" become true and false, blanks are left out so that its messages name them).
 */

export const decisionParams = z.strictObject({ id: z.uuid() });
export const disclosureParams = z.strictObject({ id: z.uuid() });
export const disclosurePageQuery = z.object({
  done: z.enum(['recorded', 'receipt']).optional().catch(undefined),
});
/** The telephone checklist's page: for a call received or made, chosen on the page before it. */
export const checklistPageQuery = z.object({ call: z.string().max(40).optional().catch('') });

type CallDirection = (typeof callDirections)[number];

/** A call's direction as the telephone checklist takes it, or undefined when there is none. */
export function callDirectionOf(value: unknown): CallDirection | undefined {
  return callDirections.find((direction) => direction === value);
}

/** The telephone checklist's questions that belong to the other direction of call. */
function otherDirection(item: ChecklistItem, call: CallDirection | undefined): boolean {
  const made = item.when === 'You made the call';
  const received = item.when?.startsWith('You received the call') === true;
  return (call === 'incoming' && made) || (call === 'outgoing' && received);
}

export const misdirectedPageQuery = z.object({ done: z.enum(['recorded']).optional().catch(undefined) });

/** The methods as a radio button or a table cell names them. */
export const methodLabels: Record<ChannelMethodId, string> = {
  'secure-exchange': 'Secure exchange',
  'secure-email': 'Secure e-mail',
  email: 'Ordinary e-mail',
  post: 'Post',
  'in-person': 'By hand, in person',
  telephone: 'Telephone',
  fax: 'Fax',
};

/** Each method in a line, for step 1's choice of method: its checklist says the rest. */
export const methodHints: Record<ChannelMethodId, string> = {
  'secure-exchange': 'Encrypted and time-limited. The recipient signs in to open it and confirms receipt.',
  'secure-email': 'From your address to theirs, when both are on the secure e-mail list.',
  email: 'Only within your organisation, or to one joined to yours by a trusted link.',
  post: 'Registered, signed for or by an approved courier, to a named person.',
  'in-person': 'You hand it to the named recipient yourself, after checking who they are.',
  telephone: 'You check who you are speaking to, and record what you said.',
  fax: 'Only to a number from the partner directory, or one checked twice.',
};

/**
 * Whether a method's checklist is filled in after the information has gone: a call or a hand-over
 * is recorded once it is over, so it asks what was disclosed; a letter, an e-mail or a fax is
 * recorded before it is sent, so it asks what is being sent.
 */
export function recordedAfterSharing(method: ChannelMethodId): boolean {
  return method === 'telephone' || method === 'in-person';
}

/** Each method's checklist template. */
export const checklistTemplates: Record<ChannelMethodId, string> = {
  telephone: 'telephone',
  post: 'post',
  'in-person': 'in-person',
  fax: 'fax',
  email: 'email',
  'secure-email': 'email',
  'secure-exchange': 'secure-exchange',
};

export function isEmail(method: ChannelMethodId): boolean {
  return method === 'email' || method === 'secure-email';
}

// ---------------------------------------------------------------------------------------------
// Step 1: to whom, what, how

export const stepOneFields = ['recipientIndex', 'categoryIds', 'method', 'recipientAddress'] as const;

export interface StepOneAnswers {
  readonly recipientIndex: number;
  readonly categoryIds: readonly string[];
  readonly method: ChannelMethodId;
  /** E-mail only: the address typed, when not the one the decision holds. */
  readonly recipientAddress?: string | undefined;
}

const loose = (max: number) => z.string().max(max).optional();
const emailFormat = z.email();

/** What the decision allows the step 1 answers to be. */
export interface StepOneChoices {
  readonly recipients: number;
  readonly categoryIds: readonly string[];
  readonly methods: readonly ChannelMethodId[];
}

/** Step 1's answers; the same schema re-checks them when they come back as hidden fields with the checklist. */
export function stepOneForm(choices: StepOneChoices) {
  return z
    .strictObject({
      recipientIndex: loose(3),
      categoryIds: checkboxes(z.string().max(60)).pipe(z.array(z.string()).max(50)),
      method: loose(40),
      recipientAddress: loose(254),
    })
    .transform((raw, ctx): StepOneAnswers => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const index =
        raw.recipientIndex === undefined || !/^\d{1,2}$/.test(raw.recipientIndex)
          ? undefined
          : Number(raw.recipientIndex);
      if (index === undefined || index >= choices.recipients)
        problem('recipientIndex', 'Select who you are disclosing to');
      const categoryIds = [...new Set(raw.categoryIds)];
      if (categoryIds.length === 0) problem('categoryIds', 'Select the information you are disclosing');
      else if (!categoryIds.every((id) => choices.categoryIds.includes(id)))
        problem('categoryIds', 'Select only information the decision agreed to share');
      const method = choices.methods.find((candidate) => candidate === raw.method);
      if (method === undefined) problem('method', 'Select how you are sending it');
      const typed = raw.recipientAddress?.trim().toLowerCase() ?? '';
      const recipientAddress = method !== undefined && isEmail(method) && typed !== '' ? typed : undefined;
      if (recipientAddress !== undefined && !emailFormat.safeParse(recipientAddress).success)
        problem('recipientAddress', 'Enter an email address in the correct format, like name@example.gov.uk');
      if (index === undefined || method === undefined || ctx.issues.length > 0) return z.NEVER;
      return {
        recipientIndex: index,
        categoryIds,
        method,
        ...(recipientAddress === undefined ? {} : { recipientAddress }),
      };
    });
}

/** Step 1's answers as the form fields that carry them (hidden fields, the draft, the form's values). */
export function stepOneValues(answers: StepOneAnswers): Record<string, string | string[]> {
  return {
    recipientIndex: String(answers.recipientIndex),
    categoryIds: [...answers.categoryIds],
    method: answers.method,
    recipientAddress: answers.recipientAddress ?? '',
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: the method's checklist

/** The address question's parts, as form fields. */
const addressParts = {
  line1: 'addressLine1',
  line2: 'addressLine2',
  town: 'addressTown',
  postcode: 'addressPostcode',
} as const;

/**
 * The form fields a method's checklist posts. On the telephone the call's "what did you disclose"
 * is the disclosure's description, asked once.
 */
export function checklistFields(method: ChannelMethodId): string[] {
  return checklistFor(method).flatMap((item) =>
    item.answer === 'address'
      ? Object.values(addressParts)
      : method === 'telephone' && item.id === 'disclosed'
        ? []
        : [item.id],
  );
}

/** Step 2: step 1's answers again (hidden), the checklist as typed and what was disclosed. */
export function stepTwoForm(method: ChannelMethodId) {
  const checklist = Object.fromEntries(checklistFields(method).map((field) => [field, loose(5000)]));
  return z.strictObject({
    recipientIndex: loose(3),
    categoryIds: checkboxes(z.string().max(60)).pipe(z.array(z.string()).max(50)),
    method: loose(40),
    recipientAddress: loose(254),
    description: loose(5000),
    /** In person: the off-site log entry it was carried under (R4.3.3). */
    offSiteEntryId: loose(100),
    ...checklist,
  });
}

/**
 * The checklist's answers from the form: yes and no as true and false, text trimmed, blanks left
 * out (the checklist's own messages then say what is missing).
 */
export function checklistAnswers(
  method: ChannelMethodId,
  form: Readonly<Record<string, unknown>>,
  description: string,
): Record<string, unknown> {
  const read = (field: string) => {
    const value = form[field];
    return typeof value === 'string' ? value.trim() : '';
  };
  const answers: Record<string, unknown> = {};
  const call = method === 'telephone' ? callDirectionOf(read('callDirection')) : undefined;
  for (const item of checklistFor(method)) {
    if (otherDirection(item, call)) continue;
    if (method === 'telephone' && item.id === 'disclosed') {
      if (description !== '') answers[item.id] = description;
      continue;
    }
    if (item.answer === 'address') {
      const address: Record<string, string> = {};
      for (const [part, field] of Object.entries(addressParts)) {
        const value = read(field);
        if (value !== '') address[part] = value;
      }
      answers[item.id] = address;
      continue;
    }
    const value = read(item.id);
    if (value === '') continue;
    if (item.answer === 'confirm' || item.answer === 'yes-no') {
      if (value === 'yes') answers[item.id] = true;
      else if (value === 'no') answers[item.id] = false;
    } else {
      answers[item.id] = value;
    }
  }
  return answers;
}

/** The form field a rule's problem is about, so that the error summary links to it. */
export function fieldOfProblem(method: ChannelMethodId, field: string): string {
  if (field === 'description' || field === 'offSiteEntryId') return field;
  if (!field.startsWith('checklist.')) return 'answers';
  const [id = '', part] = field.slice('checklist.'.length).split('.');
  if (id === 'address')
    return part !== undefined && part in addressParts
      ? addressParts[part as keyof typeof addressParts]
      : addressParts.line1;
  if (method === 'telephone' && id === 'disclosed') return 'description';
  return checklistFields(method).includes(id) ? id : 'answers';
}

/**
 * A checklist question as the method's template shows it: the question and when it applies, in
 * plain words. The requirement it meets is for the disclosure's record, which the DPO reads, not
 * for the practitioner filling it in.
 */
export interface ChecklistQuestion extends ChecklistItem {
  /** When it applies, or blank: a call's direction is chosen before its page, so it is not repeated. */
  readonly hint: string;
}

const directionOnly: readonly (string | undefined)[] = [
  undefined,
  'You received the call',
  'You made the call',
];

/** The checklist's questions by id, for the method's template. */
export function questionsOf(method: ChannelMethodId): Record<string, ChecklistQuestion> {
  return Object.fromEntries(
    checklistFor(method).map((item) => {
      const when = item.when === undefined || directionOnly.includes(item.when) ? undefined : item.when;
      const hint = when === undefined ? '' : `Answer if ${when.charAt(0).toLowerCase()}${when.slice(1)}.`;
      return [item.id, { ...item, hint }];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Receipt and misdirected information

export const receiptForm = z.strictObject({
  how: z
    .string({ error: 'Enter how the recipient confirmed they received it' })
    .trim()
    .min(1, 'Enter how the recipient confirmed they received it')
    .max(1000, 'How they confirmed must be 1000 characters or fewer')
    .superRefine(textRule('how they confirmed', multiline)),
});

export const misdirectedActions = ['passedOn', 'senderTold'] as const;
export const misdirectedFields = [
  ...dateFieldNames('receivedOn'),
  'method',
  'sender',
  'intendedFor',
  'whatArrived',
  'actions',
  'actionDetails',
] as const;

/** A required text answer, checked in the form's transform so that every problem is named at once. */
function requiredText(
  value: string | undefined,
  max: number,
  messages: {
    readonly label: string;
    readonly shape: TextShape;
    readonly blank: string;
    readonly tooLong: string;
  },
  path: string,
  problem: (path: string, message: string) => void,
): string {
  const text = value?.trim() ?? '';
  const fault = checkText(messages.label, text, messages.shape);
  if (text === '') problem(path, messages.blank);
  else if (text.length > max) problem(path, messages.tooLong);
  else if (fault !== undefined) problem(path, fault);
  return text;
}

/** Misdirected information received (R4.4.3): when, how, from whom, for whom, what, and what was done. */
export function misdirectedForm(context: { readonly today: string }) {
  return z
    .strictObject({
      ...dateParts('receivedOn'),
      method: loose(40),
      sender: loose(5000),
      intendedFor: loose(5000),
      whatArrived: loose(10_000),
      actions: checkboxes(z.string().max(40)).pipe(z.array(z.string()).max(10)),
      actionDetails: loose(10_000),
    })
    .transform((raw, ctx): MisdirectedAnswers => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const receivedOn = readDate(raw, 'receivedOn');
      if (receivedOn.kind === 'blank') problem('receivedOn', 'Enter the date it arrived');
      else if (receivedOn.kind === 'invalid')
        problem('receivedOn', 'The date it arrived must be a real date');
      else if (receivedOn.value > context.today)
        problem('receivedOn', 'The date it arrived must be today or in the past');
      const method = channelMethodIds.find((candidate) => candidate === raw.method);
      if (method === undefined) problem('method', 'Select how it arrived');
      const sender = requiredText(
        raw.sender,
        300,
        {
          label: 'who sent it',
          shape: singleLine,
          blank: 'Enter who sent it',
          tooLong: 'Who sent it must be 300 characters or fewer',
        },
        'sender',
        problem,
      );
      const intendedFor = requiredText(
        raw.intendedFor,
        300,
        {
          label: 'who it was meant for',
          shape: singleLine,
          blank: 'Enter who it was meant for',
          tooLong: 'Who it was meant for must be 300 characters or fewer',
        },
        'intendedFor',
        problem,
      );
      const whatArrived = requiredText(
        raw.whatArrived,
        4000,
        {
          label: 'what arrived',
          shape: multiline,
          blank: 'Enter what arrived',
          tooLong: 'What arrived must be 4000 characters or fewer',
        },
        'whatArrived',
        problem,
      );
      const actions = raw.actions.filter((action): action is (typeof misdirectedActions)[number] =>
        (misdirectedActions as readonly string[]).includes(action),
      );
      if (actions.length === 0)
        problem(
          'actions',
          'Select what you have done: pass it to the right recipient, tell the sender, or both',
        );
      const actionDetails = requiredText(
        raw.actionDetails,
        4000,
        {
          label: 'what you did',
          shape: multiline,
          blank: 'Enter what you did about it',
          tooLong: 'What you did must be 4000 characters or fewer',
        },
        'actionDetails',
        problem,
      );
      if (receivedOn.kind !== 'date' || method === undefined || ctx.issues.length > 0) return z.NEVER;
      return {
        receivedOn: receivedOn.value,
        method,
        sender,
        intendedFor,
        whatArrived,
        passedOn: actions.includes('passedOn'),
        senderTold: actions.includes('senderTold'),
        actionDetails,
      };
    });
}

/** The addresses of telling recipients that consent was withdrawn (R3.3): ids only. */
export const consentWithdrawalParams = z.strictObject({ consentId: z.uuid() });
export const withdrawalNoticeParams = z.strictObject({ consentId: z.uuid(), organisationId: z.uuid() });
export const consentWithdrawalPageQuery = z.object({ done: z.enum(['told']).optional().catch(undefined) });

/** How a recipient can be told that consent was withdrawn, as the page names each. */
export const withdrawalNoticeMethods: Record<WithdrawalNoticeMethod, string> = {
  letter: 'By letter',
  'secure-email': 'By secure e-mail or the secure exchange',
  telephone: 'By telephone, followed by a note on the case record',
};
export const withdrawalNoticeFields = ['method', ...dateFieldNames('toldOn')];

/** Telling a recipient that consent was withdrawn: how, and on what day (the service checks the day against the withdrawal). */
export function withdrawalNoticeForm(context: { readonly today: string }) {
  return z
    .strictObject({ method: loose(40), ...dateParts('toldOn') })
    .transform((raw, ctx): WithdrawalNoticeAnswers => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const method = (Object.keys(withdrawalNoticeMethods) as WithdrawalNoticeMethod[]).find(
        (candidate) => candidate === raw.method,
      );
      if (method === undefined) problem('method', 'Select how you told them');
      const toldOn = readDate(raw, 'toldOn');
      if (toldOn.kind === 'blank') problem('toldOn', 'Enter the date you told them');
      else if (toldOn.kind === 'invalid') problem('toldOn', 'The date you told them must be a real date');
      else if (toldOn.value > context.today)
        problem('toldOn', 'The date you told them must be today or in the past');
      if (method === undefined || toldOn.kind !== 'date' || ctx.issues.length > 0) return z.NEVER;
      return { method, toldOn: toldOn.value };
    });
}
