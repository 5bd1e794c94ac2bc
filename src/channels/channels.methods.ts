import { channelMethodIds, type ChannelMethodId } from '../policy/index.ts';

/** The vocabulary the method policy and the checklists share: methods, sensitivities, requirement IDs. */

export const sensitivities = ['personal', 'special-category', 'confidential'] as const;
/** `personal`: identifies someone (R2.5); `special-category` and `confidential`: sensitive information about a person (R4.6.5). */
export type Sensitivity = (typeof sensitivities)[number];

/** A requirement of the source policy, like R4.6.2. */
export type RequirementId = `R${number}.${number}` | `R${number}.${number}.${number}`;

const methodNames: Record<ChannelMethodId, string> = {
  'secure-exchange': 'the secure exchange',
  'secure-email': 'secure e-mail',
  email: 'ordinary e-mail',
  post: 'post',
  'in-person': 'handing it over in person',
  telephone: 'the telephone',
  fax: 'fax',
};

/** The method in words, for reasons and messages: "the secure exchange". */
export function methodName(method: ChannelMethodId): string {
  return methodNames[method];
}

/** The requirement that governs each method's own rules, cited when the method is allowed or recommended. */
export const methodRequirement: Readonly<Record<ChannelMethodId, RequirementId>> = {
  'secure-exchange': 'R4.6.4',
  'secure-email': 'R4.6.2',
  email: 'R4.6.1',
  post: 'R4.2.1',
  'in-person': 'R4.3.4',
  telephone: 'R4.1.1',
  fax: 'R4.4.1',
};

/**
 * A bulk share is one about more people than the pack's threshold (R2.16, R4.6.5): the same
 * reading as the sharing decision's rules and the sharing section's own definition.
 */
export function isBulkShare(people: number, sharing: { readonly bulkThreshold: number }): boolean {
  return people > sharing.bulkThreshold;
}

/** The e-mail methods: both are judged by the route between the two addresses. */
export function isEmailMethod(method: ChannelMethodId): boolean {
  return method === 'email' || method === 'secure-email';
}

export function isChannelMethodId(value: string): value is ChannelMethodId {
  return (channelMethodIds as readonly string[]).includes(value);
}

/**
 * One reason, its requirement first. `refuses`: why the method may not be used; `requires`: a
 * condition to meet before sending; `allows`: why it may be used; `notes`: context.
 */
export interface MethodReason {
  readonly requirement: RequirementId;
  readonly effect: 'refuses' | 'requires' | 'allows' | 'notes';
  /** A stable code for the rule, for systems that act on it. */
  readonly code: string;
  readonly explanation: string;
}
