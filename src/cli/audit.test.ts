import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifierPath } from '../../test/support/audit-proofs.ts';
import { createOrganisation, createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/safeshare.js');

let context: TestContext;
let dataDir: string;
let councils: string[];

beforeAll(async () => {
  context = await testApp();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-audit-cli-'));
  councils = [await createOrganisation(context), await createOrganisation(context)];
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** The real command, as an operator runs it, against this file's database; a checkpoint every 2 events. */
async function safeshare(...args: string[]) {
  return run(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: context.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      AUDIT_CHECKPOINT_EVENTS: '2',
    },
    timeout: 60_000,
  });
}

/** A command expected to fail: its exit code and output. */
async function failing(command: Promise<{ stdout: string; stderr: string }>) {
  return command.then(
    () => {
      throw new Error('the command succeeded where it should have failed');
    },
    (error: unknown) => error as { code: number; stdout: string; stderr: string },
  );
}

/** The sizes of an organisation's signed checkpoints, smallest first. */
async function checkpointSizes(organisationId: string): Promise<number[]> {
  const rows = await context.db
    .selectFrom('audit_checkpoints')
    .select('tree_size')
    .where('organisation_id', '=', organisationId)
    .orderBy('tree_size')
    .execute();
  return rows.map((row) => row.tree_size);
}

/** The stand-alone verifier, run by plain Node.js as a council keeping the proofs would run it. */
async function verifier(...args: string[]) {
  return run(process.execPath, [verifierPath, ...args], { timeout: 30_000 });
}

describe('safeshare audit: signed checkpoints', () => {
  it('registers the checkpoint job every five minutes and the DPO copy daily, each calling its service', async () => {
    const listed = await safeshare('jobs', 'list');
    expect(listed.stdout).toMatch(/^audit-checkpoints {2}every 5 minutes {2}/m);
    expect(listed.stdout).toMatch(/^audit-checkpoint-mail {2}daily at 06:30 \(London time\) {2}/m);
    const signed = await safeshare('jobs', 'run', 'audit-checkpoints');
    expect(signed.stdout.trim()).toMatch(/^audit-checkpoints: signed \d+ checkpoints? of [1-9]\d* chains?$/);
    const again = await safeshare('jobs', 'run', 'audit-checkpoints');
    expect(again.stdout.trim()).toBe('audit-checkpoints: nothing to sign');
    const mailed = await safeshare('jobs', 'run', 'audit-checkpoint-mail');
    expect(mailed.stdout.trim()).toBe('audit-checkpoint-mail: no checkpoints mailed');
    // The key was made in the data folder, readable by its owner only.
    expect((await fs.stat(path.join(dataDir, 'audit-signing-key.pem'))).mode & 0o077).toBe(0);
  }, 120_000);

  it('prints the public key, as a verifier key and as PEM', async () => {
    const { stdout } = await safeshare('audit', 'key');
    expect(stdout.trim()).toMatch(/^safeshare-audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const pem = await safeshare('audit', 'key', '--pem');
    expect(pem.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
  }, 60_000);

  it('proves an event and the consistency of two checkpoints, which the stand-alone verifier accepts, and refuses altered', async () => {
    const [council = ''] = councils;
    await createStaff(context, { organisationId: council });
    await createStaff(context, { organisationId: council });
    await safeshare('jobs', 'run', 'audit-checkpoints');
    const key = (await safeshare('audit', 'key')).stdout.trim();
    const keyFile = path.join(dataDir, 'audit-key.pub');
    await fs.writeFile(keyFile, (await safeshare('audit', 'key', '--pem')).stdout);

    const unnamed = await failing(safeshare('audit', 'prove', '--event', '1'));
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toContain('name the organisation with --organisation');

    const inclusion = await safeshare(
      'audit',
      'prove',
      '--organisation',
      council,
      '--event',
      '1',
      '--with-event',
    );
    const proof = JSON.parse(inclusion.stdout) as { treeSize: number; event: { canonical: string } };
    expect(proof).toMatchObject({
      type: 'safeshare-audit-inclusion-proof',
      organisationId: council,
      leafIndex: 0,
    });
    expect(proof.event.canonical).toContain('"action":"organisation.created"');
    const proofFile = path.join(dataDir, 'inclusion.json');
    await fs.writeFile(proofFile, inclusion.stdout);
    const checked = await verifier('--key', key, proofFile);
    expect(checked.stdout).toMatch(
      new RegExp(
        `^OK ${proofFile}: event 1 \\(hash [0-9a-f]{64}, its text matching\\) of organisation ${council} is in the checkpoint of ${String(proof.treeSize)} events signed \\S+\\n$`,
      ),
    );
    // The PEM form of the key does as well.
    expect((await verifier('--key', keyFile, proofFile)).stdout).toMatch(/^OK /);

    const listed = (await safeshare('audit', 'checkpoints')).stdout;
    expect(listed).toContain(`organisation ${council}: ${String(proof.treeSize)} events, root `);
    const sizes = await checkpointSizes(council);
    expect(sizes.length).toBeGreaterThan(1);
    const [from = 0] = sizes;
    const consistency = await safeshare(
      'audit',
      'prove',
      '--organisation',
      council,
      '--from',
      String(from),
      '--to',
      String(proof.treeSize),
    );
    const consistencyFile = path.join(dataDir, 'consistency.json');
    await fs.writeFile(consistencyFile, consistency.stdout);
    expect((await verifier('--key', key, consistencyFile)).stdout).toMatch(
      new RegExp(
        `^OK ${consistencyFile}: the checkpoint of ${String(from)} events signed \\S+ is the beginning of the checkpoint of ${String(proof.treeSize)} events`,
      ),
    );

    const forged = path.join(dataDir, 'forged.json');
    await fs.writeFile(forged, inclusion.stdout.replace('organisation.created', 'organisation.deleted'));
    const refused = await failing(verifier('--key', key, forged, proofFile));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      `FAILED ${forged}: inclusion proof: the event's text does not hash to event 1's hash`,
    );
    expect(refused.stdout).toContain(`OK ${proofFile}`);
    expect((await failing(verifier(proofFile))).code).toBe(2);

    const beyond = await failing(safeshare('audit', 'prove', '--organisation', council, '--event', '999'));
    expect(beyond.stderr).toContain(`event 999 is not in the checkpoint of ${String(proof.treeSize)} events`);
    expect((await failing(safeshare('audit', 'prove', '--event', '1', '--from', '2'))).code).toBe(2);
  }, 180_000);

  it('exports checkpoints, appending only what is new, and holds the chains to the export: a tail cut is named', async () => {
    const file = path.join(dataDir, 'exports', 'checkpoints.jsonl');
    await fs.mkdir(path.dirname(file));
    const first = await safeshare('audit', 'checkpoints', '--export', file);
    expect(first.stdout.trim()).toMatch(/^appended [1-9]\d* checkpoints? of [2-9]\d* organisations to /);
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n').length;
    expect((await safeshare('audit', 'checkpoints', '--export', file)).stdout.trim()).toBe(
      `appended 0 checkpoints of 0 organisations to ${file}`,
    );
    const [, council = ''] = councils;
    await createStaff(context, { organisationId: council });
    await createStaff(context, { organisationId: council });
    await safeshare('jobs', 'run', 'audit-checkpoints');
    const more = (await safeshare('audit', 'checkpoints', '--export', file)).stdout.trim();
    const added = Number(/^appended ([1-9]\d*) checkpoints? of 1 organisation to /.exec(more)?.[1]);
    const exported = await fs.readFile(file, 'utf8');
    expect(exported.trimEnd().split('\n')).toHaveLength(lines + added);
    const key = (await safeshare('audit', 'key')).stdout.trim();
    expect(
      (await verifier('--key', key, file)).stdout.split('\n').filter((line) => line.startsWith('OK ')),
    ).toHaveLength(lines + added);

    const held = await safeshare('audit', 'verify', '--checkpoints', file);
    expect(held.stdout).toMatch(
      /^verified \d+ events in \d+ chains \(.*\); held to \d+ signed checkpoints of \d+ organisations\n$/,
    );

    // Cut the council's chain back to before its latest checkpoint and move its head back, as only the owner can.
    const cut = (await checkpointSizes(council)).at(-1) ?? 0;
    await context.ownerDb.transaction().execute(async (trx) => {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(trx);
      await sql`DELETE FROM audit_events WHERE organisation_id = ${council} AND seq >= ${cut}`.execute(trx);
      await sql`UPDATE audit_chain_heads SET seq = ${cut - 1}, hash = (SELECT hash FROM audit_events WHERE organisation_id = ${council} AND seq = ${cut - 1}) WHERE organisation_id = ${council}`.execute(
        trx,
      );
      await sql`ALTER TABLE audit_events ENABLE TRIGGER USER`.execute(trx);
    });
    expect((await safeshare('audit', 'verify')).stdout).toMatch(/^verified /);
    const found = await failing(safeshare('audit', 'verify', '--checkpoints', file));
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/^FAILED: 1 break found in 1 chain; /);
    expect(found.stdout).toContain(
      `(${council}), event ${String(cut)}: truncated (the chain has ${String(cut - 1)} events but the checkpoint signed `,
    );

    // A line of the export altered is named, and fails the verification.
    await fs.appendFile(
      file,
      `${exported.split('\n')[0]?.replace(/"rootHash":"[0-9a-f]{64}"/, `"rootHash":"${'0'.repeat(64)}"`) ?? ''}\n`,
    );
    const altered = await failing(safeshare('audit', 'verify', '--checkpoints', file));
    expect(altered.stdout).toContain(
      `checkpoint file, line ${String(lines + 2)}: its fields differ from the signed checkpoint it carries`,
    );
  }, 180_000);
});
