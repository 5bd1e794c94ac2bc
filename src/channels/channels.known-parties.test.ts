import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';

/**
 * The method policy between two organisations the caller names (the disclosure log's question):
 * their domains and any trusted link come from the directory, in the order either was made.
 */
let context: TestContext;
let council: string;
let school: string;
let academy: string;
const suffix = randomBytes(3).toString('hex');

beforeAll(async () => {
  context = await testApp();
  council = await createOrganisation(context, { name: `Swindon Borough Council ${suffix}` });
  school = await createOrganisation(context, { name: `Oakfield Primary School ${suffix}`, hosted: false });
  academy = await createOrganisation(context, { name: `Ridgeway Academy ${suffix}`, hosted: false });
  const { orgs } = context.services;
  await orgs.addDomain(systemActor, council, `council${suffix}.example.gov.uk`);
  await orgs.addDomain(systemActor, school, `oakfield${suffix}.example.sch.uk`);
  await orgs.addDomain(systemActor, academy, `ridgeway${suffix}.example.sch.uk`);
  // Made from the school's side: the link joins the two either way round.
  await orgs.addTrustedLink(
    systemActor,
    school,
    council,
    'Private network between the council and the school',
  );
}, 60_000);

async function emailAdvice(recipientOrganisationId: string, recipientAddress: string) {
  const answer = await context.services.channels.advise({
    method: 'email',
    senderOrganisationId: council,
    senderAddress: `priya.sharma@council${suffix}.example.gov.uk`,
    recipientOrganisationId,
    recipientAddress,
    sensitivity: 'personal',
    people: 1,
  });
  if (!answer.ok) throw new Error(JSON.stringify(answer.problems));
  return answer.advice;
}

describe('e-mail between two organisations the directory names', () => {
  it('is allowed over a trusted link in the directory, made from either side (R4.6.3)', async () => {
    const advice = await emailAdvice(school, `senco@oakfield${suffix}.example.sch.uk`);
    expect(advice.allowed).toBe(true);
    expect(advice.reasons.map((reason) => reason.code)).toContain('TRUSTED_LINK');
  });

  it('reads each party’s own domains from the one directory read: an address on the sender’s domain is not the recipient’s', async () => {
    const advice = await emailAdvice(school, `senco@council${suffix}.example.gov.uk`);
    expect(advice.reasons.map((reason) => reason.code)).not.toContain('TRUSTED_LINK');
    expect(advice.allowed).toBe(false);
  });

  it('is allowed within one organisation, whose one entry is both sender and recipient', async () => {
    const advice = await emailAdvice(council, `jo.bennett@council${suffix}.example.gov.uk`);
    expect(advice.allowed).toBe(true);
    expect(advice.reasons.map((reason) => reason.code)).not.toContain('TRUSTED_LINK');
  });

  it('is not allowed by a link between other organisations', async () => {
    const advice = await emailAdvice(academy, `office@ridgeway${suffix}.example.sch.uk`);
    expect(advice.reasons.map((reason) => reason.code)).not.toContain('TRUSTED_LINK');
    expect(advice.allowed).toBe(false);
  });
});
