import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { freshDatabase, testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import { systemActor } from '../audit/index.ts';
import { londonToday } from '../lib/time.ts';
import { loadPolicyPack } from '../policy/index.ts';

/**
 * R1.1: a practitioner whose data protection training has lapsed is warned (the default), or, where
 * the pack sets `sharing.training.lapsedBlocksSharing`, cannot start a sharing decision: the start
 * page says why and names their line manager, and the API refuses with problem+json.
 */

/** The default pack with lapsed training blocking sharing, as a council's own pack file. */
function blockingPack(): string {
  const defaults = JSON.parse(
    readFileSync(path.join(import.meta.dirname, '../policy/packs/default.json'), 'utf8'),
  ) as { sharing: Record<string, unknown> };
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'safeshare-pack-')), 'training-blocks.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...defaults,
      name: 'training-blocks',
      sharing: { ...defaults.sharing, training: { lapsedBlocksSharing: true } },
    }),
  );
  return file;
}

interface World {
  readonly context: TestContext;
  readonly practitioner: TestStaff;
  readonly token: string;
  readonly childId: string;
  readonly schoolId: string;
}

async function world(context: TestContext): Promise<World> {
  const organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const schoolId = await createOrganisation(context, {
    name: `Oakfield Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  const manager = await createStaff(context, {
    organisationId,
    roles: ['manager'],
    displayName: 'Tom Hughes',
  });
  const practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  await context.services.staff.recordTraining(systemActor, practitioner.id, '2024-01-15');
  const childId = await addPerson(consentWorld(context), organisationId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  await consentWorld(context).consents.record(
    viewerOf(practitioner, ['practitioner'], 'Priya Sharma'),
    childId,
    givenConsentAnswers({ recipientOrganisationIds: [schoolId], categoryIds: ['education', 'health'] }),
  );
  const token = (await context.services.apiTokens.issue(systemActor, practitioner.id, 'Mosaic', 30)).token;
  return { context, practitioner, token, childId, schoolId };
}

async function decisionCount(context: TestContext): Promise<number> {
  const row = await context.db
    .selectFrom('sharing_decisions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function postDecision(given: World) {
  return given.context.app.inject({
    method: 'POST',
    url: '/api/v1/decisions',
    headers: { authorization: `Bearer ${given.token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(routineShareAnswers({ personIds: [given.childId], schoolId: given.schoolId })),
  });
}

let warning: World;
let blocking: World;

beforeAll(async () => {
  const database = await freshDatabase();
  warning = await world(await testApp({}, { database }));
  blocking = await world(await testApp({ POLICY_PACK: blockingPack() }, { database }));
}, 60_000);

describe('lapsed data protection training (R1.1)', () => {
  it('only warns under the default pack: the practitioner can still start a decision, on the pages and the API', async () => {
    expect(loadPolicyPack().sharing.training.lapsedBlocksSharing).toBe(false);
    const browser = await signIn(warning.context, warning.practitioner);
    const start = await browser.get('/decisions/new');
    expect(start.body).toContain('Your data protection training has lapsed');
    expect(start.body).toContain('Start a new sharing decision');
    const started = await browser.post('/decisions/new', {});
    expect(started.statusCode).toBe(303);
    expect((await postDecision(warning)).statusCode).toBe(201);
  });

  it('stops a practitioner starting a decision when the pack says so, naming their line manager, and changes nothing', async () => {
    const browser = await signIn(blocking.context, blocking.practitioner);
    const before = await decisionCount(blocking.context);
    const start = await browser.get('/decisions/new');
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain(
      'You cannot start a sharing decision: your data protection training has lapsed. Ask your line manager, Tom Hughes, to arrange the training.',
    );
    expect(start.body).not.toContain('Start a new sharing decision');
    const refused = await browser.post('/decisions/new', { personId: blocking.childId });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'You cannot start a sharing decision: your data protection training has lapsed. Ask your line manager, Tom Hughes, to arrange the training.',
    ]);

    const api = await postDecision(blocking);
    expect(api.statusCode).toBe(422);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(api.body).toContain('DECISION.TRAINING_LAPSED');
    expect(await decisionCount(blocking.context)).toBe(before);

    // Once the training is renewed, the practitioner can start again.
    await blocking.context.services.staff.recordTraining(
      systemActor,
      blocking.practitioner.id,
      londonToday(blocking.context.clock.now()),
    );
    expect((await browser.get('/decisions/new')).body).toContain('Start a new sharing decision');
    expect((await browser.post('/decisions/new', {})).statusCode).toBe(303);
  });
});
