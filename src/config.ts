import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting Safeshare reads from its environment. Safe local defaults; production refuses to
 * start without the settings that must not be guessed (fail fast).
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  MIGRATION_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('data'),
  KEY_DIR: z.string().min(1).optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_PREPARED_STATEMENTS: booleanFlag.default(true),
  DEMO_DATA: booleanFlag.optional(),
  SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'SECRET_KEY must be 64 hexadecimal characters (32 bytes)')
    .optional(),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(72).default(12),
  MFA_REQUIRED: booleanFlag.default(true),
  SECURE_COOKIES: booleanFlag.optional(),
  TRUST_PROXY: booleanFlag.default(false),
  SIGN_IN_ADDRESS_LIMIT: z.coerce.number().int().min(1).max(10_000).default(50),
  API_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  SERVICE_NAME: z.string().min(1).max(80).default('Safeshare'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  FHIR_CANONICAL_BASE: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'SMTP_URL must be an smtp:// or smtps:// address' })
    .optional(),
  MAIL_FROM: z.string().trim().min(3).max(200).default('Safeshare <no-reply@localhost>'),
  POLICY_PACK: z.string().trim().min(1).max(500).optional(),
  AUDIT_SIGNING_KEY: z
    .string()
    .regex(
      /^[0-9a-f]{64}$/i,
      'AUDIT_SIGNING_KEY must be 64 hexadecimal characters (an Ed25519 seed, 32 bytes)',
    )
    .optional(),
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  AUDIT_CHECKPOINT_EVENTS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  AUDIT_CHECKPOINT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  AUDIT_CHECKPOINT_MAIL_DPO: booleanFlag.default(false),
  METRICS_TOKEN: z
    .string()
    .regex(
      /^[\x21-\x7e]{32,200}$/,
      'METRICS_TOKEN must be 32 to 200 printable characters without spaces (a long random secret)',
    )
    .optional(),
  CLAMD_URL: z
    .string()
    .regex(/^tcp:\/\/[^\s/]+:\d{1,5}$/, "CLAMD_URL must look like tcp://host:port (clamd's TCPSocket)")
    .optional(),
});

export interface Config {
  readonly environment: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  /**
   * An external PostgreSQL server, as the application role (ADR 0022); when absent, Safeshare runs
   * its embedded server and sets up both roles itself.
   */
  readonly databaseUrl: string | undefined;
  /**
   * The same database as the role that owns Safeshare's tables: migrations run as it, then give the
   * application role its grants. When absent, migrations run as DATABASE_URL's role (with a warning).
   */
  readonly migrationDatabaseUrl: string | undefined;
  readonly dataDir: string;
  /**
   * The secure exchange's key-encryption keys (ADR 0020): a folder outside the database, by default
   * `keys` in the data folder. In production, mount it from a separate secret store and back it up
   * apart from the database: a backup of both in one place holds the keys to its own content.
   */
  readonly keyDir: string;
  /** clamd's address, `tcp://host:port`: files sent through the secure exchange are scanned there. Unset: no scanning. */
  readonly clamdUrl: string | undefined;
  readonly embeddedPgPort: number;
  readonly databasePoolSize: number;
  /** Whether connections prepare the statements they repeat (ADR 0036); off behind a pooler in transaction mode. */
  readonly databasePreparedStatements: boolean;
  /** Load demo organisations and accounts on first start. Defaults to on for the embedded server. */
  readonly demoData: boolean;
  /** 32-byte key that encrypts secrets at rest (MFA keys). Generated into the data folder when absent outside production. */
  readonly secretKey: Buffer | undefined;
  readonly sessionIdleMs: number;
  readonly sessionAbsoluteMs: number;
  readonly mfaRequired: boolean;
  /**
   * Cookies are Secure with `__Host-` names in every environment (ASVS 3.3.1); only `SECURE_COOKIES=false`,
   * for plain-HTTP local use and never in production, turns that off. Browsers accept Secure cookies
   * from http://localhost and http://127.0.0.1, so local use needs no opt-out.
   */
  readonly secureCookies: boolean;
  readonly trustProxy: boolean;
  readonly signInAddressLimit: number;
  /** How many API requests one token may make in a minute. */
  readonly apiRequestsPerMinute: number;
  readonly serviceName: string;
  /** The address staff reach Safeshare at, for links in e-mail. */
  readonly publicUrl: string;
  /** Names Safeshare's own FHIR code systems and extensions; stable across releases. */
  readonly fhirCanonicalBase: string;
  readonly logLevel: string;
  /** The mail relay (smtp://, or smtps:// for implicit TLS; `?requireTLS=true` insists on STARTTLS). Unset: mail is written to `<dataDir>/outbox/`. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** The policy pack in force: a shipped pack's name ("default", "current") or the path of a council's own JSON file. */
  readonly policyPack: string;
  /**
   * The Ed25519 key that signs audit checkpoints (ADR 0023), kept outside the database: its 32-byte
   * seed (AUDIT_SIGNING_KEY), or a PKCS #8 PEM file (AUDIT_SIGNING_KEY_FILE); otherwise the file
   * `audit-signing-key.pem` in the data folder, made on first use outside production.
   */
  readonly auditSigningKey: { readonly seed: Buffer } | { readonly file: string; readonly generate: boolean };
  /** A checkpoint is signed at every `everyEvents` events of a chain, and for what is left after `everyMinutes`. */
  readonly auditCheckpoints: {
    readonly everyEvents: number;
    readonly everyMinutes: number;
    /** E-mail each organisation's Data Protection Officers its day's latest checkpoint (no personal data). */
    readonly mailDpo: boolean;
  };
  /** The bearer token Prometheus scrapes `/metrics` with; without one, `/metrics` is not served. */
  readonly metricsToken: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const settings = parsed.data;
  const production = settings.NODE_ENV === 'production';
  if (production && settings.DATABASE_URL === undefined) {
    throw new ConfigError('DATABASE_URL is required in production');
  }
  if (settings.MIGRATION_DATABASE_URL !== undefined && settings.DATABASE_URL === undefined) {
    throw new ConfigError(
      'MIGRATION_DATABASE_URL needs DATABASE_URL: it names the owner of the database DATABASE_URL names (the embedded server sets up its own roles)',
    );
  }
  if (production && settings.PUBLIC_URL === undefined) {
    throw new ConfigError('PUBLIC_URL is required in production (links in e-mail point there)');
  }
  if (production && settings.SECRET_KEY === undefined) {
    throw new ConfigError('SECRET_KEY is required in production');
  }
  if (production && settings.SECURE_COOKIES === false) {
    throw new ConfigError(
      'SECURE_COOKIES=false is for plain-HTTP local use only; production serves Safeshare over HTTPS with Secure cookies',
    );
  }
  if (production && settings.POLICY_PACK === undefined) {
    throw new ConfigError(
      'POLICY_PACK is required in production: choose the rules Safeshare enforces. ' +
        "'default' is the source policy's own rules, which count the retired GCSx and GSi e-mail domains as secure and offer fax; " +
        "'current' is the same with today's secure e-mail standard (only checked domains count as secure, no fax); " +
        "or give the path of your council's own pack file (docs/operations.md, Policy packs)",
    );
  }
  if (settings.AUDIT_SIGNING_KEY !== undefined && settings.AUDIT_SIGNING_KEY_FILE !== undefined) {
    throw new ConfigError(
      'Set AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE, not both: they name the same key',
    );
  }
  if (production && settings.SMTP_URL === undefined) {
    throw new ConfigError(
      'SMTP_URL is required in production (otherwise notifications are only written to a folder)',
    );
  }
  return {
    environment: settings.NODE_ENV,
    port: settings.PORT,
    host: settings.HOST,
    databaseUrl: settings.DATABASE_URL,
    migrationDatabaseUrl: settings.MIGRATION_DATABASE_URL,
    dataDir: path.resolve(settings.DATA_DIR),
    keyDir: path.resolve(settings.KEY_DIR ?? path.join(settings.DATA_DIR, 'keys')),
    clamdUrl: settings.CLAMD_URL,
    embeddedPgPort: settings.EMBEDDED_PG_PORT,
    databasePoolSize: settings.DATABASE_POOL_SIZE,
    databasePreparedStatements: settings.DATABASE_PREPARED_STATEMENTS,
    demoData: settings.DEMO_DATA ?? (settings.DATABASE_URL === undefined && !production),
    secretKey: settings.SECRET_KEY === undefined ? undefined : Buffer.from(settings.SECRET_KEY, 'hex'),
    sessionIdleMs: settings.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: settings.SESSION_ABSOLUTE_HOURS * 3_600_000,
    mfaRequired: settings.MFA_REQUIRED,
    secureCookies: settings.SECURE_COOKIES ?? true,
    trustProxy: settings.TRUST_PROXY,
    signInAddressLimit: settings.SIGN_IN_ADDRESS_LIMIT,
    apiRequestsPerMinute: settings.API_REQUESTS_PER_MINUTE,
    serviceName: settings.SERVICE_NAME,
    publicUrl: (settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`).replace(/\/$/, ''),
    fhirCanonicalBase: (
      settings.FHIR_CANONICAL_BASE ??
      `${(settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`).replace(/\/$/, '')}/fhir`
    ).replace(/\/$/, ''),
    logLevel: settings.LOG_LEVEL,
    smtpUrl: settings.SMTP_URL,
    mailFrom: settings.MAIL_FROM,
    policyPack: settings.POLICY_PACK ?? 'default',
    auditSigningKey:
      settings.AUDIT_SIGNING_KEY !== undefined
        ? { seed: Buffer.from(settings.AUDIT_SIGNING_KEY, 'hex') }
        : settings.AUDIT_SIGNING_KEY_FILE !== undefined
          ? { file: path.resolve(settings.AUDIT_SIGNING_KEY_FILE), generate: false }
          : // Several app servers must share one key: production never makes its own.
            { file: path.resolve(settings.DATA_DIR, 'audit-signing-key.pem'), generate: !production },
    auditCheckpoints: {
      everyEvents: settings.AUDIT_CHECKPOINT_EVENTS,
      everyMinutes: settings.AUDIT_CHECKPOINT_MINUTES,
      mailDpo: settings.AUDIT_CHECKPOINT_MAIL_DPO,
    },
    metricsToken: settings.METRICS_TOKEN,
  };
}
