import { NotFoundError, RuleError } from '../lib/errors.ts';

/**
 * A rule the disclosure breaks; nothing has been written. Each problem names the form field or JSON
 * member and a stable code (DISCLOSURE.*).
 */
export class DisclosureRuleError extends RuleError {
  override readonly name: string = 'DisclosureRuleError';

  static override of(field: string, code: string, message: string): DisclosureRuleError {
    return new DisclosureRuleError([{ field, code, message }]);
  }
}

/** No such disclosure, or not one this viewer may see: always a 404. */
export class DisclosureNotFoundError extends NotFoundError {
  override readonly name: string = 'DisclosureNotFoundError';
  readonly code = 'DISCLOSURE.NOT_FOUND';

  constructor() {
    super('not found');
  }
}
