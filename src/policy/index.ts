export { loadPolicyPack, parsePolicyPack, policyLabels, PolicyPackError } from './policy.pack.ts';
export type { PolicyPack } from './policy.pack.ts';
export type { Adviser, Approver, LawfulBasisQuestion } from './policy.sharing.ts';
export { channelMethodIds } from './policy.channels.ts';
export type { ChannelMethodId, ChannelMethodRule, ChannelPolicy, DomainMatching } from './policy.channels.ts';
