export { orgsService } from './orgs.service.ts';
export type { DirectoryEntry, Mailbox, OrganisationDetails, OrgsService } from './orgs.service.ts';
export { organisationKinds } from './orgs.table.ts';
export type { OrganisationKind } from './orgs.table.ts';
