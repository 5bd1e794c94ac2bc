/** Addresses of the consent notice and the FHIR export: ids only, never a name or an NHS number. */
export const consentOutputPaths = {
  notice: (id: string) => `/consents/${id}/notice`,
  noticePdf: (id: string) => `/consents/${id}/notice.pdf`,
  fhir: (id: string) => `/consents/${id}/fhir.json`,
  apiConsent: (id: string) => `/api/v1/consents/${id}`,
  apiConsents: '/api/v1/consents',
  apiPersonConsents: (personId: string) => `/api/v1/people/${personId}/consents`,
} as const;

/** Download file names: the consent's id, never the child's name. */
export const consentDownloadNames = {
  noticePdf: (id: string) => `consent-notice-${id}.pdf`,
  fhir: (id: string) => `consent-${id}.fhir.json`,
} as const;
