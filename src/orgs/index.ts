export { orgsService, DirectoryNotFoundError, DirectoryRuleError } from './orgs.service.ts';
export type { DirectoryEntry, Organisation, OrganisationDetails, OrgsService } from './orgs.service.ts';
export { organisationKinds } from './orgs.table.ts';
export type { OrganisationKind } from './orgs.table.ts';
export { emailDomain, organisationKindNames } from './orgs.schema.ts';
