import { isIP } from 'node:net';
import { z } from 'zod';
import {
  emailAddress,
  multiline,
  optionalText,
  requiredText,
  ukPhoneNumber,
  ukPostcode,
} from '../lib/fields.ts';
import { organisationKinds, type OrganisationKind } from './orgs.table.ts';

/** The kinds of organisation in the practitioner's words, in the order the form offers them. */
export const organisationKindNames: Record<OrganisationKind, string> = {
  local_authority: 'Local authority',
  nhs_body: 'NHS body',
  police: 'Police',
  school: 'School',
  voluntary: 'Voluntary sector',
  other: 'Other',
};

/** A malformed id in a URL is a page that does not exist (404), never a server error. */
export const organisationParams = z.strictObject({ id: z.uuid() });
export const directoryItemParams = z.strictObject({ id: z.uuid(), itemId: z.uuid() });

const asciiDomainMessage = 'Enter a domain using only the letters a to z, numbers, hyphens and dots';
const domainFormatMessage = 'Enter a domain in the correct format, like swindon.gov.uk';
const dnsLabel = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * An e-mail domain as the secure-domain checks compare it: lower case, whole DNS labels of a to z,
 * digits and hyphens. Anything outside ASCII is refused before lower-casing, so a look-alike
 * (Cyrillic 'е' in `nhs.nеt`, or the Kelvin sign that lower-cases to 'k') can never pass as a
 * trusted domain. Encoded internationalised labels (`xn--`) are refused for the same reason.
 */
export const emailDomain = z
  .string({ error: 'Enter a domain, like swindon.gov.uk' })
  .transform((input, ctx) => {
    const refuse = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    const value = input.trim().replace(/^@/, '');
    if (value === '') return refuse('Enter a domain, like swindon.gov.uk');
    if (value.length > 253) return refuse('Domain must be 253 characters or fewer');
    if (isIP(value) !== 0 || isIP(value.replace(/^\[|\]$/g, '')) !== 0)
      return refuse('Enter a domain name, not an IP address');
    if (!/^[A-Za-z0-9.-]+$/.test(value)) return refuse(asciiDomainMessage);
    const domain = value.toLowerCase();
    const labels = domain.split('.');
    if (labels.length < 2 || labels.some((label) => label === '')) return refuse(domainFormatMessage);
    if (labels.some((label) => label.length > 63))
      return refuse('Each part of a domain between dots must be 63 characters or fewer');
    if (labels.some((label) => !dnsLabel.test(label)))
      return refuse('Each part of a domain between dots must start and end with a letter or number');
    if (labels.some((label) => label.slice(2, 4) === '--')) {
      return refuse(
        'Enter the domain as it is written in the letters a to z; encoded international domains (like xn--) are not accepted',
      );
    }
    // A top-level domain is never all digits; this also catches shortened IP addresses like 10.1.
    if (/^\d+$/.test(labels.at(-1) ?? '')) return refuse('Enter a domain name, not an IP address');
    return domain;
  });

const hostedAnswer = z
  .enum(['yes', 'no'], { error: "Select yes if this organisation's staff sign in to Safeshare" })
  .transform((answer) => answer === 'yes');

/** Empty means "not known"; anything typed must be a UK number. */
const optionalUkPhone = (label: string) =>
  z
    .string({ error: `Enter ${label} in the correct format, like 01793 463000` })
    .trim()
    .optional()
    .transform((value) => (value === undefined || value === '' ? null : value))
    .pipe(ukPhoneNumber(label).nullable());

const requiredUkPhone = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .pipe(ukPhoneNumber(label));

export const organisationForm = z.strictObject({
  name: requiredText('the name of the organisation', 200),
  kind: z.enum(organisationKinds, { error: 'Select the kind of organisation' }),
  switchboardPhone: optionalUkPhone('the switchboard number'),
  hosted: hostedAnswer,
});

export const domainForm = z.strictObject({ domain: emailDomain });

/** One of the organisation's own addresses at a domain many organisations share (ADR 0018). */
export const mailboxForm = z.strictObject({
  label: requiredText('who uses the address', 100),
  address: emailAddress,
});

export const faxNumberForm = z.strictObject({
  label: requiredText('a label for the fax number', 100),
  number: requiredUkPhone('the fax number'),
});

export const addressForm = z.strictObject({
  label: requiredText('a label for the address', 100),
  line1: requiredText('address line 1', 200),
  line2: optionalText('address line 2', 200),
  town: requiredText('the town or city', 100),
  postcode: z.string({ error: 'Enter a postcode' }).trim().min(1, 'Enter a postcode').pipe(ukPostcode),
});

export const trustedLinkForm = z.strictObject({
  partnerId: z.uuid({ error: 'Select the partner organisation' }),
  description: requiredText('a description of the trusted link', 500, multiline),
});

/** A removal confirmation carries no answers of its own. */
export const confirmRemovalForm = z.strictObject({});
