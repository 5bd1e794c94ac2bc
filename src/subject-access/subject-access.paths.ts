/** Typed URL builders for the register of subject access requests: ids only, never a name. */
export const subjectAccessPaths = {
  list: () => '/subject-access',
  create: () => '/subject-access/new',
  /** The new request form's person search: posted, so that a name never sits in an address. */
  find: () => '/subject-access/new/find',
  /** The new request form with the person already chosen (from their record). */
  createFor: (personId: string) => `/subject-access/new?personId=${personId}`,
  request: (id: string) => `/subject-access/${id}`,
  extend: (id: string) => `/subject-access/${id}/extend`,
  close: (id: string) => `/subject-access/${id}/close`,
  produce: (id: string) => `/subject-access/${id}/report`,
};
