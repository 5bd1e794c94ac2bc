import { isIP } from 'node:net';
import { z } from 'zod';
import { emailAddress } from '../lib/fields.ts';

/** The work address a member of staff gives to be sent to their organisation's provider (posted, never in a URL). */
export const ssoStartForm = z.strictObject({
  workEmail: z
    .string({ error: 'Enter your work email address' })
    .trim()
    .min(1, 'Enter your work email address')
    .pipe(emailAddress),
});

const dnsLabel = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * One e-mail domain as an administrator types it, held to the partner directory's rules: ASCII
 * letters, digits and hyphens in whole labels, no IP address, no encoded international label (so a
 * look-alike can never be claimed). Returns the domain in lower case, or the reason it is refused.
 */
export function domainProblem(input: string): { domain: string } | { problem: string } {
  const value = input.trim().replace(/^@/, '');
  if (value.length > 253) return { problem: `${value.slice(0, 40)}… must be 253 characters or fewer` };
  if (isIP(value) !== 0) return { problem: `${value} is an IP address: enter a domain name` };
  if (!/^[A-Za-z0-9.-]+$/.test(value))
    return { problem: `${value} must use only the letters a to z, numbers, hyphens and dots` };
  const domain = value.toLowerCase();
  const labels = domain.split('.');
  if (
    labels.length < 2 ||
    labels.some((label) => label === '' || label.length > 63 || !dnsLabel.test(label)) ||
    /^\d+$/.test(labels.at(-1) ?? '')
  )
    return { problem: `${value} is not a domain in the correct format, like swindon.gov.uk` };
  if (labels.some((label) => label.slice(2, 4) === '--'))
    return { problem: `${value}: encoded international domains (like xn--) are not accepted` };
  return { domain };
}

/** The domains field: one a line (or separated by commas or spaces), each valid, none twice, at most 20. */
const domainList = z.string({ error: 'Enter at least one email domain' }).transform((input, context) => {
  const entries = input
    .split(/[\s,;]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) {
    context.addIssue({ code: 'custom', message: 'Enter at least one email domain, like swindon.gov.uk' });
    return z.NEVER;
  }
  if (entries.length > 20) {
    context.addIssue({ code: 'custom', message: 'Enter 20 email domains or fewer' });
    return z.NEVER;
  }
  const domains = new Set<string>();
  for (const entry of entries) {
    const checked = domainProblem(entry);
    if ('problem' in checked) {
      context.addIssue({ code: 'custom', message: `Email domain ${checked.problem}` });
      return z.NEVER;
    }
    domains.add(checked.domain);
  }
  return [...domains].sort();
});

/** Whether an address is this machine: the only place a plain-HTTP provider is accepted, and never in production. */
export function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

/**
 * The provider's issuer: an https address with no query, fragment or credentials (Safeshare fetches
 * its discovery document from it). Plain http is accepted for loopback only, outside production.
 */
function issuerField(allowLoopbackHttp: boolean) {
  return z
    .string({ error: 'Enter the issuer address' })
    .trim()
    .min(1, 'Enter the issuer address, like https://login.microsoftonline.com/<tenant>/v2.0')
    .max(500, 'The issuer address must be 500 characters or fewer')
    .transform((value, context) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        context.addIssue({
          code: 'custom',
          message:
            'Enter the issuer address in the correct format, like https://login.microsoftonline.com/<tenant>/v2.0',
        });
        return z.NEVER;
      }
      const local = allowLoopbackHttp && url.protocol === 'http:' && isLoopback(url);
      if (url.protocol !== 'https:' && !local) {
        context.addIssue({ code: 'custom', message: 'The issuer address must start with https://' });
        return z.NEVER;
      }
      if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
        context.addIssue({
          code: 'custom',
          message: 'The issuer address must not have a query, a fragment or a user name',
        });
        return z.NEVER;
      }
      return value.replace(/\/$/, '');
    });
}

/**
 * The single sign-on settings an administrator saves for their own organisation. The client secret
 * may be left empty when one is already set (it is kept); the route insists on one otherwise.
 */
export function ssoSettingsForm(allowLoopbackHttp: boolean) {
  return z.strictObject({
    issuer: issuerField(allowLoopbackHttp),
    clientId: z
      .string({ error: 'Enter the client ID' })
      .trim()
      .min(1, 'Enter the client ID (the application ID the provider gave Safeshare)')
      .max(255, 'The client ID must be 255 characters or fewer')
      .regex(/^[\x21-\x7e]+$/, 'The client ID must not contain spaces or special characters'),
    clientSecret: z
      .string()
      .max(1000, 'The client secret must be 1000 characters or fewer')
      .regex(/^[\x20-\x7e]*$/, 'The client secret must contain only printable characters')
      .optional()
      .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim())),
    domains: domainList,
    createAccounts: z
      .enum(['yes', 'no'], { error: 'Select whether a first sign-in creates an account' })
      .transform((answer) => answer === 'yes'),
  });
}

export type SsoSettingsInput = z.output<ReturnType<typeof ssoSettingsForm>>;

/** The callback's query: only its shape is checked here; openid-client checks what it means. */
export const callbackQuery = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
});

export const organisationQuery = z.object({ organisation: z.uuid().optional().catch(undefined) });
