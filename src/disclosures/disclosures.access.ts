import type { Role } from '../auth/index.ts';

/**
 * Who may do what with the disclosure log: one rule per action, declared by the pages and the JSON
 * API alike, so that neither lets through what the other refuses.
 */

/** Who records disclosures: those who make sharing decisions. */
export const disclosureRecorders: readonly Role[] = ['practitioner', 'manager', 'caldicott_guardian', 'dpo'];
/** Who reads the disclosure log and records receipts: the recorders and the information governance lead. */
export const disclosureReaders: readonly Role[] = [...disclosureRecorders, 'ig_lead'];
