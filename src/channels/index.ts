export { parseDomain, parseEmailAddress, domainCovers } from './channels.address.ts';
export type { AddressParse, DomainParse, EmailAddress } from './channels.address.ts';
export { checkChecklist, checklistFor } from './channels.checklists.ts';
export type {
  ChecklistAnswers,
  ChecklistContext,
  ChecklistError,
  ChecklistItem,
  ChecklistResult,
  EmailAnswers,
  FaxAnswers,
  InPersonAnswers,
  PostAnswers,
  SecureExchangeAnswers,
  TelephoneAnswers,
} from './channels.checklists.ts';
export { addressProblemCodes, methodQuestionCodes, MethodQuestionError } from './channels.errors.ts';
export type { AddressProblemCode, InputProblem, MethodQuestionCode } from './channels.errors.ts';
export {
  isBulkShare,
  isChannelMethodId,
  isEmailMethod,
  methodName,
  sensitivities,
} from './channels.methods.ts';
export type { MethodReason, RequirementId, Sensitivity } from './channels.methods.ts';
export { evaluateMethod } from './channels.policy.ts';
export type {
  DirectoryFacts,
  EmailRoute,
  MethodAdvice,
  MethodAnswer,
  MethodParty,
  MethodPolicy,
  MethodQuestion,
} from './channels.policy.ts';
export { methodAdviceRequest, subjectCheckRequest } from './channels.schema.ts';
export type { MethodAdviceRequest, SubjectCheckRequest } from './channels.schema.ts';
export { channelsService } from './channels.service.ts';
export type {
  ChannelsDependencies,
  ChannelsService,
  KnownPartiesQuestion,
  MethodAdviceAnswer,
  ResolvedParty,
} from './channels.service.ts';
export { checkSubject, describeFindings, redactSubject, subjectFindingKinds } from './channels.subject.ts';
export type {
  SubjectCheck,
  SubjectCheckContext,
  SubjectFinding,
  SubjectFindingKind,
} from './channels.subject.ts';
export { channelsApi } from './channels.api.ts';
