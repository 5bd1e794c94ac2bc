/** Typed URL builders for the disclosure log: ids only, never personal data. */
export const disclosurePaths = {
  newForDecision: (decisionId: string) => `/decisions/${decisionId}/disclosures/new`,
  /** The checklist; a telephone checklist for a call made or received (outgoing, incoming). */
  checklist: (decisionId: string, call?: 'incoming' | 'outgoing') =>
    `/decisions/${decisionId}/disclosures/checklist${call === undefined ? '' : `?call=${call}`}`,
  disclosure: (id: string) => `/disclosures/${id}`,
  confirmReceipt: (id: string) => `/disclosures/${id}/receipt`,
  receipts: () => '/disclosures/receipts',
  misdirected: () => '/misdirected',
  newMisdirected: () => '/misdirected/new',
  apiForDecision: (decisionId: string) => `/api/v1/decisions/${decisionId}/disclosures`,
  apiDisclosure: (id: string) => `/api/v1/disclosures/${id}`,
};
