import type { ChannelMethodId } from '../policy/index.ts';
import type { Clock } from '../lib/clock.ts';
import { londonToday } from '../lib/time.ts';
import type { DirectoryEntry, OrgsService } from '../orgs/index.ts';
import { parseEmailAddress } from './channels.address.ts';
import { checkChecklist, type ChecklistContext, type ChecklistResult } from './channels.checklists.ts';
import { MethodQuestionError } from './channels.errors.ts';
import type { Sensitivity } from './channels.methods.ts';
import {
  evaluateMethod,
  type DirectoryFacts,
  type MethodAdvice,
  type MethodAnswer,
  type MethodPolicy,
} from './channels.policy.ts';
import type { MethodAdviceRequest, SubjectCheckRequest } from './channels.schema.ts';
import { checkSubject, type SubjectCheck } from './channels.subject.ts';

/** The organisation the directory resolved an address to, or null when it knows none. */
export interface ResolvedParty {
  readonly organisation: { readonly id: string; readonly name: string } | null;
}

/** The method policy's answer with the directory's reading of the two addresses. */
export interface MethodAdviceAnswer extends MethodAdvice {
  readonly sender: ResolvedParty;
  readonly recipient: ResolvedParty;
}

/** A method question about two organisations the caller already knows (a sharing decision's sender and recipient). */
export interface KnownPartiesQuestion {
  readonly method: ChannelMethodId;
  readonly senderOrganisationId: string;
  readonly senderAddress?: string | undefined;
  readonly recipientOrganisationId: string;
  readonly recipientAddress?: string | undefined;
  readonly sensitivity?: Sensitivity | undefined;
  readonly people?: number | undefined;
  readonly passwordProtected?: boolean | undefined;
}

/** The method policy's answer between two organisations the caller names, with the recipient's entry it read. */
export interface KnownPartiesAnswer {
  readonly answer: MethodAnswer;
  /**
   * The recipient's directory entry as the answer read it (undefined when the directory has none):
   * the disclosure log checks the method's checklist against this same entry (its switchboard, its
   * fax numbers) rather than reading it again.
   */
  readonly recipient: DirectoryEntry | undefined;
}

export interface ChannelsDependencies {
  readonly orgs: Pick<OrgsService, 'entries' | 'organisationForAddress' | 'trustedLinkBetween'>;
  /** The policy pack in force. */
  readonly policy: MethodPolicy;
  readonly clock: Clock;
}

/**
 * The one service the API and the CLI both call, so the same question gets the same answer: it
 * reads the partner directory (whose organisation each address belongs to, whether a trusted link
 * joins them) and hands plain facts to the pure method policy.
 */
export function channelsService(deps: ChannelsDependencies) {
  const { orgs, policy, clock } = deps;

  async function organisationOf(address: string | undefined) {
    if (address === undefined) return undefined;
    const parsed = parseEmailAddress(address);
    // A malformed address resolves to nothing; the method policy refuses it with its reason.
    return parsed.ok ? orgs.organisationForAddress(parsed.address) : undefined;
  }

  /** `advise`, with the recipient's directory entry it read: both entries in one round trip. */
  async function adviseBetween(question: KnownPartiesQuestion): Promise<KnownPartiesAnswer> {
    const entries = await orgs.entries([question.senderOrganisationId, question.recipientOrganisationId]);
    const sender = entries.get(question.senderOrganisationId);
    const recipient = entries.get(question.recipientOrganisationId);
    // The directory entry carries its trusted links, either way round: no further round trip.
    const trustedLink =
      sender !== undefined &&
      recipient !== undefined &&
      sender.id !== recipient.id &&
      sender.trustedLinks.some((link) => link.partnerId === recipient.id);
    const answer = evaluateMethod(
      {
        method: question.method,
        sender: { organisationId: sender?.id, address: question.senderAddress },
        recipient: { organisationId: recipient?.id, address: question.recipientAddress },
        directory: {
          senderDomains: sender?.domains.map((entry) => entry.domain) ?? [],
          recipientDomains: recipient?.domains.map((entry) => entry.domain) ?? [],
          trustedLink,
        },
        sensitivity: question.sensitivity,
        people: question.people,
        passwordProtected: question.passwordProtected,
      },
      policy,
    );
    return { answer, recipient };
  }

  return {
    policy,

    /** Judges a method question; throws MethodQuestionError when the question itself is unusable. */
    async adviseMethod(request: MethodAdviceRequest): Promise<MethodAdviceAnswer> {
      const [sender, recipient] = await Promise.all([
        organisationOf(request.from),
        organisationOf(request.to),
      ]);
      const directory: DirectoryFacts = {
        senderDomains: sender?.domains ?? [],
        recipientDomains: recipient?.domains ?? [],
        trustedLink:
          sender !== undefined && recipient !== undefined
            ? await orgs.trustedLinkBetween(sender.id, recipient.id)
            : false,
      };
      const answer = evaluateMethod(
        {
          method: request.method,
          sender: { organisationId: sender?.id, address: request.from },
          recipient: { organisationId: recipient?.id, address: request.to },
          directory,
          sensitivity: request.sensitivity === 'none' ? undefined : request.sensitivity,
          people: request.people,
          passwordProtected: request.passwordProtected,
        },
        policy,
      );
      if (!answer.ok) throw new MethodQuestionError(answer.problems);
      const party = (organisation: { id: string; name: string } | undefined): ResolvedParty => ({
        organisation: organisation === undefined ? null : { id: organisation.id, name: organisation.name },
      });
      return { ...answer.advice, sender: party(sender), recipient: party(recipient) };
    },

    /**
     * Judges a method between two organisations the caller names (the disclosure log: the sender's
     * organisation and the decision's recipient), reading their domains and any trusted link from
     * the directory. Problems with the question come back as a result, not an exception.
     */
    async advise(question: KnownPartiesQuestion): Promise<MethodAnswer> {
      return (await adviseBetween(question)).answer;
    },

    adviseBetween,

    /** Checks a proposed e-mail subject for personal identifiers (R4.5.5), as of today in London. */
    checkSubject(request: SubjectCheckRequest): SubjectCheck {
      return checkSubject(request.subject, {
        names: request.names,
        localReferences: policy.channels.localReferences,
        confidentialContent: policy.channels.confidentialContent,
        today: londonToday(clock.now()),
      });
    },

    /** Checks a method's checklist answers with the pack in force and today's date; the disclosure log calls this before recording. */
    checkChecklist<M extends ChannelMethodId>(
      method: M,
      answers: unknown,
      context: Omit<ChecklistContext, 'channels' | 'today'>,
    ): ChecklistResult<M> {
      return checkChecklist(method, answers, {
        ...context,
        channels: policy.channels,
        today: londonToday(clock.now()),
      });
    },
  };
}

export type ChannelsService = ReturnType<typeof channelsService>;
