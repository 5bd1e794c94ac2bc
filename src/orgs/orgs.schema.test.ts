import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressForm,
  directoryItemParams,
  emailDomain,
  faxNumberForm,
  organisationForm,
  organisationParams,
  trustedLinkForm,
} from './orgs.schema.ts';

/** Lower-case ASCII, whole DNS labels, at least two of them, 253 characters at most. */
function isWholeLabelDomain(value: string): boolean {
  const labels = value.split('.');
  return (
    value.length <= 253 &&
    labels.length >= 2 &&
    labels.every(
      (label) => label.length >= 1 && label.length <= 63 && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label),
    )
  );
}

function domainError(input: unknown): string | undefined {
  const result = emailDomain.safeParse(input);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe('email domain', () => {
  it.each([
    ['swindon.gov.uk', 'swindon.gov.uk'],
    ['@nhs.net', 'nhs.net'],
    ['  GWH.NHS.UK ', 'gwh.nhs.uk'],
    ['nhs.net.evil.com', 'nhs.net.evil.com'],
    ['wiltshire-police.pnn.police.uk', 'wiltshire-police.pnn.police.uk'],
    ['1st-school.sch.uk', '1st-school.sch.uk'],
  ])('accepts %j as %j', (input, expected) => {
    expect(emailDomain.parse(input)).toBe(expected);
  });

  const ascii = 'Enter a domain using only the letters a to z, numbers, hyphens and dots';
  it.each([
    ['nhs.n\u0435t', ascii], // Cyrillic small ie, looks like e
    ['\u0455windon.gov.uk', ascii], // Cyrillic dze, looks like s
    ['swindon.gov.u\u212a', ascii], // Kelvin sign: lower-cases to an ASCII k
    ['nhs\uff0enet', ascii], // full-width full stop
    ['nhs.net\u200b', ascii], // zero-width space
    ['nhs_net.uk', ascii],
    ['nhs net.uk', ascii],
    ["nhs.net'; DROP TABLE organisation_domains; --", ascii],
    ['<script>alert(1)</script>.uk', ascii],
    ['name@nhs.net', ascii],
    ['192.168.1.1', 'Enter a domain name, not an IP address'],
    ['10.1', 'Enter a domain name, not an IP address'],
    ['::1', 'Enter a domain name, not an IP address'],
    ['[2001:db8::1]', 'Enter a domain name, not an IP address'],
    ['localhost', 'Enter a domain in the correct format, like swindon.gov.uk'],
    ['.nhs.net', 'Enter a domain in the correct format, like swindon.gov.uk'],
    ['nhs..net', 'Enter a domain in the correct format, like swindon.gov.uk'],
    ['nhs.net.', 'Enter a domain in the correct format, like swindon.gov.uk'],
    ['-nhs.net', 'Each part of a domain between dots must start and end with a letter or number'],
    ['nhs-.net', 'Each part of a domain between dots must start and end with a letter or number'],
    [`${'a'.repeat(64)}.uk`, 'Each part of a domain between dots must be 63 characters or fewer'],
    [`${'a.'.repeat(127)}uk`, 'Domain must be 253 characters or fewer'],
    [
      'xn--nhs-qqa.net',
      'Enter the domain as it is written in the letters a to z; encoded international domains (like xn--) are not accepted',
    ],
    ['', 'Enter a domain, like swindon.gov.uk'],
    ['@', 'Enter a domain, like swindon.gov.uk'],
  ])('refuses %j', (input, message) => {
    expect(domainError(input)).toBe(message);
  });

  it('refuses anything that is not a single piece of text', () => {
    for (const input of [undefined, null, 42, ['nhs.net', 'swindon.gov.uk'], { domain: 'nhs.net' }]) {
      expect(domainError(input)).toBe('Enter a domain, like swindon.gov.uk');
    }
  });

  // Characters that stress the rules: both cases, separators, look-alikes, IP-ish digits, space.
  const awkward = fc.constantFrom(...'aAzZ09-.@ _:\u0435\u0430\u212a\u0131\uff0e\u200b'.split(''), 'xn--');
  const domainLike = fc.array(awkward, { maxLength: 30 }).map((parts) => parts.join(''));

  it('accepts only lower-case ASCII whole labels (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), domainLike), (input) => {
        const result = emailDomain.safeParse(input);
        if (result.success) expect(isWholeLabelDomain(result.data)).toBe(true);
        else expect(result.error.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses any input with a character outside ASCII (property)', () => {
    const nonAscii = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 3 })
      .filter((text) => /[\u0080-\u{10ffff}]/u.test(text));
    fc.assert(
      fc.property(domainLike, nonAscii, domainLike, (before, odd, after) => {
        expect(emailDomain.safeParse(`${before}${odd}${after}`).success).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts every well-formed domain, lower-cased (property)', () => {
    const letters = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
    const inner = fc.constantFrom(...'abcxyzABC019-'.split(''));
    const label = fc
      .tuple(letters, fc.array(inner, { maxLength: 20 }), letters)
      .map(([first, middle, last]) => `${first}${middle.join('')}${last}`)
      .filter((text) => text.slice(2, 4) !== '--');
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 6 }), (labels) => {
        const domain = labels.join('.');
        expect(emailDomain.parse(domain)).toBe(domain.toLowerCase());
      }),
    );
  });
});

describe('organisation form', () => {
  const valid = {
    name: 'Great Western Hospitals NHS Foundation Trust',
    kind: 'nhs_body',
    switchboardPhone: '01793 604020',
    hosted: 'no',
  };

  it('turns answers into directory details', () => {
    expect(organisationForm.parse(valid)).toEqual({
      name: valid.name,
      kind: 'nhs_body',
      switchboardPhone: '01793604020',
      hosted: false,
    });
    expect(organisationForm.parse({ ...valid, switchboardPhone: '  ', hosted: 'yes' })).toMatchObject({
      switchboardPhone: null,
      hosted: true,
    });
  });

  it('refuses a kind, answer or number outside the choices', () => {
    expect(organisationForm.safeParse({ ...valid, kind: 'hospital' }).success).toBe(false);
    expect(organisationForm.safeParse({ ...valid, hosted: 'true' }).success).toBe(false);
    expect(organisationForm.safeParse({ ...valid, switchboardPhone: '999' }).success).toBe(false);
    expect(organisationForm.safeParse({ ...valid, extra: 'x' }).success).toBe(false);
  });
});

describe('other directory forms', () => {
  it('normalises fax numbers and postcodes', () => {
    expect(faxNumberForm.parse({ label: 'Safeguarding team', number: '(01793) 604-021' })).toEqual({
      label: 'Safeguarding team',
      number: '01793604021',
    });
    expect(
      addressForm.parse({
        label: 'Post room',
        line1: 'Marlborough Road',
        line2: '',
        town: 'Swindon',
        postcode: 'sn36bb',
      }),
    ).toEqual({
      label: 'Post room',
      line1: 'Marlborough Road',
      line2: null,
      town: 'Swindon',
      postcode: 'SN3 6BB',
    });
  });

  it('needs a partner from the list and a description', () => {
    expect(trustedLinkForm.safeParse({ partnerId: 'council', description: 'HSCN' }).success).toBe(false);
    expect(
      trustedLinkForm.safeParse({ partnerId: '6f1c1d2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f', description: ' ' })
        .success,
    ).toBe(false);
  });

  it('accepts only UUIDs in addresses', () => {
    expect(organisationParams.safeParse({ id: '1 OR 1=1' }).success).toBe(false);
    expect(
      directoryItemParams.safeParse({ id: '6f1c1d2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f', itemId: '../etc' }).success,
    ).toBe(false);
  });
});
