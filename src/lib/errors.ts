/**
 * One family of domain errors. Every capability's refusals extend one of these three, so that the
 * app's error handler maps each once: a broken rule to 422 with codes on the API (pages re-render
 * their form with the messages), "not found" to the 404 page or problem, "not permitted" to 403.
 * Nothing has been changed when any of them is thrown: the transaction has rolled back.
 */

/** One thing wrong with what was submitted: the form field or JSON member, a stable code, the message. */
export interface Problem {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** The submission breaks one or more rules. Pages show each message by its field; the API reports the codes (422). */
export class RuleError extends Error {
  override readonly name: string = 'RuleError';
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(problems.map((problem) => problem.message).join('; '));
    this.problems = problems;
  }

  static of(field: string, code: string, message: string): RuleError {
    return new RuleError([{ field, code, message }]);
  }

  /** The field of the first problem: the one a form links to when only one thing is wrong. */
  get field(): string {
    return this.problems[0]?.field ?? 'form';
  }

  /** The code of the first problem. */
  get code(): string {
    return this.problems[0]?.code ?? 'RULE';
  }
}

/** No such thing, or not one this viewer may see: always answered as if it did not exist (404). */
export class NotFoundError extends Error {
  override readonly name: string = 'NotFoundError';

  constructor(what = 'not found') {
    super(what);
  }
}

/** The viewer's roles or relationship do not allow this action (403). */
export class NotPermittedError extends Error {
  override readonly name: string = 'NotPermittedError';

  constructor(message = 'not permitted') {
    super(message);
  }
}

/**
 * The viewer may open this person's record only after recording a reason (break-glass, invariant 4).
 * Pages send them to the person's page, which asks for the reason; the API answers 403.
 */
export class ReasonRequiredError extends NotPermittedError {
  override readonly name: string = 'ReasonRequiredError';

  constructor(readonly personId: string) {
    super('a reason is needed to see this person');
  }
}

export type DomainError = RuleError | NotFoundError | NotPermittedError;

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof RuleError || error instanceof NotFoundError || error instanceof NotPermittedError;
}
