import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { verifyChains } from '../../src/audit/audit.verification.ts';
import { loadConfig } from '../../src/config.ts';
import { backupEmbedded, restoreEmbedded } from '../../src/db/backup.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { SecretBox } from '../../src/lib/secret-box.ts';
import { services as buildServices } from '../../src/services.ts';
import { freePort } from '../../bench/support.ts';

/** These try the embedded server itself: the stage on the machine's server has nothing to add. */
const onServerStage = process.env['SAFESHARE_TEST_ENGINE'] === 'server';
/**
 * `safeshare backup` of a running embedded server while it takes writes, restored into an empty
 * data folder: the restored server starts, holds every write made before the backup began, and its
 * audit chains verify, against their signed checkpoints too.
 */
const folders: string[] = [];
const closing: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close().catch(() => undefined);
  for (const folder of folders) await fs.rm(folder, { recursive: true, force: true });
});

async function folder(prefix: string): Promise<string> {
  const made = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(made, 0o755);
  folders.push(made);
  return made;
}

async function started(dataDir: string): Promise<{ server: EmbeddedServer; db: Db }> {
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  const db = createDb(server.connectionString, 4);
  closing.push(async () => {
    await db.destroy();
    await server.stop();
  });
  return { server, db };
}

it.skipIf(onServerStage)(
  'backs up a running server under writes and restores it into an empty folder, whose chains verify',
  async () => {
    const original = await started(await folder('safeshare-backup-'));
    await migrateToLatest(original.db);
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      AUDIT_SIGNING_KEY: randomBytes(32).toString('hex'),
      AUDIT_CHECKPOINT_EVENTS: '5',
    });
    const services = buildServices({
      db: original.db,
      clock: systemClock,
      secretBox: new SecretBox(randomBytes(32)),
      config,
    });
    let created = 0;
    const organisation = () =>
      services.orgs.create(systemActor, {
        name: `Backup Borough Council ${String((created += 1))}`,
        kind: 'local_authority',
        switchboardPhone: null,
        hosted: true,
      });
    const before: string[] = [];
    for (let index = 0; index < 20; index += 1) before.push(await organisation());
    await services.auditCheckpoints.signDue();

    // Writes and signing go on while the backup runs.
    const writing = { on: true };
    const during = (async () => {
      let written = 0;
      while (writing.on) {
        await organisation();
        written += 1;
        if (written % 7 === 0) await services.auditCheckpoints.signDue();
      }
      return written;
    })();
    const archive = path.join(await folder('safeshare-archive-'), 'backup.tar');
    const summary = await backupEmbedded(original.server, createWriteStream(archive, { flags: 'wx' }));
    writing.on = false;
    expect(await during).toBeGreaterThan(0);
    expect(summary.files).toBeGreaterThan(100);
    expect(summary.walSegments).toBeGreaterThanOrEqual(1);

    const restoredDir = await folder('safeshare-restored-');
    const { files } = await restoreEmbedded(createReadStream(archive), restoredDir);
    expect(files).toBe(summary.files);
    // A second restore into the same folder is refused: it never overwrites a database.
    await expect(restoreEmbedded(createReadStream(archive), restoredDir)).rejects.toThrow(/already holds/);

    const restored = await started(restoredDir);
    const present = await restored.db
      .selectFrom('organisations')
      .select('id')
      .where('id', 'in', before)
      .execute();
    expect(present).toHaveLength(before.length);
    const checkpoints = await restored.db
      .selectFrom('audit_checkpoints')
      .select(['organisation_id', 'tree_size', 'root_hash', 'signed_at'])
      .execute();
    expect(checkpoints.length).toBeGreaterThan(0);
    const verification = await verifyChains(restored.db, {
      checkpoints: checkpoints.map((checkpoint) => ({
        organisationId: checkpoint.organisation_id,
        treeSize: checkpoint.tree_size,
        rootHash: checkpoint.root_hash,
        signedAt: checkpoint.signed_at,
      })),
    });
    expect(verification).toMatchObject({ ok: true });
  },
  180_000,
);
