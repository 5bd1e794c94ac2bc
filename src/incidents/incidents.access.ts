import type { Role } from '../auth/index.ts';

/**
 * Who sees which incidents. Anyone signed in reports one (R5.1). The Data Protection Officer grades,
 * reports to the ICO and closes; the DPO, the information governance lead, the Caldicott
 * Guardian and the IT service desk see the organisation's whole register; a line manager sees what
 * their reports reported; everyone sees what they reported themselves.
 */
export const incidentGraders: readonly Role[] = ['dpo'];
export const registerReaders: readonly Role[] = ['dpo', 'ig_lead', 'caldicott_guardian', 'it_service_desk'];
