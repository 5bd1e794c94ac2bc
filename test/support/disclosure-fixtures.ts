/** A signed-for letter's checklist, complete and consistent; tests override what they are about. */
export function signedForLetter(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    service: 'signed-for',
    trackingReference: 'RR123456785GB',
    recipientName: 'Rebecca Sutton',
    address: { line1: 'Oakfield Primary School, Oak Road', town: 'Swindon', postcode: 'SN2 1AA' },
    addresseeOnly: true,
    innerAndOuterEnvelope: true,
    packagingAdequate: true,
    mediaEnclosed: false,
    receiptRequested: true,
    ...overrides,
  };
}

/** A disclosure by signed-for post of the routine share's education and health information (the API's body). */
export function letterDisclosure(overrides: Record<string, unknown> = {}) {
  return {
    recipientIndex: 0,
    method: 'post',
    categoryIds: ['education', 'health'],
    description: 'Education and health reports for the annual review.',
    checklist: signedForLetter(),
    ...overrides,
  };
}
