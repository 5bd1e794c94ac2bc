import { domainToASCII } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPolicyPack, type ChannelMethodId } from '../policy/index.ts';
import { domainCovers, domainEndings, parseEmailAddress } from './channels.address.ts';
import type { Sensitivity } from './channels.methods.ts';
import { evaluateMethod, type MethodAdvice, type MethodQuestion } from './channels.policy.ts';

const defaultPack = loadPolicyPack('default');
const currentPack = loadPolicyPack('current');

/** A partner directory like the demo's: each organisation's registered domains, and one trusted link. */
const directory = [
  { id: 'swindon', domains: ['swindon.gov.uk', 'swindon.gcsx.gov.uk'] },
  { id: 'wiltshire', domains: ['wiltshire.gov.uk'] },
  { id: 'hospital', domains: ['gwh.nhs.uk'] },
  { id: 'trust', domains: ['trust.nhs.net'] },
  { id: 'police', domains: ['wiltshire.police.uk', 'wiltshire.pnn.police.uk'] },
  { id: 'school', domains: ['oakfield.swindon.sch.uk'] },
] as const;
const trustedLinks = [['swindon', 'hospital']] as const;

/** What the service does with the directory: the longest registered domain the address ends with, by whole labels. */
function organisationOf(address: string | undefined) {
  if (address === undefined) return undefined;
  const parsed = parseEmailAddress(address);
  if (!parsed.ok) return undefined;
  for (const ending of domainEndings(parsed.address.domain)) {
    const owner = directory.find((entry) => (entry.domains as readonly string[]).includes(ending));
    if (owner !== undefined) return owner;
  }
  return undefined;
}

interface Ask {
  readonly method?: ChannelMethodId;
  readonly sensitivity?: Sensitivity;
  readonly people?: number;
  readonly passwordProtected?: boolean;
}

function question(from: string | undefined, to: string | undefined, ask: Ask = {}): MethodQuestion {
  const sender = organisationOf(from);
  const recipient = organisationOf(to);
  return {
    method: ask.method,
    sender: { organisationId: sender?.id, address: from },
    recipient: { organisationId: recipient?.id, address: to },
    directory: {
      senderDomains: sender?.domains ?? [],
      recipientDomains: recipient?.domains ?? [],
      trustedLink: trustedLinks.some(
        ([a, b]) => (a === sender?.id && b === recipient?.id) || (b === sender?.id && a === recipient?.id),
      ),
    },
    sensitivity: ask.sensitivity,
    people: ask.people,
    passwordProtected: ask.passwordProtected,
  };
}

function advise(
  from: string | undefined,
  to: string | undefined,
  ask: Ask = {},
  pack = defaultPack,
): MethodAdvice {
  const answer = evaluateMethod(question(from, to, ask), pack);
  if (!answer.ok) throw new Error(`unexpected input problems: ${JSON.stringify(answer.problems)}`);
  return answer.advice;
}

interface Scenario {
  readonly name: string;
  readonly from?: string;
  readonly to?: string;
  readonly ask: Ask;
  readonly pack?: 'current';
  readonly allowed: boolean;
  readonly recommended: ChannelMethodId;
  readonly route?: MethodAdvice['route'];
  /** Requirement and effect pairs that must be among the reasons, e.g. 'R4.5.1 refuses'. */
  readonly reasons: readonly string[];
  readonly bulk?: boolean;
}

const personal: Ask = { method: 'email', sensitivity: 'personal' };

/** Scenarios from the source policy, sections 4.1 to 4.6, with today's rules in the "current" pack. */
const scenarios: readonly Scenario[] = [
  {
    name: 'colleague in the same council (4.6: "within these walls")',
    from: 'colleague.one@swindon.gov.uk',
    to: 'colleague.two@swindon.gov.uk',
    ask: personal,
    allowed: true,
    recommended: 'email',
    route: 'same-organisation',
    reasons: ['R4.6.1 allows'],
  },
  {
    name: 'same council, another of its registered domains',
    from: 'worker@swindon.gov.uk',
    to: 'worker@swindon.gcsx.gov.uk',
    ask: personal,
    allowed: true,
    recommended: 'email',
    route: 'same-organisation',
    reasons: ['R4.6.1 allows'],
  },
  {
    name: 'same council, a subdomain of its registered domain',
    from: 'worker@swindon.gov.uk',
    to: 'team@education.swindon.gov.uk',
    ask: personal,
    allowed: true,
    recommended: 'email',
    route: 'same-organisation',
    reasons: ['R4.6.1 allows'],
  },
  {
    name: 'council to neighbouring council (swindon.gov.uk to wiltshire.gov.uk)',
    from: 'colleague.one@swindon.gov.uk',
    to: 'colleague.four@wiltshire.gov.uk',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.6.1 notes', 'R4.6.4 notes'],
  },
  {
    name: 'neighbouring council, no method asked: the secure exchange is judged',
    from: 'colleague.one@swindon.gov.uk',
    to: 'colleague.four@wiltshire.gov.uk',
    ask: { sensitivity: 'personal' },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.6.4 allows'],
  },
  {
    name: 'council to hospital over the trusted link (N3)',
    from: 'worker@swindon.gov.uk',
    to: 'safeguarding@gwh.nhs.uk',
    ask: personal,
    allowed: true,
    recommended: 'email',
    route: 'trusted-link',
    reasons: ['R4.6.3 allows'],
  },
  {
    name: 'hospital to council over the trusted link, the other way round',
    from: 'nurse@gwh.nhs.uk',
    to: 'worker@swindon.gov.uk',
    ask: { method: 'email', sensitivity: 'special-category' },
    allowed: true,
    recommended: 'email',
    route: 'trusted-link',
    reasons: ['R4.6.3 allows', 'R4.6.5 allows'],
  },
  {
    name: 'sender without a secure account to nhs.net',
    from: 'worker@swindon.gov.uk',
    to: 'gp.practice@nhs.net',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.6.2 notes'],
  },
  {
    name: 'secure-email asked for without a secure account',
    from: 'worker@swindon.gov.uk',
    to: 'gp.practice@nhs.net',
    ask: { method: 'secure-email', sensitivity: 'personal' },
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.6.2 notes'],
  },
  {
    name: 'both on the 2017 list: GCSx to an NHS trust (default pack)',
    from: 'x@swindon.gcsx.gov.uk',
    to: 'y@trust.nhs.net',
    ask: { method: 'secure-email', sensitivity: 'personal' },
    allowed: true,
    recommended: 'secure-email',
    route: 'secure-domains',
    reasons: ['R4.6.2 allows'],
  },
  {
    name: 'the same under the current pack: GCSx closed in 2019',
    from: 'x@swindon.gcsx.gov.uk',
    to: 'y@trust.nhs.net',
    ask: { method: 'secure-email', sensitivity: 'personal' },
    pack: 'current',
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.6.2 notes'],
  },
  {
    name: 'ordinary e-mail between two secure addresses travels as secure e-mail',
    from: 'x@swindon.gcsx.gov.uk',
    to: 'y@trust.nhs.net',
    ask: personal,
    allowed: true,
    recommended: 'secure-email',
    route: 'secure-domains',
    reasons: ['R4.6.2 allows', 'R4.6.2 notes'],
  },
  {
    name: 'police (PNN) to council (GCSx) under the default pack',
    from: 'officer@wiltshire.pnn.police.uk',
    to: 'mash@swindon.gcsx.gov.uk',
    ask: personal,
    allowed: true,
    recommended: 'secure-email',
    route: 'secure-domains',
    reasons: ['R4.6.2 allows'],
  },
  {
    name: 'police.uk (not on the 2017 list) to council GCSx',
    from: 'officer@wiltshire.police.uk',
    to: 'mash@swindon.gcsx.gov.uk',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.6.2 notes'],
  },
  {
    name: 'NHSmail to NHSmail under the current pack',
    from: 'a@nhs.net',
    to: 'b@nhs.net',
    ask: personal,
    pack: 'current',
    allowed: true,
    recommended: 'secure-email',
    route: 'secure-domains',
    reasons: ['R4.6.2 allows'],
  },
  {
    name: 'CJSM to NHSmail under the current pack',
    from: 'yot@cjsm.net',
    to: 'camhs@nhs.net',
    ask: { method: 'secure-email', sensitivity: 'confidential' },
    pack: 'current',
    allowed: true,
    recommended: 'secure-email',
    route: 'secure-domains',
    reasons: ['R4.6.2 allows'],
  },
  {
    name: 'an exactly listed tenant under the current pack',
    from: 'nurse@gwh.nhs.uk',
    to: 'gp@nhs.net',
    ask: personal,
    pack: 'current',
    allowed: true,
    recommended: 'secure-email',
    route: 'secure-domains',
    reasons: ['R4.6.2 allows'],
  },
  {
    name: 'a subdomain of an exactly listed tenant is not covered',
    from: 'nurse@ward7.gwh.nhs.uk',
    to: 'gp@nhs.net',
    ask: personal,
    pack: 'current',
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses'],
  },
  {
    name: 'the trusted link still counts under the current pack',
    from: 'worker@swindon.gov.uk',
    to: 'safeguarding@gwh.nhs.uk',
    ask: personal,
    pack: 'current',
    allowed: true,
    recommended: 'email',
    route: 'trusted-link',
    reasons: ['R4.6.3 allows'],
  },
  {
    name: 'look-alike notnhs.net is not nhs.net',
    from: 'x@swindon.gcsx.gov.uk',
    to: 'y@notnhs.net',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.6.2 notes'],
  },
  {
    name: 'nhs.net.evil.com is not nhs.net',
    from: 'x@swindon.gcsx.gov.uk',
    to: 'y@nhs.net.evil.com',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses'],
  },
  {
    name: 'gcsx.gov.uk.example.com is not GCSx',
    from: 'x@gcsx.gov.uk.example.com',
    to: 'y@nhs.net',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses'],
  },
  {
    name: 'capital letters do not change the answer',
    from: 'X@SWINDON.GCSX.GOV.UK',
    to: 'Y@Trust.NHS.Net',
    ask: personal,
    allowed: true,
    recommended: 'secure-email',
    route: 'secure-domains',
    reasons: ['R4.6.2 allows'],
  },
  {
    name: "a school inside the council's domain is another organisation",
    from: 'worker@swindon.gov.uk',
    to: 'dsl@oakfield.swindon.sch.uk',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses'],
  },
  {
    name: 'a colleague writing from a personal address',
    from: 'worker.home@gmail.com',
    to: 'colleague@swindon.gov.uk',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses'],
  },
  {
    name: 'two addresses at the same public provider',
    from: 'carer@gmail.com',
    to: 'parent@gmail.com',
    ask: personal,
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses'],
  },
  {
    name: 'password-protected attachment to another council',
    from: 'worker@swindon.gov.uk',
    to: 'worker@wiltshire.gov.uk',
    ask: { ...personal, passwordProtected: true },
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.5.6 refuses'],
  },
  {
    name: 'password-protected attachment within the council: the route counts, not the password',
    from: 'a@swindon.gov.uk',
    to: 'b@swindon.gov.uk',
    ask: { ...personal, passwordProtected: true },
    allowed: true,
    recommended: 'email',
    route: 'same-organisation',
    reasons: ['R4.6.1 allows', 'R4.5.6 notes'],
  },
  {
    name: 'nothing personal to another council by ordinary e-mail',
    from: 'worker@swindon.gov.uk',
    to: 'worker@wiltshire.gov.uk',
    ask: { method: 'email' },
    allowed: true,
    recommended: 'email',
    route: 'not-secure',
    reasons: ['R4.5.1 allows'],
  },
  {
    name: 'a number of people with no sensitivity given is personal information',
    from: 'worker@swindon.gov.uk',
    to: 'worker@wiltshire.gov.uk',
    ask: { method: 'email', people: 3 },
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R2.5 notes', 'R4.5.1 refuses'],
  },
  {
    name: 'sensitive information about one person to another council by e-mail',
    from: 'worker@swindon.gov.uk',
    to: 'worker@wiltshire.gov.uk',
    ask: { method: 'email', sensitivity: 'special-category' },
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.6.5 refuses'],
  },
  {
    name: 'confidential information within the council',
    from: 'a@swindon.gov.uk',
    to: 'b@swindon.gov.uk',
    ask: { method: 'email', sensitivity: 'confidential' },
    allowed: true,
    recommended: 'email',
    route: 'same-organisation',
    reasons: ['R4.6.1 allows', 'R4.6.5 allows'],
  },
  {
    name: 'a bulk share within the council needs approval first',
    from: 'a@swindon.gov.uk',
    to: 'b@swindon.gov.uk',
    ask: { method: 'email', sensitivity: 'personal', people: 250 },
    allowed: true,
    recommended: 'email',
    route: 'same-organisation',
    reasons: ['R2.16 requires', 'R4.6.5 allows'],
    bulk: true,
  },
  {
    name: 'a bulk share to another council by e-mail',
    from: 'a@swindon.gov.uk',
    to: 'b@wiltshire.gov.uk',
    ask: { method: 'email', sensitivity: 'personal', people: 250 },
    allowed: false,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.5.1 refuses', 'R4.6.5 refuses', 'R2.16 requires'],
    bulk: true,
  },
  {
    name: 'a bulk share through the secure exchange, approval first',
    from: 'a@swindon.gov.uk',
    to: 'b@wiltshire.gov.uk',
    ask: { method: 'secure-exchange', sensitivity: 'personal', people: 250 },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R2.16 requires', 'R4.6.4 allows'],
    bulk: true,
  },
  {
    name: 'as many people as the bulk threshold is not yet bulk (bulk is more than the threshold)',
    from: 'a@swindon.gov.uk',
    to: 'b@swindon.gov.uk',
    ask: { method: 'telephone', sensitivity: 'personal', people: defaultPack.sharing.bulkThreshold },
    allowed: true,
    recommended: 'email',
    route: 'same-organisation',
    reasons: ['R4.1.1 allows'],
    bulk: false,
  },
  {
    name: 'one more than the bulk threshold is bulk',
    from: 'a@swindon.gov.uk',
    to: 'b@swindon.gov.uk',
    ask: { method: 'telephone', sensitivity: 'personal', people: defaultPack.sharing.bulkThreshold + 1 },
    allowed: false,
    recommended: 'email',
    route: 'same-organisation',
    reasons: ['R4.6.5 refuses', 'R2.16 requires'],
    bulk: true,
  },
  {
    name: 'a bulk share by telephone',
    from: 'a@swindon.gov.uk',
    to: 'b@wiltshire.gov.uk',
    ask: { method: 'telephone', sensitivity: 'personal', people: 40 },
    allowed: false,
    recommended: 'secure-exchange',
    reasons: ['R4.6.5 refuses', 'R2.16 requires'],
    bulk: true,
  },
  {
    name: 'a bulk share by fax',
    ask: { method: 'fax', sensitivity: 'personal', people: 40 },
    allowed: false,
    recommended: 'secure-exchange',
    route: 'unknown',
    reasons: ['R4.6.5 refuses', 'R2.16 requires'],
    bulk: true,
  },
  {
    name: 'a bulk share on encrypted media by post',
    ask: { method: 'post', sensitivity: 'personal', people: 400 },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'unknown',
    reasons: ['R2.16 requires', 'R4.2.1 allows'],
    bulk: true,
  },
  {
    name: 'telephone, sensitive about one person (4.1)',
    ask: { method: 'telephone', sensitivity: 'confidential' },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'unknown',
    reasons: ['R4.1.1 allows', 'R4.6.5 allows'],
  },
  {
    name: 'post (4.2)',
    ask: { method: 'post', sensitivity: 'personal' },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'unknown',
    reasons: ['R4.2.1 allows'],
  },
  {
    name: 'in person (4.3)',
    ask: { method: 'in-person', sensitivity: 'special-category' },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'unknown',
    reasons: ['R4.3.4 allows'],
  },
  {
    name: 'fax under the default pack (4.4)',
    ask: { method: 'fax', sensitivity: 'personal' },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'unknown',
    reasons: ['R4.4.1 allows'],
  },
  {
    name: 'fax under the current pack: not offered',
    ask: { method: 'fax', sensitivity: 'personal' },
    pack: 'current',
    allowed: false,
    recommended: 'secure-exchange',
    route: 'unknown',
    reasons: ['R2.13 refuses'],
  },
  {
    name: "the secure exchange (4.6.2 Egress, now Safeshare's own)",
    from: 'a@swindon.gov.uk',
    to: 'parent@example.com',
    ask: { method: 'secure-exchange', sensitivity: 'confidential' },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.6.4 allows'],
  },
  {
    name: "telephone to a neighbour's address still recommends the exchange",
    from: 'a@swindon.gov.uk',
    to: 'b@wiltshire.gov.uk',
    ask: { method: 'telephone', sensitivity: 'personal' },
    allowed: true,
    recommended: 'secure-exchange',
    route: 'not-secure',
    reasons: ['R4.1.1 allows', 'R4.6.4 notes'],
  },
];

describe('the method policy, scenario by scenario', () => {
  it('has at least forty scenarios from the source policy', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(40);
  });

  it.each(scenarios)('$name', (scenario) => {
    const advice = advise(
      scenario.from,
      scenario.to,
      scenario.ask,
      scenario.pack === 'current' ? currentPack : defaultPack,
    );
    expect({ allowed: advice.allowed, recommended: advice.recommended }).toEqual({
      allowed: scenario.allowed,
      recommended: scenario.recommended,
    });
    if (scenario.route !== undefined) expect(advice.route).toBe(scenario.route);
    const given = advice.reasons.map((reason) => `${reason.requirement} ${reason.effect}`);
    for (const reason of scenario.reasons) expect(given).toContain(reason);
    if (scenario.bulk !== undefined) expect(advice.bulk).toBe(scenario.bulk);
    // A refusal always says why, and an allowed method never carries a refusal.
    expect(advice.reasons.some((reason) => reason.effect === 'refuses')).toBe(!advice.allowed);
    expect(advice.checklist.length).toBeGreaterThan(0);
    expect(advice.policy).toMatchObject({ name: scenario.pack ?? 'default' });
  });

  it('gives reasons in a stable order, refusals first, each with its requirement ID, and the same answer every time', () => {
    const first = advise('a@swindon.gov.uk', 'b@wiltshire.gov.uk', {
      method: 'email',
      sensitivity: 'personal',
      people: 250,
      passwordProtected: true,
    });
    expect(first.reasons.map((reason) => reason.requirement)).toEqual([
      'R4.5.1',
      'R4.5.6',
      'R4.6.5',
      'R2.16',
      'R4.6.1',
      'R4.6.4',
    ]);
    expect(
      first.reasons.every(
        (reason) => /^R\d+\.\d+(\.\d+)?$/.test(reason.requirement) && reason.explanation.length > 20,
      ),
    ).toBe(true);
    expect(
      advise('a@swindon.gov.uk', 'b@wiltshire.gov.uk', {
        method: 'email',
        sensitivity: 'personal',
        people: 250,
        passwordProtected: true,
      }),
    ).toEqual(first);
  });

  it('returns the checklist the judged method demands and the receipt it asks for', () => {
    const post = advise(undefined, undefined, { method: 'post', sensitivity: 'personal' });
    expect(post.checklist.map((item) => item.id)).toContain('trackingReference');
    expect(post.receiptWithinWorkingDays).toBe(5);
    const telephone = advise(undefined, undefined, { method: 'telephone', sensitivity: 'personal' });
    expect(telephone.checklist.find((item) => item.id === 'callBackMade')).toMatchObject({
      requirement: 'R4.1.2',
    });
    expect(telephone.receiptWithinWorkingDays).toBeNull();
    expect(
      advise(undefined, undefined, { method: 'fax', sensitivity: 'personal' }).receiptWithinWorkingDays,
    ).toBe(1);
    expect(
      advise('a@swindon.gov.uk', 'b@swindon.gov.uk', personal).checklist.map((item) => item.requirement),
    ).toEqual(['R4.5.2', 'R4.5.3', 'R4.5.4', 'R4.5.5']);
  });
});

describe('shared national domains (ADR 0018)', () => {
  const ask = (recipientDomains: readonly string[], to: string) =>
    evaluateMethod(
      {
        method: 'email',
        sender: { organisationId: 'swindon', address: 'worker@swindon.gov.uk' },
        recipient: { organisationId: 'hospital', address: to },
        directory: { senderDomains: ['swindon.gov.uk'], recipientDomains, trustedLink: true },
        sensitivity: 'personal',
      },
      defaultPack,
    );

  it('lets a trusted link cover the organisation’s own domain, never a shared one it claimed', () => {
    const own = ask(['gwh.nhs.uk', 'nhs.net'], 'nurse@gwh.nhs.uk');
    expect(own.ok && own.advice.route).toBe('trusted-link');
    const shared = ask(['gwh.nhs.uk', 'nhs.net'], 'anyone@nhs.net');
    expect(shared.ok && shared.advice.allowed).toBe(false);
    expect(shared.ok && shared.advice.route).toBe('not-secure');
    expect(shared.ok && shared.advice.reasons.map((reason) => reason.code)).toContain('SHARED_DOMAIN');
    // Nor a domain above a shared one (police.uk above pnn.police.uk).
    const above = ask(['police.uk'], 'officer@pnn.police.uk');
    expect(above.ok && above.advice.route).not.toBe('trusted-link');
  });
});

describe('addresses the method policy refuses to judge', () => {
  const cyrillic = 'y@nhs.n\u0435t';
  const refusals: readonly (readonly [string, string, string])[] = [
    ['Cyrillic е in nhs.nеt', cyrillic, 'CHANNELS.ADDRESS_NOT_ASCII'],
    ['Cyrillic о in gov.uk', 'x@swindon.gcsx.g\u043ev.uk', 'CHANNELS.ADDRESS_NOT_ASCII'],
    ['Greek ο in nhs.net', 'y@nhs.n\u03bft', 'CHANNELS.ADDRESS_NOT_ASCII'],
    ['full-width letters', 'y@\uff4e\uff48\uff53.net', 'CHANNELS.ADDRESS_NOT_ASCII'],
    ['a zero-width space', 'y@nhs\u200b.net', 'CHANNELS.ADDRESS_NOT_ASCII'],
    ['the Kelvin sign for k', 'y@\u212Aent.gov.uk', 'CHANNELS.ADDRESS_NOT_ASCII'],
    ['punycode of a look-alike', `y@${domainToASCII('nhs.n\u0435t')}`, 'CHANNELS.ADDRESS_ENCODED_DOMAIN'],
    ['any xn-- label', 'y@xn--80ak6aa92e.com', 'CHANNELS.ADDRESS_ENCODED_DOMAIN'],
    ['no @', 'y.nhs.net', 'CHANNELS.ADDRESS_NO_AT'],
    ['two @', 'y@trust@nhs.net', 'CHANNELS.ADDRESS_SEVERAL_AT'],
    ['an empty label', 'y@nhs..net', 'CHANNELS.ADDRESS_DOMAIN_FORMAT'],
    ['a leading dot in the domain', 'y@.nhs.net', 'CHANNELS.ADDRESS_DOMAIN_FORMAT'],
    ['a trailing dot', 'y@nhs.net.', 'CHANNELS.ADDRESS_TRAILING_DOT'],
    ['a space inside', 'y @nhs.net', 'CHANNELS.ADDRESS_SPACE'],
    ['an IP literal', 'y@[10.0.0.1]', 'CHANNELS.ADDRESS_IP_LITERAL'],
    ['a bare IP address', 'y@10.0.0.1', 'CHANNELS.ADDRESS_IP_LITERAL'],
    // A URL reads a hexadecimal last label as a number, so these are IPv4 addresses too.
    ['an address ending in a hexadecimal label', 'y@0.0x', 'CHANNELS.ADDRESS_IP_LITERAL'],
    ['a domain ending in a hexadecimal number', 'y@example.0x1f', 'CHANNELS.ADDRESS_IP_LITERAL'],
    ['an IPv6 literal', 'y@[IPv6:::1]', 'CHANNELS.ADDRESS_IP_LITERAL'],
    ['a single-label domain', 'y@localhost', 'CHANNELS.ADDRESS_DOMAIN_FORMAT'],
    ['an underscore in the domain', 'y@nhs_mail.net', 'CHANNELS.ADDRESS_DOMAIN_FORMAT'],
    ['a label starting with a hyphen', 'y@-nhs.net', 'CHANNELS.ADDRESS_DOMAIN_FORMAT'],
    ['an empty local part', '@nhs.net', 'CHANNELS.ADDRESS_LOCAL_PART'],
    ['a leading dot before the @', '.y@nhs.net', 'CHANNELS.ADDRESS_LOCAL_PART'],
    ['two dots together before the @', 'y..z@nhs.net', 'CHANNELS.ADDRESS_LOCAL_PART'],
    ['a display name', 'Dr Y <y@nhs.net>', 'CHANNELS.ADDRESS_SPACE'],
    ['nothing at all', '', 'CHANNELS.ADDRESS_EMPTY'],
  ];

  it.each(refusals)(
    'refuses %s with a code and a plain-English message, never as a match',
    (_label, address, code) => {
      const answer = evaluateMethod(question('x@swindon.gcsx.gov.uk', address, personal), defaultPack);
      expect(answer.ok).toBe(false);
      if (answer.ok) return;
      expect(answer.problems).toHaveLength(1);
      expect(answer.problems[0]).toMatchObject({ field: 'recipient.address', code });
      expect(answer.problems[0]?.message).toMatch(/^[A-Z]/);
    },
  );

  it('says what a look-alike imitates, and what an encoded domain reads as', () => {
    const lookAlike = parseEmailAddress(cyrillic);
    expect(lookAlike.ok ? '' : lookAlike.message).toContain('it looks like nhs.net but is not');
    const encoded = parseEmailAddress(`y@${domainToASCII('nhs.n\u0435t')}`);
    expect(encoded.ok ? '' : encoded.message).toContain('nhs.n\u0435t');
  });

  it('asks for both addresses when the method is e-mail, and names a bad number of people', () => {
    const answer = evaluateMethod({ ...question(undefined, undefined, personal), people: -1 }, defaultPack);
    expect(answer.ok ? [] : answer.problems.map((problem) => `${problem.field} ${problem.code}`)).toEqual([
      'sender.address CHANNELS.ADDRESS_NEEDED',
      'recipient.address CHANNELS.ADDRESS_NEEDED',
      'people CHANNELS.PEOPLE',
    ]);
  });

  it('accepts ordinary addresses, keeping the part before the @ as typed and the domain in lower case', () => {
    expect(parseEmailAddress('  Jo.Bloggs+ref@Swindon.GOV.uk ')).toEqual({
      ok: true,
      address: { local: 'Jo.Bloggs+ref', domain: 'swindon.gov.uk' },
    });
    expect(parseEmailAddress("o'neill@nhs.net").ok).toBe(true);
  });
});

describe('the method policy, as properties', () => {
  const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
  const domain = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));
  const secureList = defaultPack.channels.secureEmail.domains.map((entry) => entry.domain);
  const anyDomain = fc.oneof(
    domain,
    fc.constantFrom(...secureList),
    fc.tuple(label, fc.constantFrom(...secureList)).map(([prefix, listed]) => `${prefix}.${listed}`),
  );
  const localPart = fc
    .stringMatching(/^[a-z][a-z0-9.]{0,10}[a-z0-9]$/)
    .filter((text) => !text.includes('..'));
  const sensitivity = fc.constantFrom<Sensitivity>('personal', 'special-category', 'confidential');
  const method = fc.constantFrom<ChannelMethodId>('email', 'secure-email');

  const onList = (address: string) => {
    const parsed = parseEmailAddress(address);
    return (
      parsed.ok &&
      defaultPack.channels.secureEmail.domains.some((entry) =>
        domainCovers(
          entry.domain,
          parsed.address.domain,
          entry.matching ?? defaultPack.channels.secureEmail.matching,
        ),
      )
    );
  };
  const onOwn = (address: string, domains: readonly string[]) => {
    const parsed = parseEmailAddress(address);
    return parsed.ok && domains.some((entry) => domainCovers(entry, parsed.address.domain, 'endings'));
  };

  it('never allows e-mail between different organisations for personal information without both ends on the secure list or a trusted link', () => {
    fc.assert(
      fc.property(
        localPart,
        anyDomain,
        localPart,
        anyDomain,
        fc.array(domain, { maxLength: 3 }),
        fc.array(domain, { maxLength: 3 }),
        fc.boolean(),
        sensitivity,
        method,
        fc.boolean(),
        (
          senderLocal,
          senderDomain,
          recipientLocal,
          recipientDomain,
          senderDomains,
          recipientDomains,
          trustedLink,
          chosen,
          asked,
          passwordProtected,
        ) => {
          const from = `${senderLocal}@${senderDomain}`;
          const to = `${recipientLocal}@${recipientDomain}`;
          const answer = evaluateMethod(
            {
              method: asked,
              sender: { organisationId: 'sender-organisation', address: from },
              recipient: { organisationId: 'recipient-organisation', address: to },
              directory: { senderDomains, recipientDomains, trustedLink },
              sensitivity: chosen,
              passwordProtected,
            },
            defaultPack,
          );
          expect(answer.ok).toBe(true);
          if (!answer.ok || !answer.advice.allowed) return;
          const linked = trustedLink && onOwn(from, senderDomains) && onOwn(to, recipientDomains);
          expect(linked || (onList(from) && onList(to))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never treats an address at a shared domain as on one organisation’s network, whatever the directory holds', () => {
    const shared = defaultPack.channels.sharedDomains.map((entry) => entry.domain);
    fc.assert(
      fc.property(
        localPart,
        fc.constantFrom(...shared),
        localPart,
        anyDomain,
        fc.array(domain, { maxLength: 2 }),
        fc.boolean(),
        fc.boolean(),
        (
          sharedLocal,
          sharedDomain,
          otherLocal,
          otherDomain,
          ownDomains,
          sameOrganisation,
          senderIsShared,
        ) => {
          const sharedAddress = `${sharedLocal}@${sharedDomain}`;
          const otherAddress = `${otherLocal}@${otherDomain}`;
          // The organisation at the shared domain registered it (and more), as the old demo data did.
          const sharedDomains = [...ownDomains, sharedDomain];
          const otherDomains = sameOrganisation ? sharedDomains : [otherDomain];
          const answer = evaluateMethod(
            {
              method: 'email',
              sender: {
                organisationId:
                  senderIsShared || sameOrganisation ? 'shared-organisation' : 'other-organisation',
                address: senderIsShared ? sharedAddress : otherAddress,
              },
              recipient: {
                organisationId:
                  !senderIsShared || sameOrganisation ? 'shared-organisation' : 'other-organisation',
                address: senderIsShared ? otherAddress : sharedAddress,
              },
              directory: {
                senderDomains: senderIsShared ? sharedDomains : otherDomains,
                recipientDomains: senderIsShared ? otherDomains : sharedDomains,
                trustedLink: true,
              },
              sensitivity: 'personal',
            },
            defaultPack,
          );
          expect(answer.ok).toBe(true);
          if (answer.ok) expect(['same-organisation', 'trusted-link']).not.toContain(answer.advice.route);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never allows ordinary or secure e-mail to another organisation with only a password on the attachment', () => {
    fc.assert(
      fc.property(
        localPart,
        domain,
        localPart,
        domain,
        sensitivity,
        (a, senderDomain, b, recipientDomain, chosen) => {
          fc.pre(senderDomain !== recipientDomain && !onList(`${a}@${senderDomain}`));
          const advice = advise(`${a}@${senderDomain}`, `${b}@${recipientDomain}`, {
            method: 'email',
            sensitivity: chosen,
            passwordProtected: true,
          });
          expect(advice.allowed).toBe(false);
          expect(advice.recommended).toBe('secure-exchange');
          expect(advice.reasons.map((reason) => reason.requirement)).toContain('R4.5.6');
        },
      ),
    );
  });

  it('matches domains without regard to case', () => {
    const recase = (text: string, flips: readonly boolean[]) =>
      Array.from(text, (character, index) =>
        flips[index % Math.max(flips.length, 1)] === true ? character.toUpperCase() : character,
      ).join('');
    fc.assert(
      fc.property(
        localPart,
        anyDomain,
        localPart,
        anyDomain,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        sensitivity,
        (a, senderDomain, b, recipientDomain, flips, chosen) => {
          const lower = advise(`${a}@${senderDomain}`, `${b}@${recipientDomain}`, {
            method: 'email',
            sensitivity: chosen,
          });
          const mixed = advise(
            `${a}@${recase(senderDomain, flips)}`,
            `${b}@${recase(recipientDomain, [...flips].reverse())}`,
            { method: 'email', sensitivity: chosen },
          );
          expect({ allowed: mixed.allowed, route: mixed.route, recommended: mixed.recommended }).toEqual({
            allowed: lower.allowed,
            route: lower.route,
            recommended: lower.recommended,
          });
        },
      ),
    );
  });

  it('never matches a domain holding any character outside ASCII: such an address is refused', () => {
    const foreign = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 4 })
      .filter((text) => /[^\x20-\x7e]/.test(text));
    fc.assert(
      fc.property(
        fc.constantFrom(...secureList, 'swindon.gov.uk'),
        fc.nat(20),
        foreign,
        (listed, at, inserted) => {
          const position = at % (listed.length + 1);
          const domainWithForeign = `${listed.slice(0, position)}${inserted}${listed.slice(position)}`;
          const parsed = parseEmailAddress(`y@${domainWithForeign}`);
          expect(parsed.ok).toBe(false);
          const answer = evaluateMethod(
            question('x@swindon.gcsx.gov.uk', `y@${domainWithForeign}`, personal),
            defaultPack,
          );
          expect(answer.ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('matches whole labels only: a listed domain covers its subdomains and nothing that merely contains or extends it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...secureList), label, label, (listed, prefix, suffix) => {
        expect(domainCovers(listed, listed, 'endings')).toBe(true);
        expect(domainCovers(listed, `${prefix}.${listed}`, 'endings')).toBe(true);
        expect(domainCovers(listed, `${prefix}.${listed}`, 'exact')).toBe(false);
        expect(domainCovers(listed, `${prefix}${listed}`, 'endings')).toBe(false);
        expect(domainCovers(listed, `${listed}.${suffix}.com`, 'endings')).toBe(false);
        expect(domainCovers(listed, `${prefix}-${listed}`, 'endings')).toBe(false);
      }),
    );
  });

  it('parses any text without throwing, and whatever it accepts is plain lower-case ASCII', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 80 }),
          fc.string({ maxLength: 80 }).map((text) => `${text}@${text}`),
          fc.stringMatching(/^[a-zA-Z0-9.-]{1,40}$/).map((text) => `x@${text}`),
        ),
        (input) => {
          const parsed = parseEmailAddress(input);
          if (!parsed.ok) return;
          expect(parsed.address.domain).toMatch(/^[a-z0-9.-]+$/);
          expect(domainToASCII(parsed.address.domain)).toBe(parsed.address.domain);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
