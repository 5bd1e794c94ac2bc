import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { systemActor } from '../audit/index.ts';
import { newTotpSecret, type Viewer } from '../auth/index.ts';
import { addDays } from '../lib/calendar.ts';
import { londonToday } from '../lib/time.ts';
import type { Dependencies, Services } from '../services.ts';
import { testNhsNumbers } from '../lib/nhs-number.ts';
import type { PersonDetails } from '../people/index.ts';
import type { DecisionAnswers } from '../sharing/index.ts';
import { organisations, staff, trainingDaysAgo } from './demo.data.ts';

/** Loads the demo directory and accounts (demo.data.ts) and two invented families into an empty database. */

const accountsFile = (dataDir: string) => path.join(dataDir, 'demo-accounts.txt');

/** Loads the demo data once, into an empty database. Returns false when the database already had data. */
export async function loadDemoData(
  deps: Dependencies & { readonly services: Services },
  say: (message: string) => void,
): Promise<boolean> {
  if ((await deps.services.orgs.list()).length > 0) return false;
  say('[demo] loading demo organisations and accounts');
  const { orgs, staff: staffService } = deps.services;
  const ids = new Map<string, string>();
  for (const organisation of organisations) {
    const { key, domains, mailboxes, faxNumbers, address, ...details } = organisation;
    const id = await orgs.create(systemActor, details);
    ids.set(key, id);
    for (const domain of domains) await orgs.addDomain(systemActor, id, domain);
    for (const mailbox of mailboxes ?? []) await orgs.addMailbox(systemActor, id, mailbox);
    for (const fax of faxNumbers) await orgs.addFaxNumber(systemActor, id, fax);
    await orgs.addAddress(systemActor, id, address);
  }
  await orgs.addTrustedLink(
    systemActor,
    idOf(ids, 'council'),
    idOf(ids, 'hospital'),
    'Private network between the council and the hospital trust (formerly N3): e-mail between the two is secure',
  );

  const lines = [
    'DEMO ACCOUNTS (demo data only: never use these in a real deployment)',
    'Each account signs in with its password, then the current code for its MFA key from an authenticator app',
    '(or: npx safeshare demo code <email>).',
    '',
  ];
  const userIds = new Map<string, string>();
  for (const person of staff) {
    const password = `demo-${randomBytes(9).toString('base64url')}`;
    const secret = newTotpSecret();
    const id = await staffService.create(systemActor, {
      organisationId: idOf(ids, person.organisation),
      email: person.email,
      displayName: person.displayName,
      jobTitle: person.jobTitle,
      roles: person.roles,
      lineManagerId: person.managedBy === undefined ? null : idOf(userIds, person.managedBy),
      password,
      demo: true,
      enrolledMfaSecretSealed: deps.secretBox.seal(secret),
    });
    userIds.set(person.email, id);
    lines.push(
      `  ${person.roles.join(', ').padEnd(20)} ${person.email.padEnd(32)} password ${password}   MFA key ${secret}`,
    );
  }
  const today = londonToday(deps.clock.now());
  for (const [email, daysAgo] of Object.entries(trainingDaysAgo)) {
    await staffService.recordTraining(systemActor, idOf(userIds, email), addDays(today, -daysAgo));
  }
  await loadDemoFamilies(deps, {
    councilId: idOf(ids, 'council'),
    schoolId: idOf(ids, 'school'),
    practitionerId: idOf(userIds, 'priya.sharma@swindon.gov.uk'),
  });
  await deps.services.agreements.create(
    {
      userId: idOf(userIds, 'aisha.khan@swindon.gov.uk'),
      displayName: 'Aisha Khan',
      email: 'aisha.khan@swindon.gov.uk',
      organisationId: idOf(ids, 'council'),
      organisationName: 'Swindon Borough Council',
      roles: ['ig_lead'],
    },
    {
      title: 'Education, health and care plans: the council and Oakfield Primary School',
      partnerOrganisationIds: [idOf(ids, 'school')],
      purposeIds: ['education-support'],
      categories: [
        {
          categoryId: 'education',
          relevance: 'Attainment and the support in place, for the plan and its reviews.',
        },
        {
          categoryId: 'health',
          relevance: 'Health needs named in the plan, such as speech and language needs.',
        },
      ],
      methods: ['secure-exchange'],
      ownBasis: {
        article6: 'public-task',
        article9: 'health-social-care',
        schedule1: 'health-social-care-purposes',
      },
      partnerBasis:
        'The school: Article 6(1)(e) and Article 9(2)(h); Children and Families Act 2014, part 3.',
      retention: 'Until the child leaves the school; then it goes with the school record.',
      riskOfSharing: 'Low: the school already holds the plan, and only what its review needs is shared.',
      riskOfNotSharing:
        'The review would go ahead without the child’s current needs, and support could be cut.',
      startsOn: addDays(today, -90),
      reviewOn: addDays(today, 275),
      endsOn: addDays(today, 640),
    },
  );
  await fs.mkdir(deps.config.dataDir, { recursive: true });
  await fs.writeFile(accountsFile(deps.config.dataDir), `${lines.join('\n')}\n`, { mode: 0o600 });
  return true;
}

/**
 * Two invented families on Priya Sharma's caseload, so that a sharing decision can be tried at
 * once: Amelia Hughes, whose mother agreed to education and health information going to her school
 * (a routine share, already made once, so that the oversight pages and a subject access report have
 * something to show), and Leo Marsh, whose father withdrew consent (a public-interest decision).
 */
async function loadDemoFamilies(
  deps: Dependencies & { readonly services: Services },
  ids: { councilId: string; schoolId: string; practitionerId: string },
): Promise<void> {
  const { people, consent } = deps.services;
  const priya: Viewer = {
    userId: ids.practitionerId,
    displayName: 'Priya Sharma',
    email: 'priya.sharma@swindon.gov.uk',
    organisationId: ids.councilId,
    organisationName: 'Swindon Borough Council',
    roles: ['practitioner'],
  };
  const numbers = testNhsNumbers(4000);
  const today = londonToday(deps.clock.now());
  const person = (
    givenNames: string,
    familyName: string,
    dateOfBirth: string,
    localReference: string,
  ): PersonDetails => ({
    givenNames,
    familyName,
    knownAs: null,
    dateOfBirth,
    nhsNumber: numbers.next().value,
    localReference,
    upn: null,
    externalId: null,
    addressLine1: '14 Fleet Street',
    addressLine2: null,
    town: 'Swindon',
    postcode: 'SN1 1RQ',
  });
  const amelia = await people.register(
    systemActor,
    ids.councilId,
    person('Amelia', 'Hughes', '2016-05-12', 'CR-204511'),
    { allocateTo: ids.practitionerId },
  );
  const rachelId = await people.addRelative(priya, amelia, {
    kind: 'new',
    details: person('Rachel', 'Hughes', '1988-02-03', 'CR-204512'),
    relationship: 'mother',
    parentalResponsibility: true,
  });
  const leo = await people.register(
    systemActor,
    ids.councilId,
    person('Leo', 'Marsh', '2018-01-20', 'CR-204530'),
    { allocateTo: ids.practitionerId },
  );
  const craigId = await people.addRelative(priya, leo, {
    kind: 'new',
    details: person('Craig', 'Marsh', '1985-09-14', 'CR-204531'),
    relationship: 'father',
    parentalResponsibility: true,
  });
  const given = {
    decision: 'given' as const,
    givenOn: addDays(today, -30),
    givenByChild: false,
    childCapacity: 'not_competent' as const,
    capacityNotAssessedReason: null,
    prevailingView: 'parent_carer' as const,
    purposeIds: ['education-support'],
    useDescription: 'To support the annual review of the education, health and care plan.',
    recipientOrganisationIds: [ids.schoolId],
    recipientRoles: ['Special educational needs coordinator'],
    methodIds: ['secure-exchange', 'post'],
    categoryIds: ['education', 'health'],
    retentionPeriod: 'Until the end of the plan',
    retentionFormIds: ['electronic'],
    toldSharedWithoutConsent: true,
    toldMayWithdraw: true,
    howGiven: 'written' as const,
    evidenceNote: 'Signed consent form on the case file.',
    notSoughtReasonId: null,
    notSoughtDetail: null,
    reviewOn: null,
    expiresOn: null,
    supersedesId: null,
  };
  await consent.record(priya, amelia, {
    ...given,
    parentCarerId: rachelId,
    childView: 'Amelia is happy for her teachers to know what helps her.',
  });
  await shareForTheReview(deps, priya, { ameliaId: amelia, schoolId: ids.schoolId, today });
  const leoConsent = await consent.record(priya, leo, {
    ...given,
    parentCarerId: craigId,
    childView: 'Leo said he likes his teacher helping him.',
  });
  await consent.withdraw(priya, leoConsent, {
    withdrawnOn: addDays(today, -3),
    method: 'telephone',
    by: 'parent_carer',
    note: 'Father rang to withdraw consent after a disagreement with the school.',
  });
}

/**
 * The school asked for Amelia's education and health information for her plan's annual review:
 * Priya Sharma recorded the decision to share (her mother's consent, the agreement with the school)
 * and sent the reports by signed-for post, through the same services the pages use.
 */
async function shareForTheReview(
  deps: { readonly services: Services },
  priya: Viewer,
  ids: { ameliaId: string; schoolId: string; today: string },
): Promise<void> {
  const senco = 'Rebecca Sutton';
  const answers: DecisionAnswers = {
    request: {
      requesterKind: 'agency',
      requesterName: senco,
      requesterRole: 'Special educational needs coordinator',
      requesterOrganisationId: ids.schoolId,
      channelId: 'telephone',
      receivedOn: addDays(ids.today, -6),
      purposeId: 'education-support',
      details:
        'The school is reviewing Amelia’s plan and asked for the latest education and health information.',
    },
    people: { personIds: [ids.ameliaId], systemTransfer: false },
    recipients: {
      recipients: [
        {
          name: senco,
          role: 'Special educational needs coordinator',
          organisationId: ids.schoolId,
          reason:
            'She coordinates the annual review of the plan and needs Amelia’s current needs and support.',
        },
      ],
    },
    information: {
      shared: [
        {
          categoryId: 'education',
          relevance: 'Current attainment and the support in place, for the review.',
        },
        { categoryId: 'health', relevance: 'Speech and language needs named in the plan.' },
      ],
      withheld: [],
      thirdParties: 'none',
      confirmed: ['necessary', 'proportionate', 'relevant', 'adequate', 'accurate', 'timely', 'secure'],
    },
    lawfulBasis: {
      unsure: false,
      article6: 'public-task',
      article9: 'health-social-care',
      schedule1: 'health-social-care-purposes',
      commonLaw: 'consent',
    },
    openness: {
      told: true,
      toldDetails: 'Her mother was told the reports would go to the school’s SENCo for the review.',
    },
    safety: {
      wellbeing: 'Sharing helps the school meet Amelia’s speech and language needs.',
      riskOfSharing: 'Low: the school already holds the plan.',
      riskOfNotSharing: 'The review would go ahead without her current needs, and support could be cut.',
    },
    outcome: {
      outcome: 'share',
      notShareReasonIds: [],
      reasons: 'The review needs her current education and health information, and her mother agreed.',
    },
  };
  const decision = await deps.services.sharing.recordComplete(priya, answers);
  await deps.services.disclosures.record(priya, decision.id, {
    recipientIndex: 0,
    method: 'post',
    categoryIds: ['education', 'health'],
    description: 'Amelia’s latest school report and her speech and language therapy report, for the review.',
    checklist: {
      service: 'signed-for',
      trackingReference: 'RR123456785GB',
      recipientName: senco,
      address: { line1: 'Oakfield Primary School, Oak Lane', town: 'Swindon', postcode: 'SN2 1AA' },
      addresseeOnly: true,
      innerAndOuterEnvelope: true,
      packagingAdequate: true,
      mediaEnclosed: false,
      receiptRequested: true,
    },
  });
}

/** The demo accounts written at first start, for printing again at later starts. */
export async function demoAccountsText(dataDir: string): Promise<string | undefined> {
  return fs.readFile(accountsFile(dataDir), 'utf8').catch(() => undefined);
}

function idOf(ids: Map<string, string>, key: string): string {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`demo data refers to ${key}, which was not created`);
  return id;
}
