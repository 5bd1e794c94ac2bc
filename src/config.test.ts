import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://safeshare@db.internal:5432/safeshare',
  PUBLIC_URL: 'https://safeshare.swindon.gov.uk',
  SECRET_KEY: 'ab'.repeat(32),
  SMTP_URL: 'smtp://relay.swindon.gov.uk:587',
  POLICY_PACK: 'current',
};

describe('the policy pack in force', () => {
  it('must be chosen in production, with the shipped packs and what differs between them named', () => {
    const unchosen = { ...production, POLICY_PACK: undefined };
    expect(() => loadConfig(unchosen)).toThrow(ConfigError);
    expect(() => loadConfig(unchosen)).toThrow(/POLICY_PACK is required in production/);
    expect(() => loadConfig(unchosen)).toThrow(/'default' is the source policy's own rules.*GCSx.*'current'/);
    expect(loadConfig(production).policyPack).toBe('current');
  });

  it('defaults to the source policy’s own pack outside production', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).policyPack).toBe('default');
  });
});

describe('secure cookies (ASVS 3.3.1)', () => {
  it('are on by default in every environment', () => {
    for (const environment of ['development', 'test', 'production']) {
      const settings = environment === 'production' ? production : { NODE_ENV: environment };
      expect(loadConfig(settings).secureCookies, environment).toBe(true);
    }
  });

  it('are turned off only explicitly, and never in production', () => {
    expect(loadConfig({ NODE_ENV: 'development', SECURE_COOKIES: 'false' }).secureCookies).toBe(false);
    expect(() => loadConfig({ ...production, SECURE_COOKIES: 'false' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, SECURE_COOKIES: 'false' })).toThrow(
      /SECURE_COOKIES=false is for plain-HTTP local use only/,
    );
  });
});

describe('the database roles (ADR 0022)', () => {
  it('reads the owner, which migrations run as, beside the application role', () => {
    const config = loadConfig({
      ...production,
      DATABASE_URL: 'postgres://safeshare_app@db.internal:5432/safeshare',
      MIGRATION_DATABASE_URL: 'postgres://safeshare_owner@db.internal:5432/safeshare',
    });
    expect(config.databaseUrl).toBe('postgres://safeshare_app@db.internal:5432/safeshare');
    expect(config.migrationDatabaseUrl).toBe('postgres://safeshare_owner@db.internal:5432/safeshare');
    expect(loadConfig(production).migrationDatabaseUrl).toBeUndefined();
  });

  it('refuses an owner without the database it owns, and an address that is not PostgreSQL', () => {
    const alone = { NODE_ENV: 'development', MIGRATION_DATABASE_URL: 'postgres://owner@db/safeshare' };
    expect(() => loadConfig(alone)).toThrow(ConfigError);
    expect(() => loadConfig(alone)).toThrow(/MIGRATION_DATABASE_URL needs DATABASE_URL/);
    expect(() => loadConfig({ ...production, MIGRATION_DATABASE_URL: 'mysql://owner@db/safeshare' })).toThrow(
      /MIGRATION_DATABASE_URL/,
    );
  });
});

describe('the audit checkpoints (ADR 0023)', () => {
  it('keeps the signing key outside the database: a seed, a file, or one made in the data folder, never in production', () => {
    const seed = '5a'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'development', AUDIT_SIGNING_KEY: seed }).auditSigningKey).toEqual({
      seed: Buffer.from(seed, 'hex'),
    });
    expect(
      loadConfig({ NODE_ENV: 'development', AUDIT_SIGNING_KEY_FILE: '/run/secrets/audit-signing-key.pem' })
        .auditSigningKey,
    ).toEqual({ file: '/run/secrets/audit-signing-key.pem', generate: false });
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: '/srv/safeshare' }).auditSigningKey).toEqual({
      file: '/srv/safeshare/audit-signing-key.pem',
      generate: true,
    });
    // Several app servers must share one key, so production never makes its own.
    expect(loadConfig({ ...production, DATA_DIR: '/srv/safeshare' }).auditSigningKey).toEqual({
      file: '/srv/safeshare/audit-signing-key.pem',
      generate: false,
    });
    expect(() =>
      loadConfig({
        NODE_ENV: 'development',
        AUDIT_SIGNING_KEY: seed,
        AUDIT_SIGNING_KEY_FILE: '/run/key.pem',
      }),
    ).toThrow(/not both/);
    expect(() => loadConfig({ NODE_ENV: 'development', AUDIT_SIGNING_KEY: 'not hex' })).toThrow(
      /AUDIT_SIGNING_KEY must be 64 hexadecimal characters/,
    );
  });

  it('signs every 1,000 events or 15 minutes unless told otherwise, and mails the DPO only when asked', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).auditCheckpoints).toEqual({
      everyEvents: 1000,
      everyMinutes: 15,
      mailDpo: false,
    });
    expect(
      loadConfig({
        NODE_ENV: 'development',
        AUDIT_CHECKPOINT_EVENTS: '250',
        AUDIT_CHECKPOINT_MINUTES: '5',
        AUDIT_CHECKPOINT_MAIL_DPO: 'true',
      }).auditCheckpoints,
    ).toEqual({ everyEvents: 250, everyMinutes: 5, mailDpo: true });
    expect(() => loadConfig({ NODE_ENV: 'development', AUDIT_CHECKPOINT_EVENTS: '0' })).toThrow(ConfigError);
  });
});
