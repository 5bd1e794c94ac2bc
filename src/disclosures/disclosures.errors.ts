/** A rule the disclosure breaks; nothing has been written. `field` names the form field or JSON member. */
export class DisclosureRuleError extends Error {
  override readonly name = 'DisclosureRuleError';
  constructor(
    readonly problems: readonly { readonly field: string; readonly code: string; readonly message: string }[],
  ) {
    super(problems.map((problem) => problem.message).join('; '));
  }

  static of(field: string, code: string, message: string): DisclosureRuleError {
    return new DisclosureRuleError([{ field, code, message }]);
  }
}

/** No such disclosure, or not one this viewer may see: always a 404. */
export class DisclosureNotFoundError extends Error {
  override readonly name = 'DisclosureNotFoundError';
  constructor() {
    super('not found');
  }
}
