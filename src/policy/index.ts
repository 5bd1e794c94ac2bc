export { loadPolicyPack, parsePolicyPack, policyLabels, policyPackSchema, policyPackShape, PolicyPackError } from './policy.pack.ts';
export type { InformationCategory, NotSoughtReason, PolicyChoice, PolicyLabels, PolicyPack, Purpose } from './policy.pack.ts';
