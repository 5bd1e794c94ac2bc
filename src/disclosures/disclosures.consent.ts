import type { ConsentCheckResult, ConsentService } from '../consent/index.ts';
import type { ChannelMethodId, PolicyPack } from '../policy/index.ts';
import type { DecisionView } from '../sharing/index.ts';

/** A reason the consent register no longer carries this disclosure, in the service's problem shape. */
/**
 * An emergency share (ADR 0019) stands only while its public-interest approval is awaited in time or
 * given: once refused, or overdue, nothing more is disclosed under it until the approver says yes.
 */
export function emergencyProblems(decision: DecisionView): ConsentProblem[] {
  const approval = decision.emergency?.approval;
  if (approval === 'refused')
    return [
      {
        field: 'recipientIndex',
        code: 'DISCLOSURE.EMERGENCY_REFUSED',
        message:
          'The approval of this emergency share was refused after the event: no more information can be disclosed under it',
      },
    ];
  if (approval === 'overdue')
    return [
      {
        field: 'recipientIndex',
        code: 'DISCLOSURE.EMERGENCY_OVERDUE',
        message:
          'The approval of this emergency share is overdue: no more information can be disclosed under it until the approver gives it',
      },
    ];
  return [];
}

export interface ConsentProblem {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** What is about to leave: to whom, what and how. */
export interface OutgoingShare {
  readonly recipientOrganisationId: string;
  readonly recipientRole: string;
  readonly categoryIds: readonly string[];
  readonly method: ChannelMethodId;
}

/**
 * Consent checked again when the information leaves, not only when the decision was recorded (R3.3,
 * R2.20): a decision whose common-law basis rests on consent may disclose only while the consent
 * register still covers this disclosure for every person it is about (this recipient, these
 * categories, this method, not expired, not withdrawn). A decision on implied consent stops when
 * consent has been refused or withdrawn since. A decision on another basis (an overriding public
 * interest, a legal duty) did not rely on consent, so consent does not stop it.
 */
export async function consentProblems(
  consent: Pick<ConsentService, 'checkMany'>,
  policy: PolicyPack,
  decision: DecisionView,
  share: OutgoingShare,
): Promise<ConsentProblem[]> {
  const basisId = decision.answers.lawfulBasis?.commonLaw;
  const basis = policy.sharing.lawfulBases.commonLaw.find((option) => option.id === basisId);
  // A basis the pack in force no longer names is treated as resting on consent: the safer reading.
  const reliesOnConsent = basis === undefined || basis.reliesOnConsent;
  const implied = basisId === 'implied-consent';
  if (!reliesOnConsent && !implied) return [];
  const purposeId = decision.answers.request?.purposeId;
  if (purposeId === undefined) return [];
  // Every person the decision is about, whether or not this viewer may see each of them.
  const personIds = decision.answers.people?.personIds ?? decision.people.map((person) => person.id);
  const names = new Map(
    decision.people.map((person) => [person.id, `${person.givenNames} ${person.familyName}`]),
  );
  const checked = await consent.checkMany(personIds, [
    {
      purposeId,
      recipientOrganisationId: share.recipientOrganisationId,
      recipientRole: share.recipientRole,
      categoryIds: share.categoryIds,
      methodId: share.method,
    },
  ]);
  const problems: ConsentProblem[] = [];
  for (const personId of personIds) {
    const name = names.get(personId) ?? 'one of the people it is about';
    const result = checked.get(personId)?.[0];
    const problem = implied ? againstImplied(name, result) : againstConsent(name, result);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

function againstConsent(name: string, result: ConsentCheckResult | undefined): ConsentProblem | undefined {
  const outcome = result?.outcome ?? 'none';
  if (outcome === 'covered') return undefined;
  if (outcome === 'withdrawn')
    return {
      field: 'recipientIndex',
      code: 'DISCLOSURE.CONSENT_WITHDRAWN',
      message: `Consent for sharing information about ${name} has been withdrawn since the decision: nothing more can be disclosed on it. Make a new decision on another basis, or do not share`,
    };
  if (outcome === 'refused')
    return {
      field: 'recipientIndex',
      code: 'DISCLOSURE.CONSENT_REFUSED',
      message: `${name} (or whoever gives consent for them) has refused consent: nothing can be disclosed on consent. Make a new decision on another basis, or do not share`,
    };
  if (outcome === 'expired')
    return {
      field: 'recipientIndex',
      code: 'DISCLOSURE.CONSENT_EXPIRED',
      message: `The consent for sharing information about ${name} has expired: record consent again before disclosing on it`,
    };
  const gaps = result?.gaps;
  if (gaps?.methods !== undefined)
    return {
      field: 'method',
      code: 'DISCLOSURE.CONSENT_NOT_COVERING',
      message: `The consent for sharing information about ${name} does not cover sending it this way: choose a method the consent allows`,
    };
  if (gaps?.categories !== undefined)
    return {
      field: 'categoryIds',
      code: 'DISCLOSURE.CONSENT_NOT_COVERING',
      message: `The consent for sharing information about ${name} does not cover all the information selected: disclose only what it covers`,
    };
  return {
    field: 'recipientIndex',
    code: 'DISCLOSURE.CONSENT_NOT_COVERING',
    message: `The consent register no longer shows consent that covers this disclosure about ${name}: make a new decision, or record consent first`,
  };
}

function againstImplied(name: string, result: ConsentCheckResult | undefined): ConsentProblem | undefined {
  if (result?.outcome !== 'refused' && result?.outcome !== 'withdrawn') return undefined;
  return {
    field: 'recipientIndex',
    code: 'DISCLOSURE.CONSENT_WITHDRAWN',
    message: `Consent for sharing information about ${name} has been ${result.outcome} since the decision: implied consent cannot be relied on. Make a new decision, or do not share`,
  };
}
