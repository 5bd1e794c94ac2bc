import type { Role } from '../lib/roles.ts';

/**
 * Who may do what with sharing decisions: one rule per action, declared by the pages and the JSON
 * API alike, so that neither lets through what the other refuses.
 */

/** Who makes (and records) sharing decisions: those who work with people's records. */
export const decisionMakers: readonly Role[] = ['practitioner', 'manager', 'caldicott_guardian', 'dpo'];
/** Who may open a decision (the service decides which: the author, their manager, oversight roles, approvers). */
export const decisionReaders: readonly Role[] = [...decisionMakers, 'ig_lead', 'child_protection_adviser'];
