/** Addresses of the people pages. Ids only: never a name, date of birth or NHS number. */
export const peoplePaths = {
  index: '/people',
  search: '/people/search',
  create: '/people/new',
  accessReviews: '/people/access-reviews',
  reviewed: (grantId: string) => `/people/access-reviews/${grantId}/reviewed`,
  show: (personId: string) => `/people/${personId}`,
  edit: (personId: string) => `/people/${personId}/edit`,
  addRelative: (personId: string) => `/people/${personId}/relationships/new`,
  allocations: (personId: string) => `/people/${personId}/allocations`,
  endAllocation: (personId: string, allocationId: string) =>
    `/people/${personId}/allocations/${allocationId}/end`,
  access: (personId: string) => `/people/${personId}/access`,
  /** Who has opened the record: for the DPO, Caldicott Guardian, auditor and the allocated worker's line manager. */
  openedBy: (personId: string) => `/people/${personId}/opened-by`,
} as const;
