import type { Agreement } from '../agreements/index.ts';
import type { Viewer } from '../auth/index.ts';
import type { ConsentCheckOutcome } from '../consent/index.ts';
import type { Problem } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import { checkText, multiline, singleLine } from '../lib/text.ts';
import type { ChannelMethodId } from '../policy/index.ts';
import type { decisionService } from './decision.service.ts';
import { principles, type DecisionAnswers } from './sharing.answers.ts';
import type { SharingContext } from './sharing.context.ts';
import { SharingRuleError } from './sharing.errors.ts';
import { assessDecision } from './sharing.rules.ts';

/** One share the routine path can offer for a person: an agreement, a partner under it, a purpose. */
export interface RoutineOption {
  readonly agreement: Agreement;
  readonly recipientOrganisationId: string;
  readonly recipientOrganisationName: string;
  readonly purposeId: string;
  /** The consent register's answer for all the agreement's information, before a method is chosen. */
  readonly consent: ConsentCheckOutcome;
}

/** What only the practitioner knows, typed or chosen on the routine page. */
export interface RoutineShare {
  readonly personId: string;
  readonly agreementId: string;
  readonly recipientOrganisationId: string;
  readonly purposeId: string;
  readonly recipientName: string;
  readonly recipientRole: string;
  readonly recipientEmail?: string | undefined;
  /** How the request came (the pack's request channels). */
  readonly channelId: string;
  /** What was asked for. */
  readonly asked: string;
  /** The agreement's categories being shared: the rest are withheld. */
  readonly categoryIds: readonly string[];
  readonly method: ChannelMethodId;
  /** Whether it identifies someone else who could be harmed (a third party). */
  readonly thirdParties: boolean;
  /** Whether anything the practitioner knows changes the risk the agreement assessed. */
  readonly riskChanged: boolean;
}

/** Why a share left the routine path, and the draft of the full decision that keeps what was entered. */
export class LeftRoutinePath extends Error {
  override readonly name: string = 'LeftRoutinePath';

  constructor(
    readonly decisionId: string,
    readonly reasons: readonly string[],
  ) {
    super(`left the routine path: ${reasons.join('; ')}`);
  }
}

/** The pre-filled answers a practitioner confirms on the routine page, named as the record keeps them. */
export const prefilledAnswers = [
  'the lawful basis (UK GDPR Article 6, and Article 9 and Schedule 1 where special category information is shared)',
  'consent as the common-law basis, from the consent register',
  'each category’s relevance, and the reason a sensitive one is needed',
  'that the information is necessary, proportionate, relevant, adequate, accurate, timely and secure',
  'that the family was told, through the consent they gave',
  'the risks of sharing and of not sharing, as the agreement assessed them',
] as const;

/**
 * The routine path (the ICO data sharing code: regular sharing rests on an agreement). When a
 * request, the person and the recipient fall under an agreement in force and the consent register
 * shows consent covering this recipient, purpose, information and method, the decision's answers
 * come from the agreement and the consent; the practitioner adds only what they alone know and
 * confirms the rest, and the decision is recorded by the same rules as any other. Anything unusual
 * (consent missing, a third party, a changed risk, a category or method outside the agreement, an
 * approval or advice the rules demand) leaves for the full journey as a draft keeping what was entered.
 */
export function routineService(context: SharingContext, decisions: ReturnType<typeof decisionService>) {
  const { agreements, consent, orgs, people, policy, today, views } = context;
  const consentBasis = policy.sharing.lawfulBases.commonLaw.find((option) => option.reliesOnConsent);

  /** The routine shares an agreement in force offers for the person (none without an agreement). */
  async function options(viewer: Viewer, personId: string) {
    const person = await people.requireAccess(viewer, personId);
    const inForce = (await agreements.list(viewer)).filter(
      (agreement) => agreement.state === 'in-force' || agreement.state === 'review-overdue',
    );
    const names = await orgs.namesOf(inForce.flatMap((agreement) => agreement.partnerOrganisationIds));
    const candidates = inForce.flatMap((agreement) =>
      agreement.partnerOrganisationIds.flatMap((recipientOrganisationId) =>
        agreement.purposeIds.map((purposeId) => ({ agreement, recipientOrganisationId, purposeId })),
      ),
    );
    const checked = await consent.checkMany(
      [person.id],
      candidates.map((candidate) => ({
        purposeId: candidate.purposeId,
        recipientOrganisationId: candidate.recipientOrganisationId,
        categoryIds: candidate.agreement.categories.map((category) => category.categoryId),
      })),
    );
    const results = checked.get(person.id) ?? [];
    const routineOptions: RoutineOption[] = candidates.map((candidate, index) => ({
      ...candidate,
      recipientOrganisationName:
        names.get(candidate.recipientOrganisationId) ?? 'An organisation not in the directory',
      consent: results[index]?.outcome ?? 'none',
    }));
    return { person, options: routineOptions };
  }

  /** The form's own faults: what must be typed or chosen, named each. Nothing is saved. */
  function inputProblems(share: RoutineShare, agreement: Agreement): Problem[] {
    const problems: Problem[] = [];
    const add = (field: string, message: string) => problems.push({ field, code: 'ROUTINE.INPUT', message });
    const typed = (
      field: string,
      value: string,
      label: string,
      blank: string,
      max: number,
      shape = singleLine,
    ) => {
      const text = value.trim();
      if (text === '') add(field, blank);
      else if (text.length > max) add(field, `${label} must be ${String(max)} characters or fewer`);
      else {
        const fault = checkText(label.toLowerCase(), text, shape);
        if (fault !== undefined) add(field, fault);
      }
    };
    typed(
      'recipientName',
      share.recipientName,
      'The recipient’s name',
      'Enter the name of the person receiving it',
      200,
    );
    typed(
      'recipientRole',
      share.recipientRole,
      'The recipient’s role',
      'Enter their role, for example SENCo',
      200,
    );
    if (share.method === 'secure-exchange' || share.method === 'email') {
      const email = share.recipientEmail?.trim() ?? '';
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
        add('recipientEmail', 'Enter their e-mail address, like name@school.sch.uk');
    }
    if (!policy.sharing.requestChannels.some((channel) => channel.id === share.channelId))
      add('channelId', 'Select how they asked');
    typed('asked', share.asked, 'What they asked for', 'Say what they asked for', 4000, multiline);
    if (share.categoryIds.length === 0) add('categoryIds', 'Select the information you are sharing');
    if (!agreement.methods.includes(share.method)) add('method', 'Select how you will send it');
    return problems;
  }

  /** The full decision's answers, from the agreement, the consent and what the practitioner entered. */
  function answersOf(viewer: Viewer, share: RoutineShare, agreement: Agreement): DecisionAnswers {
    const sharedIds = share.categoryIds.filter((id) =>
      agreement.categories.some((category) => category.categoryId === id),
    );
    const withheld = agreement.categories
      .map((category) => category.categoryId)
      .filter((id) => !sharedIds.includes(id));
    const basis = agreement.ownBasis;
    return {
      request: {
        requesterKind: 'agency',
        requesterName: share.recipientName.trim(),
        requesterRole: share.recipientRole.trim(),
        requesterOrganisationId: share.recipientOrganisationId,
        channelId: share.channelId,
        receivedOn: today(),
        purposeId: share.purposeId,
        details: share.asked.trim(),
      },
      people: { personIds: [share.personId], systemTransfer: false },
      recipients: {
        recipients: [
          {
            name: share.recipientName.trim(),
            role: share.recipientRole.trim(),
            organisationId: share.recipientOrganisationId,
            ...(share.recipientEmail === undefined || share.recipientEmail.trim() === ''
              ? {}
              : { email: share.recipientEmail.trim() }),
            reason: `Under sharing agreement ${agreement.reference} (${agreement.title}) for this purpose.`,
          },
        ],
      },
      information: {
        shared: agreement.categories
          .filter((category) => sharedIds.includes(category.categoryId))
          .map((category) => ({
            categoryId: category.categoryId,
            relevance: category.relevance,
            ...(category.sensitiveReason === undefined ? {} : { sensitiveReason: category.sensitiveReason }),
          })),
        withheld,
        thirdParties: share.thirdParties ? 'shared' : 'none',
        confirmed: [...principles],
      },
      lawfulBasis: {
        unsure: false,
        article6: basis.article6,
        ...(basis.article9 === undefined ? {} : { article9: basis.article9 }),
        ...(basis.schedule1 === undefined ? {} : { schedule1: basis.schedule1 }),
        ...(basis.criminalOffence === undefined ? {} : { criminalOffence: basis.criminalOffence }),
        ...(consentBasis === undefined ? {} : { commonLaw: consentBasis.id }),
      },
      openness: {
        told: true,
        toldDetails: `The family consented to this sharing, which the consent register records; the share is made under agreement ${agreement.reference}.`,
      },
      safety: {
        wellbeing: `${viewer.displayName} confirmed that nothing they know about the child’s safety or well-being changes the risks agreement ${agreement.reference} assessed.`,
        riskOfSharing: agreement.riskOfSharing,
        riskOfNotSharing: agreement.riskOfNotSharing,
      },
      outcome: {
        outcome: withheld.length > 0 ? 'share-in-part' : 'share',
        notShareReasonIds: [],
        reasons: `A routine share under agreement ${agreement.reference}, with consent in force that covers the recipient, the purpose, the information and the method.`,
      },
    };
  }

  /** Why this share cannot stay on the routine path, in plain words; none when it can. */
  async function reasonsToLeave(
    viewer: Viewer,
    share: RoutineShare,
    agreement: Agreement,
    answers: DecisionAnswers,
  ): Promise<{ reasons: string[]; consentIds: string[] }> {
    const reasons: string[] = [];
    if (agreement.state !== 'in-force' && agreement.state !== 'review-overdue')
      reasons.push(`Agreement ${agreement.reference} is not in force, so it covers nothing`);
    if (!agreement.partnerOrganisationIds.includes(share.recipientOrganisationId))
      reasons.push(`The recipient’s organisation is not a party to agreement ${agreement.reference}`);
    if (!agreement.purposeIds.includes(share.purposeId))
      reasons.push(`Agreement ${agreement.reference} does not cover this purpose`);
    if (share.categoryIds.some((id) => !agreement.categories.some((category) => category.categoryId === id)))
      reasons.push(`Some of the information is outside agreement ${agreement.reference}`);
    if (!agreement.methods.includes(share.method))
      reasons.push(`Agreement ${agreement.reference} does not allow sending it that way`);
    if (share.thirdParties)
      reasons.push(
        'It identifies someone else who could be harmed: the full decision weighs their interests',
      );
    if (share.riskChanged)
      reasons.push('Something you know changes the risk the agreement assessed: the full decision weighs it');
    const checked = await consent.checkMany(
      [share.personId],
      [
        {
          purposeId: share.purposeId,
          recipientOrganisationId: share.recipientOrganisationId,
          recipientRole: share.recipientRole.trim(),
          categoryIds: share.categoryIds,
          methodId: share.method,
        },
      ],
    );
    const result = checked.get(share.personId)?.[0];
    if (result?.outcome !== 'covered')
      reasons.push(
        result?.outcome === 'withdrawn'
          ? 'Consent has been withdrawn'
          : result?.outcome === 'refused'
            ? 'Consent was refused'
            : 'The consent register shows no consent in force that covers this recipient, purpose, information and method',
      );
    // Whatever else the rules would ask of the full journey: advice, an approval, a missing answer.
    const findings = await views.consentFindings(answers, new Map());
    const assessment = assessDecision(answers, views.factsFor(viewer.organisationId, findings, [], []));
    if (reasons.length === 0) for (const problem of assessment.problems) reasons.push(problem.message);
    return { reasons, consentIds: result?.consentId === undefined ? [] : [result.consentId] };
  }

  return {
    routineOptions: options,

    /**
     * Records a routine share, or leaves the routine path: returns the recorded decision, or throws
     * LeftRoutinePath with the reasons and a draft of the full decision keeping what was entered.
     * The practitioner's own faults (a blank name) are a SharingRuleError, and nothing is saved.
     */
    async shareRoutinely(viewer: Viewer, share: RoutineShare): Promise<{ id: string; reference: string }> {
      if (!isUuid(share.agreementId))
        throw SharingRuleError.of('option', 'ROUTINE.OPTION', 'Select what you are sharing');
      const option = (await options(viewer, share.personId)).options.find(
        (candidate) =>
          candidate.agreement.id === share.agreementId &&
          candidate.recipientOrganisationId === share.recipientOrganisationId &&
          candidate.purposeId === share.purposeId,
      );
      if (option === undefined)
        throw SharingRuleError.of('option', 'ROUTINE.OPTION', 'Select what you are sharing');
      const agreement = option.agreement;
      const problems = inputProblems(share, agreement);
      if (problems.length > 0) throw new SharingRuleError(problems);
      const answers = answersOf(viewer, share, agreement);
      const { reasons, consentIds } = await reasonsToLeave(viewer, share, agreement, answers);
      if (reasons.length > 0) {
        // The full journey starts from everything entered; the practitioner decides the rest there.
        // What the agreement and consent would have vouched for (the family told, the risks) is
        // answered afresh there, and the common-law basis chosen again.
        const basis = { ...answers.lawfulBasis, unsure: false };
        delete basis.commonLaw;
        const id = await decisions.start(viewer, { personId: share.personId });
        await decisions.save(viewer, id, {
          request: answers.request,
          recipients: answers.recipients,
          information: answers.information,
          lawfulBasis: basis,
        });
        throw new LeftRoutinePath(id, reasons);
      }
      return decisions.createAndRecord(viewer, answers, 'routine', {
        agreementId: agreement.id,
        agreementReference: agreement.reference,
        consentIds,
        prefilled: [...prefilledAnswers],
        confirmedBy: viewer.userId,
        confirmedByName: viewer.displayName,
        confirmedAt: context.clock.now().toISOString(),
      });
    },
  };
}
