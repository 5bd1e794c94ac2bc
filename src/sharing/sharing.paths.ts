import type { SectionName } from './sharing.answers.ts';

/** Typed URL builders for sharing decisions: no literal URLs in handlers or templates. Ids only, never personal data. */
export const sharingPaths = {
  mine: () => '/decisions',
  start: () => '/decisions/new',
  decision: (id: string) => `/decisions/${id}`,
  /** A question page; `fromCheck` when the practitioner came from check your answers and returns there. */
  section: (id: string, section: SectionName, options: { readonly fromCheck?: boolean } = {}) =>
    `/decisions/${id}/${sectionSlugs[section]}${options.fromCheck === true ? '?from=check' : ''}`,
  searchPeople: (id: string) => `/decisions/${id}/people/search`,
  addPerson: (id: string) => `/decisions/${id}/people/add`,
  removePerson: (id: string) => `/decisions/${id}/people/remove`,
  check: (id: string) => `/decisions/${id}/check-your-answers`,
  record: (id: string) => `/decisions/${id}/record`,
  confirmation: (id: string) => `/decisions/${id}/confirmation`,
  printable: (id: string) => `/decisions/${id}/record-sheet`,
  sendForApproval: (id: string) => `/decisions/${id}/send-for-approval`,
  recordInEmergency: (id: string) => `/decisions/${id}/record-in-emergency`,
  withdrawApproval: (id: string) => `/decisions/${id}/withdraw-approval-request`,
  discard: (id: string) => `/decisions/${id}/discard`,
  askAdvice: (id: string) => `/decisions/${id}/ask-for-advice`,
  addendum: (id: string) => `/decisions/${id}/addenda/new`,
  adviceInbox: () => '/advice',
  advice: (adviceId: string) => `/advice/${adviceId}`,
  approvalQueue: () => '/approvals',
  approval: (approvalId: string) => `/approvals/${approvalId}`,
  personHistory: (personId: string) => `/people/${personId}/sharing`,
  /** The routine path: a share under an agreement, from the person's record. */
  routine: (personId: string) => `/people/${personId}/share-under-agreement`,
};

/** The question pages' addresses, in the order a practitioner meets them. Openness, safety and the outcome share one page. */
export const sectionSlugs: Record<SectionName, string> = {
  request: 'request',
  people: 'people',
  recipients: 'recipients',
  information: 'information',
  lawfulBasis: 'lawful-basis',
  openness: 'decision',
  safety: 'decision',
  outcome: 'decision',
};
