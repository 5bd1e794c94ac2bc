import type { RetentionSubject } from './retention.table.ts';

const subjectPath = (subject: RetentionSubject) =>
  `/retention/${subject.type === 'person' ? 'people' : 'incidents'}/${subject.id}`;

/** Typed URL builders for the retention pages: ids only, never a name. */
export const retentionPaths = {
  due: () => '/retention',
  holds: () => '/retention/holds',
  find: () => '/retention/holds/find',
  /** A person's or an incident's retention page, and its forms. */
  subject: subjectPath,
  person: (personId: string) => subjectPath({ type: 'person', id: personId }),
  incident: (incidentId: string) => subjectPath({ type: 'incident', id: incidentId }),
  placeHold: (subject: RetentionSubject) => `${subjectPath(subject)}/hold`,
  propose: (subject: RetentionSubject) => `${subjectPath(subject)}/propose`,
  keep: (subject: RetentionSubject) => `${subjectPath(subject)}/keep`,
  withdraw: (subject: RetentionSubject) => `${subjectPath(subject)}/withdraw`,
  liftHold: (holdId: string) => `/retention/holds/${holdId}/lift`,
  approve: (proposalId: string) => `/retention/proposals/${proposalId}/approve`,
  /** Every disposal waiting that the viewer did not propose. */
  approveAll: () => '/retention/proposals/approve',
  /** Everything listed as due under one entry of the schedule (a kind of record, never a person). */
  proposeAll: (kind: string) => `/retention/entries/${kind}/propose`,
  carryOut: () => '/retention/disposals',
};
