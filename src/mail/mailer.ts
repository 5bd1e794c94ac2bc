import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SMTPTransportOptions } from 'nodemailer';

/** One e-mail to one member of staff. Subjects never carry personal data (see notifications). */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The mail_outbox row id: names the outbox file and the Message-ID, so a message can be traced without its address. */
  readonly reference?: string;
}

export interface Mailer {
  /** `smtp` sends through SMTP_URL; `folder` writes each message as an .eml file (the embedded and development default). */
  readonly mode: 'smtp' | 'folder';
  /** Where `folder` mode writes its messages. */
  readonly folder: string | undefined;
  send(mail: OutgoingMail): Promise<void>;
}

export interface MailSettings {
  readonly smtpUrl: string | undefined;
  readonly from: string;
  readonly dataDir: string;
}

/** Connection time-outs short enough that one unreachable relay cannot hold a delivery run for minutes. */
const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

export function outboxFolderOf(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}

export function createMailer(settings: MailSettings): Mailer {
  const domain = /@([^>\s]+)>?\s*$/.exec(settings.from)?.[1] ?? 'localhost';
  const messageId = (reference: string | undefined) => `<${reference ?? randomUUID()}@${domain}>`;

  if (settings.smtpUrl !== undefined) {
    const transport = nodemailer.createTransport(smtpOptionsOf(settings.smtpUrl));
    return {
      mode: 'smtp',
      folder: undefined,
      async send(mail) {
        await transport.sendMail({
          from: settings.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: messageId(mail.reference),
        });
      },
    };
  }

  const folder = outboxFolderOf(settings.dataDir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    mode: 'folder',
    folder,
    async send(mail) {
      const info = await transport.sendMail({
        from: settings.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: messageId(mail.reference),
      });
      if (!Buffer.isBuffer(info.message)) throw new Error('the outbox transport did not return the message');
      await fs.mkdir(folder, { recursive: true, mode: 0o700 });
      const name = outboxFileName(new Date(), mail.reference ?? randomUUID());
      // Written under a temporary name and renamed, so a reader never sees half a message.
      const partial = path.join(folder, `.${name}.partial`);
      await fs.writeFile(partial, info.message, { mode: 0o600 });
      await fs.rename(partial, path.join(folder, name));
    },
  };
}

/**
 * SMTP_URL as explicit transport options: smtp:// (STARTTLS when offered; required with
 * `?requireTLS=true`) or smtps:// (TLS from the first byte). User and password come URL-encoded.
 */
export function smtpOptionsOf(smtpUrl: string): SMTPTransportOptions {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  if (!secure && url.protocol !== 'smtp:') throw new Error('SMTP_URL must start smtp:// or smtps://');
  const requireTLS = url.searchParams.get('requireTLS') === 'true';
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    requireTLS,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(url.password) } }),
    ...timeouts,
  };
}

/** `20261130T090000Z-<id>.eml`: sorted by time, found by outbox row id. */
export function outboxFileName(at: Date, reference: string): string {
  return `${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}-${reference}.eml`;
}

/** The latest .eml written for an outbox row, as text; undefined when there is none. */
export async function readOutboxMessage(folder: string, reference: string): Promise<string | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(reference)) return undefined;
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  const latest = names
    .filter((name) => name.endsWith(`-${reference}.eml`))
    .sort()
    .at(-1);
  if (latest === undefined) return undefined;
  return fs.readFile(path.join(folder, latest), 'utf8');
}
