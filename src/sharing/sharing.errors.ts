import { NotFoundError, RuleError } from '../lib/errors.ts';
import type { DecisionProblem } from './sharing.rules.ts';

/**
 * A rule the submission breaks. Nothing has been changed. `field` names the form field or JSON
 * member concerned (a section name, or `section.member`); pages show the message, the API the code.
 */
export class SharingRuleError extends RuleError {
  override readonly name: string = 'SharingRuleError';

  static override of(field: string, code: string, message: string): SharingRuleError {
    return new SharingRuleError([{ field, code, message }]);
  }

  /** The decision rules' problems (sharing.rules.ts), each coded `DECISION.<rule>` against its section. */
  static fromProblems(problems: readonly DecisionProblem[]): SharingRuleError {
    return new SharingRuleError(
      problems.map((problem) => ({
        field: problem.section,
        code: `DECISION.${problem.code}`,
        message: problem.message,
      })),
    );
  }
}

/** No such decision, advice request or approval, or not one this viewer may see: always a 404. */
export class SharingNotFoundError extends NotFoundError {
  override readonly name: string = 'SharingNotFoundError';

  constructor() {
    super('not found');
  }
}
