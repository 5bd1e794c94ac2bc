/** Typed URL builders for the disclosure log: ids only, never personal data. */
export const disclosurePaths = {
  newForDecision: (decisionId: string) => `/decisions/${decisionId}/disclosures/new`,
  /** The checklist; a telephone checklist for a call made or received (outgoing, incoming). */
  checklist: (decisionId: string, call?: 'incoming' | 'outgoing') =>
    `/decisions/${decisionId}/disclosures/checklist${call === undefined ? '' : `?call=${call}`}`,
  disclosure: (id: string) => `/disclosures/${id}`,
  /** Those who received information under decisions that relied on a withdrawn consent (R3.3). */
  consentWithdrawn: (consentId: string) => `/consent-withdrawals/${consentId}`,
  /** Recording that one of them was told. */
  tellWithdrawn: (consentId: string, organisationId: string) =>
    `/consent-withdrawals/${consentId}/organisations/${organisationId}`,
  confirmReceipt: (id: string) => `/disclosures/${id}/receipt`,
  receipts: () => '/disclosures/receipts',
  misdirected: () => '/misdirected',
  newMisdirected: () => '/misdirected/new',
  apiForDecision: (decisionId: string) => `/api/v1/decisions/${decisionId}/disclosures`,
  apiDisclosure: (id: string) => `/api/v1/disclosures/${id}`,
};
