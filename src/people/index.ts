export {
  peopleService,
  PersonAccessError,
  PersonNotFoundError,
  PersonReasonRequiredError,
  PeopleRuleError,
  peopleErrorCodes,
  relationshipNames,
  breakGlassHours,
} from './people.service.ts';
export type {
  AccessBasis,
  AccessReview,
  Allocation,
  CaseloadEntry,
  PeopleService,
  PersonRecord,
  PersonSummary,
  PersonView,
  Relative,
  SearchResults,
} from './people.service.ts';
export { relationships } from './people.table.ts';
export type { Relationship } from './people.table.ts';
export type { PersonDetails } from './people.schema.ts';
