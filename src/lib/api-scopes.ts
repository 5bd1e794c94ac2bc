/**
 * What an API token may do, beyond what its account's roles allow: an administrator gives a
 * case-management system only the scopes it needs (least privilege). Every /api route names the
 * scope it needs, or `any` for reference data that says nothing about a person (src/web/access.ts).
 */
export const apiScopes = [
  'people.read',
  'people.register',
  'consent.record',
  'decisions.record',
  'disclosures.log',
  'audit.read',
] as const;
export type ApiScope = (typeof apiScopes)[number];

/** How the administrator's form and the API document describe each scope. */
export const apiScopeDescriptions: Readonly<Record<ApiScope, string>> = {
  'people.read': 'Find people and read their records, consent records, sharing decisions and disclosures',
  'people.register': 'Add people to the organisation’s records',
  'consent.record': 'Record consent and its withdrawal',
  'decisions.record': 'Record sharing decisions',
  'disclosures.log': 'Log disclosures and their receipts',
  'audit.read': 'Read the organisation’s audit trail (for an auditor’s account)',
};

/** A route's need: one scope, or any token for reference data (organisations, method advice). */
export type ApiScopeNeed = ApiScope | 'any';

export function tokenMay(scopes: readonly ApiScope[], need: ApiScopeNeed): boolean {
  return need === 'any' || scopes.includes(need);
}
