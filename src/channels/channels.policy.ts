import {
  channelMethodIds,
  type ChannelMethodId,
  type ChannelMethodRule,
  type PolicyPack,
} from '../policy/index.ts';
import { domainCovers, parseEmailAddress, type EmailAddress } from './channels.address.ts';
import { checklistFor, type ChecklistItem } from './channels.checklists.ts';
import { methodQuestionCodes, type InputProblem } from './channels.errors.ts';
import {
  isBulkShare,
  isChannelMethodId,
  isEmailMethod,
  methodName,
  methodRequirement,
  type MethodReason,
  type RequirementId,
  type Sensitivity,
} from './channels.methods.ts';

/**
 * The method policy (source policy section 4): given who sends, to whom, how sensitive the
 * information is and how many people it identifies, whether the method asked for is allowed, which
 * method is recommended, why (requirement IDs first), and the checklist the method demands. Pure:
 * the directory facts it needs (each organisation's domains, whether a trusted link joins them) are
 * passed in as plain values, so the same question always gets the same answer.
 */

export interface MethodParty {
  /** The organisation in the partner directory, when known. */
  readonly organisationId?: string | undefined;
  /** The e-mail address, when the question is about e-mail (or to offer it). */
  readonly address?: string | undefined;
}

/** What the partner directory says about the two organisations, as plain values. */
export interface DirectoryFacts {
  /** The domains registered to the sender's organisation. */
  readonly senderDomains: readonly string[];
  /** The domains registered to the recipient's organisation. */
  readonly recipientDomains: readonly string[];
  /** Whether a trusted link (e.g. a private network) joins the two organisations (R4.6.3). */
  readonly trustedLink: boolean;
}

export interface MethodQuestion {
  /** The method asked about; without one, the recommended method is judged. */
  readonly method?: ChannelMethodId | undefined;
  readonly sender: MethodParty;
  readonly recipient: MethodParty;
  readonly directory: DirectoryFacts;
  /** How sensitive the information is; none given: no personal information, unless `people` says it identifies someone. */
  readonly sensitivity?: Sensitivity | undefined;
  /** How many people the information identifies; 1 when a sensitivity is given and this is not. */
  readonly people?: number | undefined;
  /** Whether an attachment is protected only by a password (R4.5.6). */
  readonly passwordProtected?: boolean | undefined;
}

/** The parts of a policy pack the method policy reads. */
export type MethodPolicy = Pick<PolicyPack, 'name' | 'version' | 'channels' | 'sharing'>;

/** How e-mail between the two addresses travels. */
export type EmailRoute = 'same-organisation' | 'trusted-link' | 'secure-domains' | 'not-secure' | 'unknown';

export interface MethodAdvice {
  /** The method judged: the one asked about, or the recommended one. */
  readonly method: ChannelMethodId;
  readonly allowed: boolean;
  readonly recommended: ChannelMethodId;
  readonly route: EmailRoute;
  /** True when the share is large enough to need approval first (R2.16). */
  readonly bulk: boolean;
  readonly reasons: readonly MethodReason[];
  /** What the judged method demands before and after sending. */
  readonly checklist: readonly ChecklistItem[];
  /** Whether the recipient must confirm receipt, and within how many working days (R4.2.8, R4.4.2). */
  readonly receiptWithinWorkingDays: number | null;
  /** The policy in force, recorded with every decision (invariant 7). */
  readonly policy: { readonly name: string; readonly version: string; readonly standard: string };
}

export type MethodAnswer =
  | { readonly ok: true; readonly advice: MethodAdvice }
  | { readonly ok: false; readonly problems: readonly InputProblem[] };

const effectOrder: Record<MethodReason['effect'], number> = { refuses: 0, requires: 1, allows: 2, notes: 3 };

/** Judges a method question against the pack's channel rules. */
export function evaluateMethod(question: MethodQuestion, policy: MethodPolicy): MethodAnswer {
  const problems: InputProblem[] = [];
  const sender = readAddress(question.sender.address, 'sender.address', problems);
  const recipient = readAddress(question.recipient.address, 'recipient.address', problems);
  if (question.method !== undefined && !isChannelMethodId(question.method)) {
    problems.push({
      field: 'method',
      code: methodQuestionCodes.unknownMethod,
      message: `Select a method: ${channelMethodIds.join(', ')}`,
    });
  }
  if (question.method !== undefined && isEmailMethod(question.method)) {
    if (question.sender.address === undefined)
      problems.push({
        field: 'sender.address',
        code: methodQuestionCodes.addressNeeded,
        message: 'Enter the email address you are sending from',
      });
    if (question.recipient.address === undefined)
      problems.push({
        field: 'recipient.address',
        code: methodQuestionCodes.addressNeeded,
        message: 'Enter the recipient’s email address',
      });
  }
  if (question.people !== undefined && (!Number.isSafeInteger(question.people) || question.people < 0)) {
    problems.push({
      field: 'people',
      code: methodQuestionCodes.people,
      message: 'Enter the number of people the information identifies, as a whole number, like 1',
    });
  }
  if (problems.length > 0) return { ok: false, problems };

  const reasons = new Reasons();
  const add = reasons.add;

  // R2.5: information that identifies anyone is personal information, whatever it was called.
  const people = question.people ?? (question.sensitivity === undefined ? 0 : 1);
  const sensitivity: Sensitivity | undefined = question.sensitivity ?? (people > 0 ? 'personal' : undefined);
  if (question.sensitivity === undefined && people > 0) {
    add(
      'R2.5',
      'notes',
      'IDENTIFIES_PEOPLE',
      `The information identifies ${plural(people, 'person', 'people')}, so it is personal information.`,
    );
  }
  const personal = sensitivity !== undefined;
  const sensitive = sensitivity === 'special-category' || sensitivity === 'confidential';
  const bulk = personal && isBulkShare(people, policy.sharing);

  // The route between the two addresses is e-mail's rule (R4.6.1, R4.6.2): it picks the method to
  // recommend, but the advice on another method (a call, a letter) does not list it.
  const judgedByRoute = question.method === undefined || isEmailMethod(question.method);
  const route =
    sender !== undefined && recipient !== undefined
      ? emailRoute(sender, recipient, question, policy, judgedByRoute ? add : () => undefined)
      : 'unknown';
  const secureRoute = route === 'same-organisation' || route === 'trusted-link' || route === 'secure-domains';
  const rules = policy.channels.methods;

  const emailOffered: ChannelMethodId | undefined =
    route === 'unknown'
      ? undefined
      : !personal
        ? 'email'
        : secureRoute
          ? route === 'secure-domains'
            ? 'secure-email'
            : 'email'
          : undefined;
  const recommended =
    emailOffered !== undefined && fits(ruleOf(rules, emailOffered), sensitive, bulk)
      ? emailOffered
      : policy.channels.fallbackMethod;
  const method = question.method ?? recommended;
  const rule = ruleOf(rules, method);
  let allowed = true;

  if (rule === undefined || !rule.available) {
    allowed = false;
    add(
      'R2.13',
      'refuses',
      'METHOD_NOT_OFFERED',
      `Local policy does not offer ${methodName(method)}. ${rule?.help ?? ''}`.trim(),
    );
  } else if (isEmailMethod(method)) {
    if (!personal) {
      add(
        'R4.5.1',
        'allows',
        'EMAIL_NO_PERSONAL_INFORMATION',
        'The information identifies no one, so e-mail may be used. If it identifies anyone, ask again with the sensitivity and the number of people.',
      );
    } else if (!secureRoute) {
      // R4.5.1: e-mail between different organisations is never the channel for personal information.
      allowed = false;
      add(
        'R4.5.1',
        'refuses',
        'EMAIL_NOT_SECURE',
        'Ordinary e-mail to another organisation is not secure: it must never carry personal or confidential information.',
      );
      if (question.passwordProtected === true) {
        add(
          'R4.5.6',
          'refuses',
          'PASSWORD_NOT_SECURE',
          'A password-protected attachment does not make ordinary e-mail secure: it is not an accepted secure method.',
        );
      }
      if (bulk || sensitive) {
        add(
          'R4.6.5',
          'refuses',
          'NEEDS_SECURE_METHOD',
          bulk
            ? `Information identifying ${plural(people, 'person', 'people')} must go by a secure method.`
            : 'Sensitive information about a person must go by a secure method.',
        );
      }
    } else {
      if (method === 'email' && route === 'secure-domains')
        add(
          'R4.6.2',
          'notes',
          'EMAIL_IS_SECURE_EMAIL',
          'Between two addresses on the secure e-mail list, the message travels as secure e-mail.',
        );
      if (question.passwordProtected === true)
        add(
          'R4.5.6',
          'notes',
          'PASSWORD_NOT_COUNTED',
          'The attachment’s password is not what makes this secure and is not counted; the route is.',
        );
    }
  } else {
    add(
      methodRequirement[method],
      'allows',
      'METHOD_WITH_CHECKLIST',
      `${capitalise(methodName(method))} may be used, with its checklist completed.`,
    );
  }

  if (rule?.available === true) {
    // R4.6.5: many people, or sensitive information about one person, go only by a secure method.
    if (bulk && !rule.bulk) {
      allowed = false;
      add(
        'R4.6.5',
        'refuses',
        'BULK_NEEDS_SECURE_METHOD',
        `Information identifying ${plural(people, 'person', 'people')} must go by a secure method that can carry it, and ${methodName(method)} cannot.`,
      );
    }
    if (sensitive && !rule.sensitive) {
      allowed = false;
      add(
        'R4.6.5',
        'refuses',
        'SENSITIVE_NEEDS_SECURE_METHOD',
        `Sensitive information about a person must go by a secure method, and local policy does not allow ${methodName(method)} for it.`,
      );
    }
    if (allowed && (bulk || sensitive)) {
      add(
        'R4.6.5',
        'allows',
        'SECURE_METHOD',
        bulk
          ? `Information identifying ${plural(people, 'person', 'people')} may go by ${methodName(method)}.`
          : `Sensitive information about a person may go by ${methodName(method)}.`,
      );
    }
  }
  if (bulk) {
    // R2.16: a bulk share waits for the information governance lead's or Caldicott Guardian's approval.
    add(
      'R2.16',
      'requires',
      'BULK_APPROVAL',
      `This is a bulk share (${plural(people, 'person', 'people')}, more than ${String(policy.sharing.bulkThreshold)}): it needs the approval of the information governance lead or Caldicott Guardian before it is sent.`,
    );
  }
  if (!allowed || (method !== recommended && (judgedByRoute || !isEmailMethod(recommended)))) {
    // R4.6.4: where e-mail is not secure at both ends, the encrypted exchange (the pack's fallback).
    const explanation =
      recommended === 'secure-exchange'
        ? 'Use the secure exchange: it is encrypted, time-limited and audited.'
        : `Use ${methodName(recommended)}.`;
    add(
      recommended === policy.channels.fallbackMethod ? 'R4.6.4' : methodRequirement[recommended],
      'notes',
      'RECOMMENDED',
      explanation,
    );
  }

  return {
    ok: true,
    advice: {
      method,
      allowed,
      recommended,
      route,
      bulk,
      reasons: reasons.inOrder(),
      checklist: checklistFor(method),
      receiptWithinWorkingDays: rule?.receiptWithinWorkingDays ?? null,
      policy: { name: policy.name, version: policy.version, standard: policy.channels.standard },
    },
  };
}

function readAddress(
  input: string | undefined,
  field: string,
  problems: InputProblem[],
): EmailAddress | undefined {
  if (input === undefined) return undefined;
  const parsed = parseEmailAddress(input);
  if (parsed.ok) return parsed.address;
  problems.push({ field, code: parsed.code, message: parsed.message });
  return undefined;
}

/** A directory domain as the directory stores it (validated there): lower-case whole labels with at least one dot. */
const directoryDomain = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/**
 * Whether a directory domain is, or lies above, a domain the pack says many organisations share
 * (nhs.net, pnn.police.uk, gmail.com). Such an entry never puts an address on one organisation's own
 * network, whatever the directory holds: it is ignored here, when the rule is applied, so that an
 * entry made before the pack listed the domain (or against the directory's own check) widens nothing.
 */
function isSharedDomain(entry: string, policy: MethodPolicy): boolean {
  return policy.channels.sharedDomains.some(
    (shared) => shared.domain === entry || domainCovers(entry, shared.domain, 'endings'),
  );
}

/**
 * Whether an address's domain is one the directory registers to its organisation, or a subdomain
 * of one (whole labels). Anything that is not a plain domain (a bare "net", a stray look-alike) never
 * matches, since the address's own domain is already plain ASCII; nor does a shared domain.
 */
function onOrganisationDomains(
  address: EmailAddress,
  domains: readonly string[],
  policy: MethodPolicy,
): boolean {
  for (const entry of domains) {
    const domain = entry.toLowerCase();
    if (isSharedDomain(domain, policy)) continue;
    if (directoryDomain.test(domain) && domainCovers(domain, address.domain, 'endings')) return true;
  }
  return false;
}

/** The shared domain an address is at, when no domain of the organisation's own covers it. */
function sharedDomainAt(address: EmailAddress, policy: MethodPolicy) {
  return policy.channels.sharedDomains.find((shared) => domainCovers(shared.domain, address.domain, 'exact'));
}

function emailRoute(
  sender: EmailAddress,
  recipient: EmailAddress,
  question: MethodQuestion,
  policy: MethodPolicy,
  add: Reasons['add'],
): EmailRoute {
  const senderOrganisation = question.sender.organisationId;
  const recipientOrganisation = question.recipient.organisationId;
  const senderOnOwn =
    senderOrganisation !== undefined &&
    onOrganisationDomains(sender, question.directory.senderDomains, policy);
  const recipientOnOwn =
    recipientOrganisation !== undefined &&
    onOrganisationDomains(recipient, question.directory.recipientDomains, policy);
  // A shared domain is no one organisation's network: say so where the directory or a trusted link suggests otherwise.
  for (const [address, onOwn, domains] of [
    [sender, senderOnOwn, question.directory.senderDomains],
    [recipient, recipientOnOwn, question.directory.recipientDomains],
  ] as const) {
    const shared = onOwn ? undefined : sharedDomainAt(address, policy);
    if (shared !== undefined && (question.directory.trustedLink || domains.includes(shared.domain)))
      add(
        'R4.6.1',
        'notes',
        'SHARED_DOMAIN',
        `${shared.domain} is used by many organisations (${shared.note}), so an address there is on no one organisation’s own network and no trusted link covers it.`,
      );
  }

  // R4.6.1: within one organisation's own network e-mail is secure.
  if (senderOnOwn && recipientOnOwn && senderOrganisation === recipientOrganisation) {
    add(
      'R4.6.1',
      'allows',
      'SAME_ORGANISATION',
      'Both addresses belong to the same organisation, so the message stays within its own network, which is secure.',
    );
    return 'same-organisation';
  }
  // R4.6.3: a trusted link configured in the partner directory joins the two organisations.
  if (senderOnOwn && recipientOnOwn && question.directory.trustedLink) {
    add(
      'R4.6.3',
      'allows',
      'TRUSTED_LINK',
      'A trusted link in the partner directory joins the two organisations, so e-mail between them is secure.',
    );
    return 'trusted-link';
  }
  // R4.6.2: secure government e-mail counts only when BOTH addresses are on the pack's list.
  const list = policy.channels.secureEmail;
  const senderListed = listedEntry(list, sender);
  const recipientListed = listedEntry(list, recipient);
  if (senderListed !== undefined && recipientListed !== undefined) {
    add(
      'R4.6.2',
      'allows',
      'BOTH_SECURE_DOMAINS',
      `Both addresses are on the secure e-mail list (${senderListed.domain} and ${recipientListed.domain}), so e-mail between them is secure.`,
    );
    return 'secure-domains';
  }
  const different =
    senderOrganisation === undefined ||
    recipientOrganisation === undefined ||
    senderOrganisation !== recipientOrganisation;
  add(
    'R4.6.1',
    'notes',
    different ? 'DIFFERENT_ORGANISATIONS' : 'NOT_ORGANISATION_DOMAIN',
    different
      ? 'The addresses are not within one organisation’s network and no trusted link joins their organisations, so the message would cross the internet.'
      : 'One of the addresses is not on a domain the directory registers to the organisation, so the message may leave its network.',
  );
  if (senderListed !== undefined || recipientListed !== undefined) {
    const missing = senderListed === undefined ? 'your address' : 'the recipient’s address';
    add(
      'R4.6.2',
      'notes',
      'ONE_SECURE_DOMAIN',
      `Secure e-mail needs both addresses on the secure e-mail list, and ${missing} is not on it.`,
    );
  }
  return 'not-secure';
}

/** The reasons of one answer: refusals first, then conditions, permissions and notes, each in the order found. */
class Reasons {
  readonly #entries: MethodReason[][] = [[], [], [], []];

  readonly add = (
    requirement: RequirementId,
    effect: MethodReason['effect'],
    code: string,
    explanation: string,
  ): void => {
    this.#entries[effectOrder[effect]]?.push({ requirement, effect, code, explanation });
  };

  inOrder(): MethodReason[] {
    const ordered: MethodReason[] = [];
    for (const entries of this.#entries) for (const entry of entries) ordered.push(entry);
    return ordered;
  }
}

function ruleOf(rules: readonly ChannelMethodRule[], method: ChannelMethodId): ChannelMethodRule | undefined {
  for (const rule of rules) if (rule.id === method) return rule;
  return undefined;
}

/** Whether a method's rule lets it carry this share at all (R4.6.5). */
function fits(rule: ChannelMethodRule | undefined, sensitive: boolean, bulk: boolean): boolean {
  return rule !== undefined && rule.available && (!sensitive || rule.sensitive) && (!bulk || rule.bulk);
}

/** The secure e-mail list's entry covering an address, if any (R4.6.2). */
function listedEntry(list: MethodPolicy['channels']['secureEmail'], address: EmailAddress) {
  for (const entry of list.domains)
    if (domainCovers(entry.domain, address.domain, entry.matching ?? list.matching)) return entry;
  return undefined;
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
