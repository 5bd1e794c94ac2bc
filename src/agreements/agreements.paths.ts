/** Typed URL builders for the register of sharing agreements and DPIAs: ids only. */
export const agreementPaths = {
  list: () => '/agreements',
  create: () => '/agreements/new',
  agreement: (id: string) => `/agreements/${id}`,
  signedCopy: (id: string) => `/agreements/${id}/signed-copy`,
  end: (id: string) => `/agreements/${id}/end`,
  newDpia: () => '/dpias/new',
};
