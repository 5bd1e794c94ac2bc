import { domainToUnicode } from 'node:url';
import type { DomainMatching } from '../policy/index.ts';
import { addressProblemCodes, type AddressProblemCode } from './channels.errors.ts';

/**
 * E-mail addresses as the method policy reads them (R4.6.1, R4.6.2): strictly, so that nothing
 * that merely looks like a secure address is ever treated as one. An address is a dot-atom local
 * part, one @, and a domain of whole DNS labels written in a to z, digits and hyphens. Anything
 * else (no @ or two, spaces, empty labels, a trailing dot, an IP address, any character outside
 * ASCII such as a Cyrillic 'е' in "nhs.nеt", or an encoded international label "xn--") is refused
 * with a code and a plain-English message, never matched.
 */

export interface EmailAddress {
  /** The part before the @, as typed. */
  readonly local: string;
  /** The domain in lower case. */
  readonly domain: string;
}

export type AddressParse =
  | { readonly ok: true; readonly address: EmailAddress }
  | { readonly ok: false; readonly code: AddressProblemCode; readonly message: string };

export type DomainParse =
  | { readonly ok: true; readonly domain: string }
  | { readonly ok: false; readonly code: AddressProblemCode; readonly message: string };

const dotAtom = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const dnsLabel = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const asciiPrintable = /^[\x21-\x7e]*$/;
const plainDomain =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?=[a-z0-9-]*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const encodedLabel = /(?:^|\.)[a-z0-9]{2}--/;

function refuse(
  code: AddressProblemCode,
  message: string,
): { ok: false; code: AddressProblemCode; message: string } {
  return { ok: false, code, message };
}

/** Parses one e-mail address strictly; surrounding spaces (from copying and pasting) are ignored. */
export function parseEmailAddress(input: string): AddressParse {
  const value = input.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (value === '')
    return refuse(addressProblemCodes.empty, 'Enter an email address, like name@example.gov.uk');
  if (value.length > 254)
    return refuse(addressProblemCodes.tooLong, 'Email address must be 254 characters or fewer');
  if (/[ \t\r\n]/.test(value))
    return refuse(addressProblemCodes.space, 'An email address must not contain spaces');
  const at = value.indexOf('@');
  if (at === -1)
    return refuse(addressProblemCodes.noAt, 'Enter an email address with an @, like name@example.gov.uk');
  if (value.indexOf('@', at + 1) !== -1)
    return refuse(addressProblemCodes.severalAt, 'An email address must have only one @');
  const local = value.slice(0, at);
  const domain = parseDomain(value.slice(at + 1));
  if (!domain.ok) return domain;
  if (!asciiPrintable.test(local)) {
    return refuse(
      addressProblemCodes.notAscii,
      'The part before the @ uses characters outside the letters a to z, digits and the usual punctuation: type the address again',
    );
  }
  if (local === '' || local.length > 64 || !dotAtom.test(local)) {
    return refuse(
      addressProblemCodes.localPart,
      "The part before the @ must be 1 to 64 letters, digits or . _ % + - ' characters, with no dot at its start or end and no two dots together",
    );
  }
  return { ok: true, address: { local, domain: domain.domain } };
}

/** Parses a domain (of an address, a pack list or the directory) strictly, to lower case. */
export function parseDomain(input: string): DomainParse {
  const value = input;
  if (value === '')
    return refuse(addressProblemCodes.domainFormat, 'Enter the domain after the @, like example.gov.uk');
  if (!asciiPrintable.test(value)) {
    const resembles = lookAlikeOf(value);
    return refuse(
      addressProblemCodes.notAscii,
      `The domain uses characters outside the letters a to z${resembles === undefined ? '' : `: it looks like ${resembles} but is not`}. Addresses that only look like a trusted one are never accepted; type the domain in the letters a to z`,
    );
  }
  // An address literal ([10.0.0.1], [IPv6:::1]) or a bare IPv6 address.
  if (value.startsWith('[') || value.includes(':')) {
    return refuse(addressProblemCodes.ipLiteral, 'Enter an address with a domain name, not an IP address');
  }
  const domain = value.toLowerCase();
  // A top-level label a URL reads as a number (0x, 0x1f: hexadecimal) makes the whole an IPv4 address.
  if (/(?:^|\.)0x[0-9a-f]*$/.test(domain))
    return refuse(addressProblemCodes.ipLiteral, 'Enter an address with a domain name, not an IP address');
  // The usual case, in one test: whole labels of a to z, digits and hyphens, none encoded, a top-level domain that is not all digits.
  if (domain.length <= 253 && plainDomain.test(domain) && !encodedLabel.test(domain))
    return { ok: true, domain };
  if (domain.length > 253)
    return refuse(addressProblemCodes.tooLong, 'The domain must be 253 characters or fewer');
  if (domain.endsWith('.'))
    return refuse(addressProblemCodes.trailingDot, 'The domain must not end with a dot');
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((label) => label === '')) {
    return refuse(
      addressProblemCodes.domainFormat,
      'Enter the domain in the correct format, like example.gov.uk, with no empty parts between dots',
    );
  }
  if (labels.some((label) => label.slice(2, 4) === '--')) {
    const decoded = domainToUnicode(domain);
    const reads = decoded !== '' && decoded !== domain ? `: it reads as "${decoded}"` : '';
    return refuse(
      addressProblemCodes.encodedDomain,
      `The domain is an encoded international domain (xn--)${reads}. Only domains written in the letters a to z are accepted`,
    );
  }
  if (labels.some((label) => label.length > 63 || !dnsLabel.test(label))) {
    return refuse(
      addressProblemCodes.domainFormat,
      'Each part of the domain between dots must be letters, digits or hyphens, 63 characters or fewer, and must not start or end with a hyphen',
    );
  }
  // A top-level domain is never all digits: this refuses IPv4 addresses (10.0.0.1) and shortened ones (10.1).
  if (/^\d+$/.test(labels.at(-1) ?? ''))
    return refuse(addressProblemCodes.ipLiteral, 'Enter an address with a domain name, not an IP address');
  // Whole labels of a to z, digits and hyphens, none encoded: the WHATWG conversion (domainToASCII) leaves such a domain as it is.
  return { ok: true, domain };
}

/**
 * Whether a listed domain covers an address's domain (both already parsed, so lower-case ASCII).
 * `endings` compares whole labels: nhs.net covers nhs.net and trust.nhs.net, never notnhs.net or
 * nhs.net.evil.com. `exact` covers only the listed domain itself.
 */
export function domainCovers(listed: string, domain: string, matching: DomainMatching): boolean {
  if (domain === listed) return true;
  // A whole-label ending: the listed domain at the end, with a dot just before it.
  return (
    matching === 'endings' &&
    domain.length > listed.length + 1 &&
    domain.endsWith(listed) &&
    domain.charCodeAt(domain.length - listed.length - 1) === 46
  );
}

/** Every ending of a domain that is itself a domain, longest first: a.b.nhs.net, b.nhs.net, nhs.net. */
export function domainEndings(domain: string): string[] {
  const labels = domain.split('.');
  const endings: string[] = [];
  for (let start = 0; start <= labels.length - 2; start += 1) endings.push(labels.slice(start).join('.'));
  return endings;
}

/** Letters from other scripts that pass for Latin ones; used only to say what a refused domain resembles. */
const confusables: Record<string, string> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  ѵ: 'v',
  т: 't',
  н: 'h',
  в: 'b',
  м: 'm',
  к: 'k',
  α: 'a',
  ε: 'e',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  τ: 't',
  ι: 'i',
  κ: 'k',
  χ: 'x',
  υ: 'u',
  η: 'n',
  ɡ: 'g',
  ı: 'i',
  ℓ: 'l',
};

/** The plain a-to-z domain a non-ASCII one imitates (after compatibility folding), if it imitates one. */
function lookAlikeOf(value: string): string | undefined {
  const folded = value
    .normalize('NFKD')
    .toLowerCase()
    .replace(/\p{M}/gu, '')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[^ -~]/gu, (character) => confusables[character] ?? character);
  return /^[a-z0-9.-]+$/.test(folded) && folded.includes('.') ? folded : undefined;
}
