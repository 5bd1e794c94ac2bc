export { peopleService, PersonAccessError, PeopleRuleError, relationshipNames } from './people.service.ts';
export type { PeopleService, PersonSummary } from './people.service.ts';
export { relationships } from './people.table.ts';
export type { Relationship } from './people.table.ts';
export type { PersonDetails } from './people.schema.ts';
