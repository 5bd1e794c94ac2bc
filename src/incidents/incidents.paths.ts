/** Typed URL builders for the incident register: ids only, never personal data. */
export const incidentPaths = {
  list: () => '/incidents',
  report: () => '/incidents/new',
  incident: (id: string) => `/incidents/${id}`,
  grade: (id: string) => `/incidents/${id}/grade`,
  icoReport: (id: string) => `/incidents/${id}/ico-report`,
  close: (id: string) => `/incidents/${id}/close`,
  actions: (id: string) => `/incidents/${id}/actions`,
  actionDone: (id: string, actionId: string) => `/incidents/${id}/actions/${actionId}/done`,
  disableAccount: (id: string) => `/incidents/${id}/disable-account`,
  disableRequested: (id: string, actionId: string) => `/incidents/${id}/actions/${actionId}/disable`,
  deviceLost: (id: string) => `/incidents/${id}/device-lost`,
  officers: (id: string) => `/incidents/${id}/officers`,
  recall: (id: string) => `/incidents/${id}/recall-package`,
  safetyCheck: (id: string) => `/incidents/${id}/safety-check`,
  told: (id: string) => `/incidents/${id}/told`,
};
