/** Stable codes for the method policy's refusals of input: the API and CLI report them beside the message. */
export const addressProblemCodes = {
  empty: 'CHANNELS.ADDRESS_EMPTY',
  tooLong: 'CHANNELS.ADDRESS_TOO_LONG',
  noAt: 'CHANNELS.ADDRESS_NO_AT',
  severalAt: 'CHANNELS.ADDRESS_SEVERAL_AT',
  space: 'CHANNELS.ADDRESS_SPACE',
  localPart: 'CHANNELS.ADDRESS_LOCAL_PART',
  notAscii: 'CHANNELS.ADDRESS_NOT_ASCII',
  encodedDomain: 'CHANNELS.ADDRESS_ENCODED_DOMAIN',
  ipLiteral: 'CHANNELS.ADDRESS_IP_LITERAL',
  trailingDot: 'CHANNELS.ADDRESS_TRAILING_DOT',
  domainFormat: 'CHANNELS.ADDRESS_DOMAIN_FORMAT',
} as const;

export type AddressProblemCode = (typeof addressProblemCodes)[keyof typeof addressProblemCodes];

export const methodQuestionCodes = {
  addressNeeded: 'CHANNELS.ADDRESS_NEEDED',
  unknownMethod: 'CHANNELS.UNKNOWN_METHOD',
  people: 'CHANNELS.PEOPLE',
} as const;

export type MethodQuestionCode = (typeof methodQuestionCodes)[keyof typeof methodQuestionCodes];

/** One thing wrong with a question put to the method policy, with the field it concerns. Nothing was judged. */
export interface InputProblem {
  readonly field: string;
  readonly code: AddressProblemCode | MethodQuestionCode;
  readonly message: string;
}

/** A method question the service could not judge: every problem with it, in field order. */
export class MethodQuestionError extends Error {
  override readonly name = 'MethodQuestionError';
  constructor(readonly problems: readonly InputProblem[]) {
    super(problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '));
  }
}
