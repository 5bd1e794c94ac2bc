import { methodName, isChannelMethodId } from '../channels/index.ts';
import type { ConsentsTable, ConsentEventKind } from '../consent/consent.table.ts';
import { formatDate } from '../lib/time.ts';
import { relationshipNames, type Relationship } from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import type { DecisionAnswers } from '../sharing/index.ts';

/**
 * The subject access report, built from what the repository read, in plain words for the family.
 * Pure: the service reads and audits, the PDF and CSV render this.
 *
 * Third parties (ADR 0027). Nothing a decision withheld reaches the report: a decision that recorded
 * information identifying someone who could be harmed ("withheld", or even "shared" with the
 * recipient) has its free text, and that of every disclosure under it, left out, with a line saying
 * so; the other people a decision was about are counted, never named; recipients are named by role
 * and organisation, never as individuals. Only a decision that recorded no third party has its
 * description of what was shared in the report.
 */

export interface ReportDecision {
  readonly reference: string;
  readonly recordedAt: Date;
  readonly organisationName: string;
  readonly outcome: string;
  readonly purpose: string;
  readonly recipients: readonly { readonly organisationName: string; readonly role: string }[];
  readonly categories: readonly string[];
  readonly lawfulBasis: string;
  readonly withConsent: boolean;
  readonly consent: string;
  readonly told: string;
  /** What was shared, as the practitioner described it: only where the decision recorded no third party. */
  readonly details: string | null;
  /** Why details are left out, or that other people are not named. */
  readonly redactions: readonly string[];
}

export interface ReportDisclosure {
  readonly decisionReference: string;
  readonly disclosedAt: Date;
  readonly method: string;
  readonly organisationName: string;
  readonly role: string;
  readonly categories: readonly string[];
  readonly purpose: string;
  readonly lawfulBasis: string;
  readonly consent: string;
  readonly details: string | null;
  readonly receiptConfirmedAt: Date | null;
}

export interface ReportConsent {
  readonly what: string;
  readonly status: string;
  readonly givenBy: string;
  readonly givenOn: string;
  readonly purposes: readonly string[];
  readonly recipients: readonly string[];
  readonly categories: readonly string[];
  readonly reviewOn: string;
  readonly history: readonly { readonly on: string; readonly what: string }[];
}

export interface ReportRead {
  readonly at: Date;
  readonly staff: string;
  readonly organisationName: string;
  readonly what: string;
  readonly reason: string;
}

/** The same person's reads of the same kind, for the same reason: how many, and the first and last. */
export interface ReadGroup {
  readonly staff: string;
  readonly organisationName: string;
  readonly what: string;
  readonly reason: string;
  readonly times: number;
  readonly first: Date;
  readonly last: Date;
}

/**
 * The reads grouped by who, what and why, in the order each group first appears: the family's PDF
 * says "looked at the record 27 times, from ... to ..." rather than listing each time (the DPO's CSV
 * lists each).
 */
export function readGroups(reads: readonly ReportRead[]): ReadGroup[] {
  const groups = new Map<string, { -readonly [K in keyof ReadGroup]: ReadGroup[K] }>();
  for (const read of reads) {
    const key = JSON.stringify([read.staff, read.organisationName, read.what, read.reason]);
    const group = groups.get(key);
    if (group === undefined)
      groups.set(key, {
        staff: read.staff,
        organisationName: read.organisationName,
        what: read.what,
        reason: read.reason,
        times: 1,
        first: read.at,
        last: read.at,
      });
    else {
      group.times += 1;
      if (read.at < group.first) group.first = read.at;
      if (read.at > group.last) group.last = read.at;
    }
  }
  return [...groups.values()];
}

export interface SubjectAccessReport {
  readonly reference: string;
  readonly producedAt: Date;
  readonly organisationName: string;
  readonly organisationPhone: string | null;
  readonly personName: string;
  readonly personDateOfBirth: string | null;
  readonly requester: string;
  readonly receivedOn: string;
  readonly decisions: readonly ReportDecision[];
  readonly disclosures: readonly ReportDisclosure[];
  readonly consents: readonly ReportConsent[];
  readonly reads: readonly ReportRead[];
}

/** The audit actions that are a read of the person's record, or the reason given for one. */
export const readActions = [
  'person.viewed',
  'person.break_glass',
  'person.sharing_history_viewed',
  'consent.viewed',
  'consent.notice_viewed',
  'consent.evidence_viewed',
  'consent.exported',
  'decision.viewed',
  'subject_access.report_produced',
] as const;

const readWords: Readonly<Record<string, string>> = {
  'person.viewed': 'Looked at the record',
  'person.break_glass': 'Gave a reason to look at the record',
  'person.sharing_history_viewed': 'Looked at the record of sharing decisions',
  'consent.viewed': 'Looked at the consent records',
  'consent.notice_viewed': 'Looked at or printed a consent notice',
  'consent.evidence_viewed': 'Looked at a copy of a signed consent form',
  'consent.exported': 'Exported the consent records to another computer system',
  'decision.viewed': 'Looked at a sharing decision',
  'subject_access.report_produced': 'Produced this report',
} satisfies Record<(typeof readActions)[number], string>;

const basisWords: Record<string, string> = {
  role: 'Their job is to oversee how the organisation shares information',
  allocated: 'They were allocated to work with you',
  team: 'They manage the worker allocated to you',
  'family-member': 'They work with a member of your family',
};

const outcomeWords: Record<string, string> = {
  share: 'To share the information',
  'share-in-part': 'To share some of the information and hold back the rest',
  'not-share': 'Not to share the information',
};

/** The lawful bases in plain words; a basis the pack adds and this list does not know is named as the pack names it. */
const article6Words: Record<string, string> = {
  'public-task':
    'Our public duties: the law gives us tasks, such as keeping children safe, that need this information (UK GDPR Article 6(1)(e))',
  'legal-obligation': 'A legal duty: the law required us to share it (UK GDPR Article 6(1)(c))',
  'vital-interests': 'To protect someone’s life in an emergency (UK GDPR Article 6(1)(d))',
  'recognised-legitimate-interests':
    'A recognised legitimate interest, such as keeping children safe (UK GDPR Article 6(1)(ea))',
  consent: 'Consent (UK GDPR Article 6(1)(a))',
  contract: 'A contract with you (UK GDPR Article 6(1)(b))',
  'legitimate-interests': 'Legitimate interests (UK GDPR Article 6(1)(f))',
};

const commonLawWords: Record<string, string> = {
  consent: 'With consent',
  'implied-consent': 'With consent understood from working together in the team providing care',
  'public-interest':
    'Without consent: sharing was needed in the public interest, for example to protect a child from harm',
  'statutory-duty-s16la':
    'Without asking for consent: the law requires information to be shared to keep children safe (Children Act 2004, section 16LA)',
  'legal-duty': 'Without asking for consent: another law or a court order required it',
};

const consentDecisionWords: Record<ConsentsTable['decision'], string> = {
  given: 'Consent given',
  refused: 'Consent refused',
  not_sought: 'Consent not asked for',
};

const consentStatusWords: Record<ConsentsTable['status'], string> = {
  given: 'In force',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
  expired: 'Ended',
  superseded: 'Replaced by a later record',
  not_sought: 'Not asked for',
};

const consentEventWords: Record<ConsentEventKind, string> = {
  recorded: 'Recorded',
  reviewed: 'Checked with you again (reviewed)',
  review_overdue: 'The date to check it with you passed',
  withdrawn: 'Withdrawn',
  expired: 'Ended on its end date',
  superseded: 'Replaced by a new record',
};

export interface ReportSources {
  readonly request: {
    readonly reference: string;
    readonly receivedOn: string;
    readonly requesterKind: 'self' | 'parental-responsibility';
    readonly requesterName: string | null;
    readonly requesterRelationship: string | null;
  };
  readonly person: { readonly name: string; readonly dateOfBirth: string | null };
  readonly organisation: { readonly name: string; readonly switchboard_phone: string | null };
  readonly producedAt: Date;
  readonly decisions: readonly {
    readonly id: string;
    readonly reference: string;
    readonly purpose_id: string | null;
    readonly answers: DecisionAnswers;
    readonly outcome: string | null;
    readonly assessment: { readonly withoutConsent?: boolean } | null;
    readonly recorded_at: Date | null;
    readonly organisation_name: string;
    readonly people_count: string | number | null;
  }[];
  readonly disclosures: readonly {
    readonly decision_id: string;
    readonly method: string;
    readonly recipient_role: string;
    readonly purpose_id: string;
    readonly category_ids: readonly string[];
    readonly description: string;
    readonly disclosed_at: Date;
    readonly receipt_confirmed_at: Date | null;
    readonly recipient_organisation_name: string;
  }[];
  readonly consents: readonly (Pick<
    ConsentsTable,
    'decision' | 'status' | 'given_by_child' | 'parent_carer_relationship' | 'given_on' | 'review_on'
  > & {
    readonly id: string;
    readonly purpose_ids: readonly string[];
    readonly recipient_organisation_ids: readonly string[];
    readonly category_ids: readonly string[];
  })[];
  readonly consentEvents: readonly {
    readonly consent_id: string;
    readonly kind: ConsentEventKind;
    readonly occurred_on: string;
  }[];
  readonly organisationNames: ReadonlyMap<string, string>;
  readonly reads: readonly {
    readonly occurred_at: Date;
    readonly actor_user_id: string | null;
    readonly actor_label: string;
    readonly action: string;
    readonly change: Record<string, unknown>;
    readonly organisation_name: string | null;
  }[];
}

export function relationshipWords(relationship: string | null): string {
  return relationship !== null && relationship in relationshipNames
    ? relationshipNames[relationship as Relationship]
    : (relationship ?? '');
}

/** Builds the report: plain words, and nothing a decision withheld. */
export function buildReport(pack: PolicyPack, sources: ReportSources): SubjectAccessReport {
  const label = (list: readonly { id: string; label: string }[], id: string | null | undefined) =>
    id === null || id === undefined ? '' : (list.find((item) => item.id === id)?.label ?? id);
  const category = (id: string) => label(pack.informationCategories, id);
  const purpose = (id: string | null | undefined) => label(pack.purposes, id);
  const organisation = (id: string) =>
    sources.organisationNames.get(id) ?? 'An organisation no longer listed';
  const bases = pack.sharing.lawfulBases;

  const decisions = sources.decisions.map((row) => {
    const answers = row.answers;
    const basis = answers.lawfulBasis;
    const commonLaw = bases.commonLaw.find((option) => option.id === basis?.commonLaw);
    const withConsent = commonLaw?.reliesOnConsent === true && row.assessment?.withoutConsent !== true;
    const lawfulBasis =
      basis?.article6 === undefined
        ? 'Not recorded'
        : (article6Words[basis.article6] ?? label(bases.article6, basis.article6));
    const consent =
      commonLaw === undefined
        ? 'Not recorded'
        : withConsent
          ? (commonLawWords[commonLaw.id] ?? `With consent (${commonLaw.label})`)
          : commonLaw.reliesOnConsent
            ? 'Without consent that covered this share: it was justified in the public interest'
            : (commonLawWords[commonLaw.id] ?? `Without consent (${commonLaw.label})`);
    const thirdParties = answers.information?.thirdParties ?? 'none';
    const others = Number(row.people_count ?? 1) - 1;
    const redactions = [
      ...(thirdParties === 'none'
        ? []
        : [
            'The record of this decision says the information identifies someone else. To protect them, what was shared is not described here.',
          ]),
      ...(others > 0
        ? [
            `This decision was also about ${String(others)} other ${others === 1 ? 'person' : 'people'}, who ${others === 1 ? 'is' : 'are'} not named here.`,
          ]
        : []),
    ];
    const openness = answers.openness;
    const decision: ReportDecision = {
      reference: row.reference,
      recordedAt: row.recorded_at ?? new Date(0),
      organisationName: row.organisation_name,
      outcome: outcomeWords[row.outcome ?? ''] ?? 'Recorded',
      purpose: purpose(row.purpose_id ?? answers.request?.purposeId),
      recipients: (answers.recipients?.recipients ?? []).map((recipient) => ({
        organisationName: organisation(recipient.organisationId),
        role: recipient.role,
      })),
      categories: (answers.information?.shared ?? []).map((item) => category(item.categoryId)),
      lawfulBasis,
      withConsent,
      consent,
      told:
        openness === undefined
          ? 'Not recorded'
          : openness.told
            ? 'Yes, you were told about this decision'
            : 'No: telling you at the time was judged unsafe or not appropriate',
      details:
        thirdParties === 'none' && answers.information?.description !== undefined
          ? answers.information.description
          : null,
      redactions,
    };
    return { id: row.id, thirdParties, decision };
  });
  const decisionsById = new Map(decisions.map((entry) => [entry.id, entry]));

  const disclosures = sources.disclosures.flatMap((row): ReportDisclosure[] => {
    const entry = decisionsById.get(row.decision_id);
    if (entry === undefined) return [];
    const { decision } = entry;
    return [
      {
        decisionReference: decision.reference,
        disclosedAt: row.disclosed_at,
        method: isChannelMethodId(row.method) ? methodName(row.method) : row.method,
        organisationName: row.recipient_organisation_name,
        role: row.recipient_role,
        categories: row.category_ids.map(category),
        purpose: purpose(row.purpose_id),
        lawfulBasis: decision.lawfulBasis,
        consent: decision.consent,
        // A disclosure's description follows its decision: kept only where no third party was recorded.
        details: entry.thirdParties === 'none' ? row.description : null,
        receiptConfirmedAt: row.receipt_confirmed_at,
      },
    ];
  });

  const eventsByConsent = new Map<string, { on: string; what: string }[]>();
  for (const event of sources.consentEvents) {
    const list = eventsByConsent.get(event.consent_id) ?? [];
    list.push({ on: formatDate(event.occurred_on), what: consentEventWords[event.kind] });
    eventsByConsent.set(event.consent_id, list);
  }
  const consents = sources.consents.map((row): ReportConsent => ({
    what: consentDecisionWords[row.decision],
    status: consentStatusWords[row.status],
    givenBy: row.given_by_child
      ? 'You'
      : row.parent_carer_relationship === null
        ? 'Not recorded'
        : `A parent or carer (${relationshipWords(row.parent_carer_relationship).toLowerCase()})`,
    givenOn: formatDate(row.given_on),
    purposes: row.purpose_ids.map((id) => purpose(id)),
    recipients: row.recipient_organisation_ids.map(organisation),
    categories: row.category_ids.map(category),
    reviewOn: formatDate(row.review_on),
    history: eventsByConsent.get(row.id) ?? [],
  }));

  // A reason for access (break-glass) is the reason for that person's reads that follow it.
  const lastReason = new Map<string, string>();
  const reads = sources.reads.flatMap((row): ReportRead[] => {
    const change = row.change;
    if (row.action === 'person.break_glass') {
      const reason = typeof change['reason'] === 'string' ? change['reason'] : '';
      if (row.actor_user_id !== null) lastReason.set(row.actor_user_id, reason);
    }
    const basis = typeof change['basis'] === 'string' ? change['basis'] : undefined;
    const reason =
      row.action === 'person.break_glass'
        ? typeof change['reason'] === 'string'
          ? change['reason']
          : ''
        : basis === 'break-glass'
          ? (lastReason.get(row.actor_user_id ?? '') ?? 'A reason was given')
          : basis !== undefined
            ? (basisWords[basis] ?? basis)
            : row.action === 'subject_access.report_produced'
              ? 'To answer a request for your information'
              : 'Part of their work on your record';
    return [
      {
        at: row.occurred_at,
        staff: row.actor_label,
        organisationName: row.organisation_name ?? sources.organisation.name,
        what: readWords[row.action] ?? row.action,
        reason,
      },
    ];
  });

  return {
    reference: sources.request.reference,
    producedAt: sources.producedAt,
    organisationName: sources.organisation.name,
    organisationPhone: sources.organisation.switchboard_phone,
    personName: sources.person.name,
    personDateOfBirth: sources.person.dateOfBirth,
    requester:
      sources.request.requesterKind === 'self'
        ? 'The person the information is about'
        : `${sources.request.requesterName ?? ''} (${relationshipWords(sources.request.requesterRelationship).toLowerCase()}, with parental responsibility)`,
    receivedOn: sources.request.receivedOn,
    decisions: decisions.map((entry) => entry.decision),
    disclosures,
    consents,
    reads,
  };
}
