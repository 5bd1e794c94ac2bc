import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The channels section of a policy pack (R2.13): which methods of sending exist and what each
 * demands, and which e-mail domains count as secure at both ends (R4.6.2). The rules that read it
 * live in `src/channels`; every list an information governance lead might change lives here.
 */

/** Every method the method policy knows. A pack sets the rules of each; it cannot invent a new one, since each has its own checklist. */
export const channelMethodIds = [
  'secure-exchange',
  'secure-email',
  'email',
  'post',
  'in-person',
  'telephone',
  'fax',
] as const;
export type ChannelMethodId = (typeof channelMethodIds)[number];

const dnsLabel = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** A domain as the pack lists it: lower case, whole labels of a to z, digits and hyphens, never an IP address or an encoded (xn--) label. */
const packDomain = z
  .string()
  .max(253)
  .refine((domain) => {
    const labels = domain.split('.');
    return (
      labels.length >= 2 &&
      labels.every((label) => label.length <= 63 && dnsLabel.test(label) && label.slice(2, 4) !== '--') &&
      !/^\d+$/.test(labels.at(-1) ?? '') &&
      isIP(domain) === 0
    );
  }, 'must be a lower-case domain of whole labels (a to z, digits, hyphens), like "nhs.net"');

/** `endings`: a listed domain covers its subdomains by whole labels (nhs.net covers trust.nhs.net, never notnhs.net); `exact`: only itself. */
export const domainMatchings = ['endings', 'exact'] as const;
export type DomainMatching = (typeof domainMatchings)[number];

const secureDomain = z.strictObject({
  domain: packDomain,
  /** Overrides the list's matching for this entry (e.g. one accredited tenant listed exactly). */
  matching: z.enum(domainMatchings).optional(),
  /** Why the domain is on the list: the network, accreditation or check that put it there. */
  note: z.string().trim().min(1).max(300),
});

const text = (max: number) => z.string().trim().min(1).max(max);

const methodRule = z.strictObject({
  id: z.enum(channelMethodIds),
  /** False: local policy does not offer this method at all (it is refused, with `help` as the reason). */
  available: z.boolean(),
  /** May carry special-category or confidential information about one person (R4.6.5). */
  sensitive: z.boolean(),
  /** May carry information identifying many people: more than the sharing section's bulk threshold (R4.6.5). */
  bulk: z.boolean(),
  /** The recipient is asked to confirm receipt within this many working days, and a receipt not confirmed is followed up (R4.2.8, R4.4.2); null: no receipt asked for. */
  receiptWithinWorkingDays: z.number().int().min(1).max(30).nullable(),
  /** What the practitioner reads beside this method. */
  help: text(1000),
});

const courier = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .max(60),
  label: text(200),
});

/** A local case reference format, as the source of a regular expression matched case-insensitively on whole words. */
const localReference = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .max(300)
    .superRefine((source, context) => {
      let expression: RegExp;
      try {
        expression = new RegExp(source, 'i');
      } catch {
        context.addIssue({ code: 'custom', message: 'must be a valid regular expression' });
        return;
      }
      if (expression.test(''))
        context.addIssue({ code: 'custom', message: 'must not match an empty subject' });
    }),
  /** One reference the pattern must match, so that a broken pattern is refused when the pack loads. */
  example: text(60),
  description: text(300),
});

/** A phrase as the subject-line checker matches it: whole words, any case, a space or hyphen between words. */
const phrase = z
  .string()
  .trim()
  .min(2)
  .max(80)
  .regex(
    /^[\p{L}\d][\p{L}\d' -]*$/u,
    'must be words of letters and digits, with spaces, hyphens or apostrophes',
  );

const confidentialContent = z.strictObject({
  /** Special-category and safeguarding terms, by category ("sexual abuse", "HIV", "self-harm"): never in a subject line. */
  terms: z
    .array(z.strictObject({ category: text(100), phrases: z.array(phrase).min(1).max(300) }))
    .min(1)
    .max(60),
  /** Words that make a subject about a service or a topic in general ("training", "policy"): a term beside them is not about anyone... */
  generalWords: z.array(phrase).max(300),
  /** ...unless a word like these says it is about someone ("mum", "disclosed", "year old"). */
  personalWords: z.array(phrase).max(300),
});

function unique<T>(key: (entry: T) => string, label: string) {
  return (entries: readonly T[], context: z.RefinementCtx) => {
    const seen = new Set<string>();
    for (const [index, entry] of entries.entries()) {
      const value = key(entry);
      if (seen.has(value))
        context.addIssue({ code: 'custom', path: [index], message: `duplicate ${label} "${value}"` });
      seen.add(value);
    }
  };
}

export const channelPolicySchema = z
  .strictObject({
    /** The standard this section encodes, in one line (shown with every method answer). */
    standard: text(300),
    secureEmail: z.strictObject({
      /** How a listed domain matches an address's domain unless an entry says otherwise. */
      matching: z.enum(domainMatchings),
      /** Both the sender's and the recipient's address must be on this list for e-mail between organisations to count as secure (R4.6.2). */
      domains: z
        .array(secureDomain)
        .max(5000)
        .superRefine(unique((entry) => entry.domain, 'domain')),
      help: text(1000),
    }),
    /** The encrypted exchange used whenever e-mail is not secure at both ends (R4.6.4). */
    fallbackMethod: z.enum(channelMethodIds),
    methods: z
      .array(methodRule)
      .min(1)
      .superRefine(unique((entry) => entry.id, 'method')),
    /** Couriers the post room has approved (R4.2.2). */
    approvedCouriers: z.array(courier).superRefine(unique((entry) => entry.id, 'courier')),
    /** Local case reference formats the subject-line checker looks for (R4.5.5). */
    localReferences: z.array(localReference),
    /**
     * Domains many organisations use (nhs.net, gov.uk, pnn.police.uk, gmail.com): none may belong to
     * one organisation in the directory, an address there is matched to an organisation only by the
     * full address the directory registers, and a trusted link never covers it (R4.6.1, R4.6.3).
     */
    sharedDomains: z
      .array(z.strictObject({ domain: packDomain, note: text(300) }))
      .min(1)
      .superRefine(unique((entry) => entry.domain, 'shared domain')),
    /** Confidential content the subject-line checker flags even where no one is named (R4.5.5). */
    confidentialContent,
  })
  .superRefine((section, context) => {
    for (const id of channelMethodIds) {
      if (!section.methods.some((method) => method.id === id))
        context.addIssue({
          code: 'custom',
          path: ['methods'],
          message: `must set the rules of the "${id}" method`,
        });
    }
    const fallback = section.methods.find((method) => method.id === section.fallbackMethod);
    if (fallback === undefined || !fallback.available || !fallback.sensitive || !fallback.bulk) {
      context.addIssue({
        code: 'custom',
        path: ['fallbackMethod'],
        message: 'must be a listed method that is available and may carry sensitive and bulk information',
      });
    }
    for (const [index, reference] of section.localReferences.entries()) {
      // The pattern compiled above; an example it does not match means the pattern is not what was meant.
      let matches = false;
      try {
        matches = new RegExp(`^(?:${reference.pattern})$`, 'i').test(reference.example);
      } catch {
        matches = true;
      }
      if (!matches)
        context.addIssue({
          code: 'custom',
          path: ['localReferences', index, 'example'],
          message: 'is not matched by the pattern',
        });
    }
  });

export type ChannelPolicy = z.output<typeof channelPolicySchema>;
export type ChannelMethodRule = ChannelPolicy['methods'][number];
