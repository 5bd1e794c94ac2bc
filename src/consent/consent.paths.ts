/** Typed addresses of the consent pages: no literal URLs in handlers or templates, and no personal data in any. */
export const consentPaths = {
  person: (personId: string) => `/people/${personId}`,
  list: (personId: string) => `/people/${personId}/consents`,
  create: (personId: string) => `/people/${personId}/consents/new`,
  supersede: (personId: string, consentId: string) =>
    `/people/${personId}/consents/new?supersedes=${consentId}`,
  check: (personId: string) => `/people/${personId}/consents/new/check`,
  show: (id: string) => `/consents/${id}`,
  withdraw: (id: string) => `/consents/${id}/withdraw`,
  review: (id: string) => `/consents/${id}/review`,
  evidence: (id: string) => `/consents/${id}/evidence`,
  evidenceFile: (id: string, evidenceId: string) => `/consents/${id}/evidence/${evidenceId}`,
  reviews: '/consents/reviews',
} as const;
