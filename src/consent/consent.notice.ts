import type { Relationship } from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { formatDate } from '../lib/time.ts';
import { labelOf } from './consent.labels.ts';
import type { ConsentRecord } from './consent.record.ts';

/**
 * The consent notice for the family (R3.2, R3.3): what was agreed, in plain words, in the
 * organisation's name. It is built once, as data, and both the printable page and the PDF show
 * this same content, so the two can never say different things.
 *
 * Written for a reading age of about 9 to 11: short sentences, everyday words, and every law or
 * technical term that appears explained where it appears. The words on sharing without consent
 * follow HM Government's "Information sharing: advice for practitioners providing safeguarding
 * services" (2024): keeping a child safe comes first; consent is not needed where there is a risk
 * of harm; the family is told unless telling them would put someone at risk.
 */
export interface ConsentNotice {
  readonly consentId: string;
  readonly organisationName: string;
  /** "What we will share about Amelia, and why". */
  readonly title: string;
  /** The date the notice was made, as words: "20 November 2026". */
  readonly issuedOn: string;
  /** Set when the agreement is no longer in force: says so, first, in words. */
  readonly standing: string | null;
  readonly introduction: readonly string[];
  readonly sections: readonly NoticeSection[];
}

export interface NoticeSection {
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly list: readonly string[];
  /** Paragraphs after the list. */
  readonly closing: readonly string[];
}

export interface NoticeContext {
  /** The child or young person the consent is about. */
  readonly child: { readonly givenNames: string; readonly knownAs: string | null };
  /** The organisation that holds the consent, from the partner directory. */
  readonly organisation: {
    readonly name: string;
    readonly switchboardPhone: string | null;
    readonly address: {
      readonly line1: string;
      readonly line2: string | null;
      readonly town: string;
      readonly postcode: string;
    } | null;
  };
  /** The practitioner who recorded the consent, whom the family can ask for. */
  readonly practitionerName: string | null;
  /** Names of the recipient organisations, in the record's order. */
  readonly recipientNames: readonly string[];
  readonly policy: PolicyPack;
  /** Today, yyyy-mm-dd. */
  readonly today: string;
}

/** Only consent that was given has a notice: a refusal needs none, and a decision not to seek consent may be unsafe to tell. */
export function hasNotice(record: Pick<ConsentRecord, 'decision'>): boolean {
  return record.decision === 'given';
}

/** The name the family uses: the name the child is known by, or their first given name. */
export function firstNameOf(child: NoticeContext['child']): string {
  const known = child.knownAs?.trim();
  if (known !== undefined && known !== '') return known;
  return child.givenNames.trim().split(/\s+/)[0] ?? child.givenNames;
}

const relationshipWords: Record<Relationship, string> = {
  mother: 'mother',
  father: 'father',
  step_parent: 'step-parent',
  carer_with_parental_responsibility: 'carer',
  foster_carer: 'foster carer',
  special_guardian: 'special guardian',
  grandparent: 'grandparent',
  sibling: 'brother or sister',
  half_sibling: 'half-brother or half-sister',
  aunt_or_uncle: 'aunt or uncle',
  child: 'parent',
  partner_of_parent: 'parent’s partner',
  other_relative: 'relative',
  other: 'parent or carer',
};

/**
 * Words a family may not know, explained when the notice uses them. Matched case-insensitively
 * against the notice's own text, so a policy pack that uses none of them shows none.
 */
const plainWords: readonly { readonly pattern: RegExp; readonly explanation: string }[] = [
  {
    pattern: /early help/i,
    explanation:
      'Early help means support for a family as soon as problems start, to stop them getting worse.',
  },
  {
    pattern: /child in need/i,
    explanation:
      'A child in need is a child who needs extra help from the council to be safe, healthy or to do well.',
  },
  {
    pattern: /child protection/i,
    explanation: 'Child protection means the work people do to keep a child safe from harm.',
  },
  {
    pattern: /\bEHC plan\b/i,
    explanation:
      'An EHC plan (education, health and care plan) is a plan for a child or young person who needs extra help with learning.',
  },
  {
    pattern: /multi-agency/i,
    explanation:
      'Multi-agency means different services working together, such as the council, health services, schools and the police.',
  },
  {
    pattern: /safeguarding/i,
    explanation: 'Safeguarding means protecting children and young people from harm.',
  },
  {
    pattern: /youth justice/i,
    explanation:
      'Youth justice is the work with young people who have got into trouble with the police, to help them stay out of trouble.',
  },
  {
    pattern: /care leaver/i,
    explanation:
      'A care leaver is a young person who has lived in care and is now moving on to live on their own.',
  },
];

/** Builds the notice. Pure: the route gathers the context and the audit trail records the reading. */
export function consentNotice(record: ConsentRecord, context: NoticeContext): ConsentNotice {
  const pack = context.policy;
  const name = firstNameOf(context.child);
  const organisation = context.organisation.name;
  const practitioner = context.practitionerName;
  const given = formatDate(record.givenOn);

  const agreedBy: string[] = [];
  if (record.givenByChild) agreedBy.push(name);
  if (record.parentCarer !== null)
    agreedBy.push(`${name}’s ${relationshipWords[record.parentCarer.relationship]}`);

  const purposes = record.purposeIds.map((id) => labelOf(pack.purposes, id) ?? id);
  const categories = record.categoryIds.map((id) => labelOf(pack.informationCategories, id) ?? id);
  const special = record.categoryIds.some(
    (id) => context.policy.informationCategories.find((category) => category.id === id)?.special === true,
  );
  const methods = record.methodIds.map((id) => labelOf(pack.sharingMethods, id) ?? id);
  const forms = record.retentionFormIds.map((id) => retentionWords(labelOf(pack.retentionForms, id) ?? id));
  const roles = record.recipientRoles.map((role) => role.trim()).filter((role) => role !== '');

  const sections: NoticeSection[] = [
    {
      heading: 'Why we want to share information',
      paragraphs: [
        `We want to share information about ${name} so that we can help. We will only share it for ${purposes.length === 1 ? 'this reason' : 'these reasons'}:`,
      ],
      list: purposes,
      closing: [],
    },
    {
      heading: 'How we will use it',
      paragraphs: [
        record.useDescription?.trim() || 'We will use it only for the reasons above.',
        'We will not use it for anything else without asking you first.',
      ],
      list: [],
      closing: [],
    },
    {
      heading: 'Who we may share it with',
      paragraphs:
        context.recipientNames.length + roles.length === 0
          ? [`Only the people at ${organisation} who need it to help ${name}.`]
          : ['We may share it with:'],
      list: [
        ...context.recipientNames,
        ...roles.map((role) => `${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${lowerFirst(role)}`),
      ],
      closing: ['They must keep it safe and use it only for the reasons on this page.'],
    },
    {
      heading: 'What information we may share',
      paragraphs:
        categories.length === 0
          ? ['Only the information needed for the reasons above.']
          : ['We may share information about:'],
      list: categories,
      closing: special
        ? ['Some of this information is extra private, such as health. We take extra care with it.']
        : [],
    },
    {
      heading: 'How we will share it',
      paragraphs:
        methods.length === 0
          ? ['In a safe way that keeps the information private.']
          : ['We will share it in these ways:'],
      list: methods,
      closing: ['We always use a safe way, so that the information only reaches the right person.'],
    },
    {
      heading: 'How long we keep it',
      paragraphs: [
        record.retentionPeriod?.trim()
          ? `We will keep it for this long: ${lowerFirst(record.retentionPeriod.trim())}.`
          : 'We will keep it only for as long as we need it for the reasons above.',
        ...(forms.length === 0 ? [] : [`We keep it ${joinWords(forms)}.`]),
        'After that, we delete it or destroy it safely.',
      ],
      list: [],
      closing: [],
    },
    {
      heading: 'How long this agreement lasts',
      paragraphs: [
        `${agreedBy.length === 0 ? 'You' : joinWords(agreedBy)} agreed to this on ${given}.`,
        `We will check with you that you still agree by ${formatDate(record.reviewOn)}.`,
        ...(record.expiresOn === null ? [] : [`This agreement ends on ${formatDate(record.expiresOn)}.`]),
      ],
      list: [],
      closing: [],
    },
    {
      heading: 'When we may share information without asking you',
      paragraphs: [
        `Keeping ${name} safe comes first. We will always try to ask you before we share information. But we may share information without asking you, or if you say no:`,
      ],
      list: [`to protect ${name} or someone else from harm`, 'when the law says we must'],
      closing: [
        'If we do, we will tell you what we shared and why, unless telling you could put someone in danger.',
        'The Data Protection Act 2018 is the law about how organisations look after information about people. It lets us share information to keep someone safe.',
      ],
    },
    {
      heading: 'You can change your mind',
      paragraphs: [
        'You can take back your agreement at any time. This is called withdrawing consent. You do not have to give a reason.',
        'Once you tell us, we will stop sharing information because of this agreement. We cannot take back information we have already shared.',
        'To take back your agreement:',
      ],
      list: withdrawalWays(organisation, practitioner, context.organisation),
      closing: [
        'If you are not happy with how we use information, tell us. You can also complain to the Information Commissioner’s Office (ICO). The ICO makes sure organisations follow the law about information.',
      ],
    },
  ];

  const noticeText = [
    ...purposes,
    ...sections.flatMap((section) => [...section.paragraphs, ...section.list, ...section.closing]),
  ].join(' ');
  const explained = plainWords
    .filter((word) => word.pattern.test(noticeText))
    .map((word) => word.explanation);
  if (explained.length > 0)
    sections.push({ heading: 'What some words mean', paragraphs: explained, list: [], closing: [] });

  return {
    consentId: record.id,
    organisationName: organisation,
    title: `What we will share about ${name}, and why`,
    issuedOn: formatDate(context.today),
    standing: standingOf(record),
    introduction: [
      `This page is from ${organisation}. It explains what you agreed we can share about ${name}, who with, and why.`,
      'Please keep it safe. You can ask us about it at any time.',
      `Our reference: ${record.id}`,
    ],
    sections,
  };
}

function standingOf(record: ConsentRecord): string | null {
  switch (record.status) {
    case 'withdrawn':
      return record.withdrawal === null
        ? 'This agreement has been taken back. We no longer share information because of it.'
        : `This agreement was taken back on ${formatDate(record.withdrawal.on)}. We no longer share information because of it.`;
    case 'expired':
      return 'This agreement has ended. We no longer share information because of it.';
    case 'superseded':
      return 'This agreement has been replaced by a newer one. Ask us for a copy of the new one.';
    default:
      return null;
  }
}

function withdrawalWays(
  organisation: string,
  practitioner: string | null,
  directory: NoticeContext['organisation'],
): string[] {
  const askFor = practitioner === null ? '' : ` and ask for ${practitioner}`;
  const ways: string[] = [];
  if (directory.switchboardPhone !== null)
    ways.push(`phone ${organisation} on ${directory.switchboardPhone}${askFor}`);
  const addressee = practitioner === null ? organisation : `${practitioner}, ${organisation}`;
  const address =
    directory.address === null
      ? null
      : [directory.address.line1, directory.address.line2, directory.address.town, directory.address.postcode]
          .filter((line) => line !== null && line.trim() !== '')
          .join(', ');
  ways.push(address === null ? `write to ${addressee}` : `write to ${addressee}, ${address}`);
  ways.push(`tell ${practitioner ?? 'the person who helps you'} when you see them`);
  return ways;
}

function retentionWords(label: string): string {
  const lower = label.toLowerCase();
  if (lower === 'paper') return 'on paper';
  if (lower === 'electronic') return 'on computer';
  return `as ${lower}`;
}

function lowerFirst(text: string): string {
  // Job titles read naturally in a sentence ("a school nurse"); acronyms (GP, SENCO) keep their capitals.
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** "a", "a and b", "a, b and c". */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}
