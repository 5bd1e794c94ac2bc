/** Typed URL builders for the disclosure log: ids only, never personal data. */
export const disclosurePaths = {
  newForDecision: (decisionId: string) => `/decisions/${decisionId}/disclosures/new`,
  checklist: (decisionId: string) => `/decisions/${decisionId}/disclosures/checklist`,
  disclosure: (id: string) => `/disclosures/${id}`,
  confirmReceipt: (id: string) => `/disclosures/${id}/receipt`,
  receipts: () => '/disclosures/receipts',
  misdirected: () => '/misdirected',
  newMisdirected: () => '/misdirected/new',
  apiForDecision: (decisionId: string) => `/api/v1/decisions/${decisionId}/disclosures`,
  apiDisclosure: (id: string) => `/api/v1/disclosures/${id}`,
};
