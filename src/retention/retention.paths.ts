/** Typed URL builders for the retention pages: ids only, never a name. */
export const retentionPaths = {
  due: () => '/retention',
  holds: () => '/retention/holds',
  findPerson: () => '/retention/holds/find',
  person: (personId: string) => `/retention/people/${personId}`,
  placeHold: (personId: string) => `/retention/people/${personId}/hold`,
  propose: (personId: string) => `/retention/people/${personId}/propose`,
  keep: (personId: string) => `/retention/people/${personId}/keep`,
  withdraw: (personId: string) => `/retention/people/${personId}/withdraw`,
  liftHold: (holdId: string) => `/retention/holds/${holdId}/lift`,
  approve: (proposalId: string) => `/retention/proposals/${proposalId}/approve`,
  /** Every disposal waiting that the viewer did not propose. */
  approveAll: () => '/retention/proposals/approve',
  /** Everyone listed as due under one entry of the schedule (a kind of record, never a person). */
  proposeAll: (kind: string) => `/retention/entries/${kind}/propose`,
  carryOut: () => '/retention/disposals',
};
