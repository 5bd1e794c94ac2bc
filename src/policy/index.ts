export {
  loadPolicyPack,
  parsePolicyPack,
  policyLabels,
  policyPackSchema,
  policyPackShape,
  PolicyPackError,
} from './policy.pack.ts';
export type {
  InformationCategory,
  NotSoughtReason,
  PolicyChoice,
  PolicyLabels,
  PolicyPack,
  Purpose,
} from './policy.pack.ts';
export { adviserSchema, approverSchema, sharingPolicySchema } from './policy.sharing.ts';
export type { Adviser, Approver, CommonLawOption, SharingPolicy } from './policy.sharing.ts';
export { channelMethodIds, channelPolicySchema, domainMatchings } from './policy.channels.ts';
export type {
  ChannelMethodId,
  ChannelMethodRule,
  ChannelPolicy,
  DomainMatching,
  SecureDomainEntry,
} from './policy.channels.ts';
