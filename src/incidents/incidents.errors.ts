import { NotFoundError, RuleError } from '../lib/errors.ts';

/** A rule the incident change breaks; nothing has been written. Codes are INCIDENT.*. */
export class IncidentRuleError extends RuleError {
  override readonly name: string = 'IncidentRuleError';

  static override of(field: string, code: string, message: string): IncidentRuleError {
    return new IncidentRuleError([{ field, code, message }]);
  }
}

/** No such incident, or not one this viewer may see: always a 404. */
export class IncidentNotFoundError extends NotFoundError {
  override readonly name: string = 'IncidentNotFoundError';
  readonly code = 'INCIDENT.NOT_FOUND';

  constructor() {
    super('not found');
  }
}
