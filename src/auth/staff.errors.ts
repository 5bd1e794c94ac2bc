import { NotFoundError, RuleError } from '../lib/errors.ts';

/** A rule about staff accounts or API tokens that a change breaks, with the field it concerns and a stable code. */
export class StaffRuleError extends RuleError {
  override readonly name: string = 'StaffRuleError';

  constructor(field: string, code: `STAFF.${string}` | `API_TOKEN.${string}`, message: string) {
    super([{ field, code, message }]);
  }
}

/**
 * The member of staff does not exist, or works for an organisation the administrator's authority does
 * not reach (ADR 0011): the two are told apart nowhere, so another organisation's staff are never revealed.
 */
export class StaffNotFoundError extends NotFoundError {
  override readonly name: string = 'StaffNotFoundError';
  readonly code = 'STAFF.NOT_FOUND';

  constructor() {
    super('That member of staff does not exist');
  }
}

/** The token does not exist, is already revoked, or belongs to staff the authority does not reach. */
export class ApiTokenNotFoundError extends NotFoundError {
  override readonly name: string = 'ApiTokenNotFoundError';
  readonly code = 'API_TOKEN.NOT_FOUND';

  constructor() {
    super('That token does not exist or is already revoked');
  }
}
