import { z } from 'zod';
import { singleLine } from '../../lib/fields.ts';
import type { Recipient, RecipientsSection, RequestSection } from '../sharing.answers.ts';
import { text } from './fields.ts';

/** 3. The recipients: one block of fields per recipient, named recipients.<n>.<field>. */

export const recipientFieldNames = [
  'name',
  'role',
  'organisationId',
  'email',
  'telephone',
  'reason',
] as const;
export const maxRecipients = 50;
/** The longest account of why a recipient needs the information; the page counts down to it. */
export const recipientReasonLimit = 2000;

export interface RecipientValues {
  readonly name: string;
  readonly role: string;
  readonly organisationId: string;
  readonly email: string;
  readonly telephone: string;
  readonly reason: string;
}
export const blankRecipient: RecipientValues = {
  name: '',
  role: '',
  organisationId: '',
  email: '',
  telephone: '',
  reason: '',
};

/** What the recipients page asks for: continue, add another block, or remove one. */
export type RecipientsAction =
  | { readonly kind: 'continue' }
  | { readonly kind: 'add' }
  | { readonly kind: 'remove'; readonly index: number };

const recipientKey = /^recipients\.(\d{1,2})\.(name|role|organisationId|email|telephone|reason)$/;

/** Reads the posted blocks (and the button pressed); anything else in the form is refused. */
export const recipientsPost = z.preprocess(
  (body: unknown) => {
    const grouped: Record<string, unknown> = {};
    const blocks: Record<string, string>[] = [];
    if (body === null || typeof body !== 'object') return body;
    for (const [key, value] of Object.entries(body)) {
      const match = recipientKey.exec(key);
      if (match === null) {
        grouped[key] = value;
        continue;
      }
      const index = Number(match[1]);
      const field = match[2] ?? '';
      if (typeof value !== 'string' || index >= maxRecipients) {
        grouped[key] = value;
        continue;
      }
      blocks[index] = { ...(blocks[index] ?? {}), [field]: value.slice(0, 5000) };
    }
    grouped['recipients'] = Array.from(blocks, (block) => ({ ...blankRecipient, ...block }));
    return grouped;
  },
  z.strictObject({
    recipients: z.array(
      z.strictObject({
        name: z.string(),
        role: z.string(),
        organisationId: z.string(),
        email: z.string(),
        telephone: z.string(),
        reason: z.string(),
      }),
    ),
    action: z
      .string({ error: 'The form could not be read: start again' })
      .regex(/^(continue|add|remove-\d{1,2})$/, 'The form could not be read: start again')
      .optional()
      .transform((value): RecipientsAction =>
        value === undefined || value === 'continue'
          ? { kind: 'continue' }
          : value === 'add'
            ? { kind: 'add' }
            : { kind: 'remove', index: Number(value.slice('remove-'.length)) },
      ),
  }),
);

/** Checks each block; entirely blank extra blocks are dropped. Errors name the recipient when there are several. */
export function recipientsSectionFrom(
  blocks: readonly RecipientValues[],
): { ok: true; value: RecipientsSection } | { ok: false; issues: z.core.$ZodIssue[] } {
  const filled = blocks.filter(
    (block, index) => index === 0 || recipientFieldNames.some((field) => block[field].trim() !== ''),
  );
  const several = filled.length > 1;
  const issues: z.core.$ZodIssue[] = [];
  const recipients: Recipient[] = [];
  filled.forEach((block, index) => {
    const who = several ? `recipient ${String(index + 1)}` : 'the recipient';
    const schema = z.strictObject({
      name: text(`the name of ${who}`, 200, singleLine).refine(
        (value) => value !== undefined,
        `Enter the name of ${who}`,
      ),
      role: text(`the role of ${who}`, 200, singleLine).refine(
        (value) => value !== undefined,
        `Enter the role of ${who}`,
      ),
      organisationId: z
        .string()
        .transform((value) => (value === '' ? undefined : value))
        .pipe(z.uuid({ error: `Select the organisation of ${who} from the list` }).optional())
        .refine((value) => value !== undefined, `Select the organisation of ${who}`),
      email: z
        .string()
        .trim()
        .transform((value) => (value === '' ? undefined : value.toLowerCase()))
        .pipe(
          z
            .email({
              error: `Enter the email address of ${who} in the correct format, like name@example.org.uk`,
            })
            .max(254, 'Email address must be 254 characters or fewer')
            .optional(),
        ),
      telephone: text(`the telephone number of ${who}`, 40, singleLine),
      reason: text(`why ${who} needs the information`, recipientReasonLimit).refine(
        (value) => value !== undefined,
        `Enter why ${who} needs the information`,
      ),
    });
    const parsed = schema.safeParse(block);
    if (!parsed.success) {
      issues.push(
        ...parsed.error.issues.map((issue) => ({ ...issue, path: ['recipients', index, ...issue.path] })),
      );
      return;
    }
    const { name, role, organisationId, email, telephone, reason } = parsed.data;
    if (organisationId === undefined) return;
    recipients.push({
      name,
      role,
      organisationId,
      reason,
      ...(email === undefined ? {} : { email }),
      ...(telephone === undefined ? {} : { telephone }),
    });
  });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { recipients } };
}

export function recipientValues(
  section: RecipientsSection | undefined,
  request: RequestSection | undefined,
): RecipientValues[] {
  if (section !== undefined) {
    return section.recipients.map((recipient) => ({
      name: recipient.name,
      role: recipient.role,
      organisationId: recipient.organisationId,
      email: recipient.email ?? '',
      telephone: recipient.telephone ?? '',
      reason: recipient.reason,
    }));
  }
  // An agency's request: the person who asked is usually the one to receive the answer.
  if (request?.requesterKind === 'agency') {
    return [
      {
        ...blankRecipient,
        name: request.requesterName ?? '',
        role: request.requesterRole ?? '',
        organisationId: request.requesterOrganisationId ?? '',
      },
    ];
  }
  return [blankRecipient];
}
