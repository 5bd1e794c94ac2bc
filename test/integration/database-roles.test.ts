import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditService } from '../../src/audit/index.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { scheduleOnce } from '../../src/db/job-queue.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { applicationRoleProblems, currentRole } from '../../src/db/roles.ts';
import { createJobRunner } from '../../src/jobs/index.ts';
import { ManualClock, systemClock } from '../../src/lib/clock.ts';
import { createOrganisation } from '../support/factories.ts';
import { asRole, withDatabase } from '../support/global-setup.ts';
import { testApp, type TestContext } from '../support/harness.ts';

/**
 * The application role (ADR 0022): what Safeshare connects as can do its work, the audit trail's
 * included, and cannot change, switch off or drop the audit trail's protections. Run on the embedded
 * server and on TEST_DATABASE_URL's, as every integration test is.
 */

let context: TestContext;
let applicationRole: string;
/** The test database as the server's superuser: the owner of every table in tests. */
let ownerUrl: string;

beforeAll(async () => {
  context = await testApp();
  applicationRole = await currentRole(context.db);
  ownerUrl = withDatabase(inject('databaseServerUrl'), context.name);
});

/** The error PostgreSQL answers a statement with; fails the test if the statement is allowed. */
async function refusal(db: Db, statement: RawBuilder<unknown>): Promise<{ code: string; message: string }> {
  try {
    await statement.execute(db);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { code: code ?? '(none)', message };
  }
  throw new Error(`allowed: ${statement.compile(db).sql}`);
}

const insufficientPrivilege = '42501';

async function recordEvents(organisationId: string, count: number): Promise<void> {
  const audit = auditService({ db: context.db, clock: new ManualClock() });
  for (let index = 0; index < count; index += 1)
    await context.db.transaction().execute((trx) =>
      audit.record(trx, {
        organisationId,
        actor: { userId: null, label: 'Duty social worker' },
        action: 'person.viewed',
        entity: { type: 'person', id: randomUUID() },
        personId: randomUUID(),
        change: { reason: 'allocated worker', visit: index },
      }),
    );
}

describe('the application role', () => {
  it('is not a superuser, owns no table and may not create one', async () => {
    const role = await sql<{
      superuser: boolean;
      createdb: boolean;
      createrole: boolean;
      bypassrls: boolean;
      owned: number;
    }>`
      SELECT rolsuper AS superuser, rolcreatedb AS createdb, rolcreaterole AS createrole, rolbypassrls AS bypassrls,
             (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace) AS owned
      FROM pg_roles r WHERE rolname = current_user`.execute(context.db);
    expect(role.rows).toEqual([
      { superuser: false, createdb: false, createrole: false, bypassrls: false, owned: 0 },
    ]);
    expect(await refusal(context.db, sql`CREATE TABLE audit_shadow (id int)`)).toMatchObject({
      code: insufficientPrivilege,
      message: 'permission denied for schema public',
    });
    expect(await applicationRoleProblems(context.db)).toEqual([]);
  });

  it('records changes with their audit events through the real services, and the chains verify', async () => {
    // Creating an organisation writes the organisation and its audit event in one transaction.
    const ashford = await createOrganisation(context, { name: 'Ashford Borough Council' });
    const barnet = await createOrganisation(context, { name: 'Barnet Council' });
    await recordEvents(ashford, 3);
    await recordEvents(barnet, 2);
    const verified = await context.services.audit.verify();
    expect(verified).toMatchObject({ ok: true });
    expect(verified.events).toBeGreaterThanOrEqual(7);
    const heads = await context.db
      .selectFrom('audit_chain_heads')
      .select(['organisation_id', 'seq'])
      .where('organisation_id', 'in', [ashford, barnet])
      .orderBy('seq')
      .execute();
    expect(heads.map((head) => head.seq)).toEqual([3, 4]);
    // Sequences (incident and decision references) are the application's to draw from.
    const drawn = await sql<{ next: number }>`SELECT nextval('incident_reference_seq') AS next`.execute(
      context.db,
    );
    expect(drawn.rows[0]?.next).toBeGreaterThan(0);
  });

  it('cannot UPDATE, DELETE or TRUNCATE audit events, nor switch off or drop their triggers, nor the table', async () => {
    const organisationId = await createOrganisation(context, { name: 'Croydon Council' });
    await recordEvents(organisationId, 2);
    const owner = createDb(ownerUrl, 1);
    try {
      const before = await owner
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('organisation_id')
        .orderBy('seq')
        .execute();
      const denied = { code: insufficientPrivilege, message: 'permission denied for table audit_events' };
      // DROP TRIGGER says "relation" where ALTER TABLE says "table".
      const notOwner = {
        code: insufficientPrivilege,
        message: expect.stringMatching(/^must be owner of (table|relation) audit_events$/) as string,
      };
      expect(await refusal(context.db, sql`UPDATE audit_events SET actor_label = 'Someone else'`)).toEqual(
        denied,
      );
      expect(
        await refusal(context.db, sql`DELETE FROM audit_events WHERE organisation_id = ${organisationId}`),
      ).toEqual(denied);
      expect(await refusal(context.db, sql`TRUNCATE audit_events`)).toEqual(denied);
      expect(
        await refusal(context.db, sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`),
      ).toEqual(notOwner);
      expect(await refusal(context.db, sql`ALTER TABLE audit_events DISABLE TRIGGER USER`)).toEqual(notOwner);
      expect(await refusal(context.db, sql`ALTER TABLE audit_events DISABLE TRIGGER ALL`)).toEqual(notOwner);
      expect(await refusal(context.db, sql`DROP TRIGGER audit_events_append_only ON audit_events`)).toEqual(
        notOwner,
      );
      expect(await refusal(context.db, sql`DROP TRIGGER audit_events_no_truncate ON audit_events`)).toEqual(
        notOwner,
      );
      expect(await refusal(context.db, sql`DROP TABLE audit_events`)).toEqual(notOwner);
      expect(await refusal(context.db, sql`ALTER TABLE audit_events OWNER TO CURRENT_USER`)).toEqual(
        notOwner,
      );
      // Nor replace the function the triggers call, nor run as a replica (which skips triggers).
      expect(
        await refusal(
          context.db,
          sql.raw(
            'CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
          ),
        ),
      ).toEqual({
        code: insufficientPrivilege,
        // Refused before ownership is even asked: no one but the owner may create in the schema.
        message: expect.stringMatching(
          /^(permission denied for schema public|must be owner of function audit_refuse_change)$/,
        ) as string,
      });
      expect(await refusal(context.db, sql`SET session_replication_role = replica`)).toMatchObject({
        code: insufficientPrivilege,
        message: 'permission denied to set parameter "session_replication_role"',
      });

      const after = await owner
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('organisation_id')
        .orderBy('seq')
        .execute();
      expect(after).toEqual(before);
      const triggers = await sql<{ name: string; enabled: string }>`
        SELECT tgname AS name, tgenabled AS enabled FROM pg_trigger
        WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal ORDER BY tgname`.execute(owner);
      expect(triggers.rows).toEqual([
        { name: 'audit_events_append_only', enabled: 'O' },
        { name: 'audit_events_no_truncate', enabled: 'O' },
      ]);
    } finally {
      await owner.destroy();
    }
  });

  it('cannot delete, empty or re-point a chain head, nor switch off or drop its triggers', async () => {
    const notOwner = {
      code: insufficientPrivilege,
      message: expect.stringMatching(/^must be owner of (table|relation) audit_chain_heads$/) as string,
    };
    const denied = { code: insufficientPrivilege, message: 'permission denied for table audit_chain_heads' };
    expect(await refusal(context.db, sql`DELETE FROM audit_chain_heads`)).toEqual(denied);
    expect(await refusal(context.db, sql`TRUNCATE audit_chain_heads`)).toEqual(denied);
    // Only the two columns an append moves may change: a head never moves to another organisation.
    expect(
      await refusal(context.db, sql`UPDATE audit_chain_heads SET organisation_id = organisation_id`),
    ).toEqual(denied);
    expect(
      await refusal(
        context.db,
        sql`ALTER TABLE audit_chain_heads DISABLE TRIGGER audit_chain_heads_no_delete`,
      ),
    ).toEqual(notOwner);
    expect(
      await refusal(context.db, sql`DROP TRIGGER audit_chain_heads_no_truncate ON audit_chain_heads`),
    ).toEqual(notOwner);
  });

  it('erases kept records only through the recorded disposal (ADR 0033): no write to the erasures, no guard switched off', async () => {
    const may = await sql<{ execute: boolean; write: boolean }>`
      SELECT has_function_privilege(current_user, 'retention_erase_person(uuid, uuid, uuid, timestamptz)', 'EXECUTE') AS execute,
             has_table_privilege(current_user, 'retention_erasures', 'INSERT') AS write`.execute(context.db);
    expect(may.rows).toEqual([{ execute: true, write: false }]);
    expect(
      await refusal(
        context.db,
        sql`INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at) VALUES ('consents', ${randomUUID()}, ${randomUUID()}, now())`,
      ),
    ).toEqual({ code: insufficientPrivilege, message: 'permission denied for table retention_erasures' });
    expect(
      (await refusal(context.db, sql`ALTER TABLE consents DISABLE TRIGGER consents_guard_update`)).code,
    ).toBe(insufficientPrivilege);
    // Without a disposal being carried out for that person, the one path refuses.
    expect(
      await refusal(
        context.db,
        sql`SELECT retention_erase_person(${randomUUID()}::uuid, ${randomUUID()}::uuid, ${randomUUID()}::uuid, now())`,
      ),
    ).toMatchObject({ code: insufficientPrivilege });
  });
});

describe('the job queue (ADR 0032)', () => {
  it('is worked by the application role, which cannot change its schema, its row security or its migration record', async () => {
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const runner = createJobRunner({ db: context.db, clock: systemClock, log: quiet, pollIntervalMs: 100 });
    const ran = { yes: false };
    runner.register({ name: 'roles-check', once: true }, async () => {
      ran.yes = true;
      return 'done';
    });
    await runner.start();
    try {
      await scheduleOnce(context.db, 'roles-check', { incidentId: randomUUID() }, new Date());
      for (let waited = 0; !ran.yes && waited < 10_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await runner.stop();
    }
    expect(ran.yes).toBe(true);

    const notOwner = (table: string) => ({
      code: insufficientPrivilege,
      message: expect.stringMatching(new RegExp(`^must be owner of (table|relation) ${table}$`)) as string,
    });
    expect(await refusal(context.db, sql`CREATE TABLE graphile_worker.shadow (id int)`)).toEqual({
      code: insufficientPrivilege,
      message: 'permission denied for schema graphile_worker',
    });
    expect(
      await refusal(context.db, sql`ALTER TABLE graphile_worker._private_jobs DISABLE ROW LEVEL SECURITY`),
    ).toEqual(notOwner('_private_jobs'));
    expect(
      await refusal(context.db, sql`DROP POLICY safeshare_grants_decide ON graphile_worker._private_jobs`),
    ).toEqual(notOwner('_private_jobs'));
    expect(await refusal(context.db, sql`DROP TABLE graphile_worker._private_known_crontabs`)).toEqual(
      notOwner('_private_known_crontabs'),
    );
    expect(
      (
        await refusal(
          context.db,
          sql.raw(
            'CREATE OR REPLACE FUNCTION graphile_worker.remove_job(job_key text) RETURNS void LANGUAGE sql AS $$ SELECT $$',
          ),
        )
      ).code,
    ).toBe(insufficientPrivilege);
    expect(await refusal(context.db, sql`TRUNCATE graphile_worker._private_jobs`)).toEqual({
      code: insufficientPrivilege,
      message: 'permission denied for table _private_jobs',
    });
    // graphile-worker's record of its migrations is read at every start, written only by the owner.
    expect(await refusal(context.db, sql`DELETE FROM graphile_worker.migrations`)).toEqual({
      code: insufficientPrivilege,
      message: 'permission denied for table migrations',
    });
  });
});

describe('migrating as the application role', () => {
  it('finds nothing to do when the schema is current, and changes nothing but says what to set when it is not', async () => {
    expect(await migrateToLatest(context.db)).toEqual([]);
    const owner = createDb(ownerUrl, 1);
    try {
      // As if this release brought a migration the database has not had yet.
      const last = await sql<{ name: string; timestamp: string }>`
        SELECT name, timestamp FROM schema_migrations ORDER BY name DESC LIMIT 1`.execute(owner);
      const { name, timestamp } = last.rows[0] ?? { name: '', timestamp: '' };
      await sql`DELETE FROM schema_migrations WHERE name = ${name}`.execute(owner);
      try {
        await expect(migrateToLatest(context.db)).rejects.toThrow(
          new RegExp(
            `^migration ${name} failed: .+\\. The role migrating may not change the schema: set MIGRATION_DATABASE_URL to the role that owns Safeshare's tables`,
          ),
        );
      } finally {
        await sql`INSERT INTO schema_migrations (name, timestamp) VALUES (${name}, ${timestamp})`.execute(
          owner,
        );
      }
      expect(await migrateToLatest(owner, { applicationRole })).toEqual([]);
    } finally {
      await owner.destroy();
    }
  });
});

describe('the grants given after every migration run', () => {
  it('give a table a later migration creates what the application needs, and leave the audit tables restricted', async () => {
    const owner = createDb(ownerUrl, 1);
    try {
      // As a later migration would: a new table and a new sequence, owned by the owner.
      await sql`CREATE TABLE later_register (id int PRIMARY KEY, note text NOT NULL)`.execute(owner);
      await sql`CREATE SEQUENCE later_register_seq`.execute(owner);
      expect((await refusal(context.db, sql`SELECT * FROM later_register`)).code).toBe(insufficientPrivilege);

      await migrateToLatest(owner, { applicationRole });

      await sql`INSERT INTO later_register VALUES (1, 'first')`.execute(context.db);
      await sql`UPDATE later_register SET note = 'amended' WHERE id = 1`.execute(context.db);
      const kept = await sql<{ note: string }>`SELECT note FROM later_register`.execute(context.db);
      expect(kept.rows).toEqual([{ note: 'amended' }]);
      await sql`DELETE FROM later_register WHERE id = 1`.execute(context.db);
      await sql`SELECT nextval('later_register_seq')`.execute(context.db);
      // Nothing beyond the four: no TRUNCATE, no triggers of its own.
      expect((await refusal(context.db, sql`TRUNCATE later_register`)).code).toBe(insufficientPrivilege);
      expect(await privileges(context.db)).toEqual(restrictedAuditPrivileges);
    } finally {
      await owner.destroy();
    }
  });

  it('take back what was granted on the audit tables by hand', async () => {
    const owner = createDb(ownerUrl, 1);
    try {
      await sql`GRANT ALL ON audit_events, audit_chain_heads, schema_migrations TO ${sql.id(applicationRole)}`.execute(
        owner,
      );
      expect((await privileges(context.db))['audit_events']).toContain('UPDATE');
      await migrateToLatest(owner, { applicationRole });
      expect(await privileges(context.db)).toEqual(restrictedAuditPrivileges);
    } finally {
      await owner.destroy();
    }
  });
});

const restrictedAuditPrivileges = {
  audit_events: ['INSERT', 'SELECT'],
  audit_chain_heads: ['INSERT', 'SELECT', 'UPDATE (hash)', 'UPDATE (seq)'],
  schema_migrations: ['SELECT'],
};

/** What the connection's role may do to the audit tables and the migration record, table and column privileges. */
async function privileges(db: Db): Promise<Record<string, string[]>> {
  const result = await sql<{ table: string; privileges: string[] }>`
    SELECT t.name AS table,
           array(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                 WHERE has_table_privilege(current_user, t.name, p)
                 UNION
                 SELECT format('UPDATE (%s)', a.attname) FROM pg_attribute a
                 WHERE a.attrelid = t.name::regclass AND a.attnum > 0 AND NOT a.attisdropped
                   AND NOT has_table_privilege(current_user, t.name, 'UPDATE')
                   AND has_column_privilege(current_user, t.name, a.attname, 'UPDATE')
                 ORDER BY 1) AS privileges
    FROM unnest(ARRAY['audit_events', 'audit_chain_heads', 'schema_migrations']) AS t(name)`.execute(db);
  return Object.fromEntries(result.rows.map((row) => [row.table, row.privileges]));
}

describe('the start-up check of the application role', () => {
  const madeRoles: string[] = [];
  afterAll(async () => {
    const owner = createDb(ownerUrl, 1);
    try {
      await sql`ALTER TABLE audit_events OWNER TO CURRENT_USER`.execute(owner);
      for (const role of madeRoles.reverse()) {
        await sql`DROP OWNED BY ${sql.id(role)}`.execute(owner);
        await sql`DROP ROLE ${sql.id(role)}`.execute(owner);
      }
    } finally {
      await owner.destroy();
    }
  });

  async function loginRole(owner: Db, label: string): Promise<{ name: string; password: string }> {
    const role = {
      name: `safeshare_test_${label}_${randomBytes(4).toString('hex')}`,
      password: randomBytes(12).toString('hex'),
    };
    await sql`CREATE ROLE ${sql.id(role.name)} LOGIN NOSUPERUSER PASSWORD ${sql.lit(role.password)}`.execute(
      owner,
    );
    madeRoles.push(role.name);
    return role;
  }

  it('names a superuser', async () => {
    const owner = createDb(ownerUrl, 1);
    try {
      expect(await applicationRoleProblems(owner)).toEqual([
        `the database role "${await currentRole(owner)}" is a superuser, so it could switch off the audit trail's triggers and rewrite history`,
      ]);
    } finally {
      await owner.destroy();
    }
  });

  it('names a role that owns the audit tables, or belongs to the role that does', async () => {
    const owner = createDb(ownerUrl, 1);
    try {
      const tableOwner = await loginRole(owner, 'owner');
      const member = await loginRole(owner, 'member');
      await sql`ALTER TABLE audit_events OWNER TO ${sql.id(tableOwner.name)}`.execute(owner);
      await sql`GRANT ${sql.id(tableOwner.name)} TO ${sql.id(member.name)}`.execute(owner);
      for (const role of [tableOwner, member]) {
        const asThatRole = createDb(asRole(ownerUrl, role), 1);
        try {
          expect(await applicationRoleProblems(asThatRole)).toEqual([
            `the database role "${role.name}" owns the audit tables or belongs to their owner (audit_events (owned by ${tableOwner.name})), so it could switch off their triggers and rewrite history`,
          ]);
        } finally {
          await asThatRole.destroy();
        }
      }
    } finally {
      await sql`ALTER TABLE audit_events OWNER TO CURRENT_USER`.execute(owner);
      await owner.destroy();
    }
  });
});

describe('starting Safeshare in production', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-roles-'));
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const production = () => ({
    NODE_ENV: 'production',
    PORT: '0',
    DATA_DIR: dataDir,
    PUBLIC_URL: 'https://safeshare.swindon.gov.uk',
    SECRET_KEY: randomBytes(32).toString('hex'),
    POLICY_PACK: 'current',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    LOG_LEVEL: 'silent',
  });

  it('refuses to start as a superuser, saying why and what to do, without a stack trace', async () => {
    const started = await start({ ...production(), DATABASE_URL: ownerUrl }, () => false);
    expect(started.code).toBe(1);
    expect(started.stdout).toContain('warning: MIGRATION_DATABASE_URL is not set');
    expect(started.stderr).toContain(
      `Safeshare could not start: DATABASE_URL: the database role "${await currentRoleAt(ownerUrl)}" is a superuser, so it could switch off the audit trail's triggers and rewrite history.`,
    );
    expect(started.stderr).toContain('migrate with MIGRATION_DATABASE_URL as the owner');
    expect(started.stderr).not.toMatch(/\n\s+at /);
    expect(started.stdout).not.toContain('is running at');
  }, 90_000);

  it('starts as the application role, migrating as the owner', async () => {
    const started = await start(
      { ...production(), DATABASE_URL: context.url, MIGRATION_DATABASE_URL: ownerUrl },
      (stdout) => stdout.includes('is running at'),
    );
    expect(started.stdout).toContain('is running at');
    expect(started.stdout).not.toContain('warning');
    expect(started.stderr).toBe('');
  }, 90_000);
});

async function currentRoleAt(url: string): Promise<string> {
  const db = createDb(url, 1);
  try {
    return await currentRole(db);
  } finally {
    await db.destroy();
  }
}

/** Runs `npm start`'s entry point with the given settings until it exits, or until `ready` says so (then stops it). */
async function start(
  settings: Record<string, string>,
  ready: (stdout: string) => boolean,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stopping = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    // Once: what it prints as it shuts down must not ask it again (a second SIGTERM exits at once).
    if (!stopping && ready(stdout)) {
      stopping = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) =>
    child.on('exit', (exitCode) => resolve(exitCode)),
  );
  return { code, stdout, stderr };
}
