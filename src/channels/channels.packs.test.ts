import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { channelMethodIds, loadPolicyPack, parsePolicyPack } from '../policy/index.ts';

/** The channel rules are data (invariant 7, R2.13): both shipped packs load, and a broken section is refused at load. */
const defaultText = readFileSync(new URL('../policy/packs/default.json', import.meta.url), 'utf8');

function withChannels(change: (channels: Record<string, unknown>) => void): string {
  const pack = JSON.parse(defaultText) as { channels: Record<string, unknown> };
  change(pack.channels);
  return JSON.stringify(pack);
}

describe('the channels section of the policy packs', () => {
  it('ships the 2017 list in the default pack (R4.6.2) and today’s rules in the current pack, which extends it', () => {
    const defaults = loadPolicyPack('default');
    expect(defaults.channels.secureEmail.domains.map((entry) => entry.domain)).toEqual([
      'gcsx.gov.uk',
      'nhs.net',
      'mod.net',
      'cjsm.net',
      'gsx.gov.uk',
      'gsi.gov.uk',
      'gse.gov.uk',
      'gsisup.co.uk',
      'pnn.gov.uk',
      'pnn.police.uk',
      'scn.gov.uk',
    ]);
    expect(defaults.channels.secureEmail.matching).toBe('endings');
    const current = loadPolicyPack('current');
    expect(current.version).toMatch(/^\d{4}\.\d{2}-\d+$/);
    expect(current.purposes).toEqual(defaults.purposes);
    expect(current.sharing).toEqual(defaults.sharing);
    expect(current.channels.secureEmail.domains.map((entry) => entry.domain)).toContain('nhs.net');
    expect(
      current.channels.secureEmail.domains.some((entry) => /gcsx|gsi|gse|gsx|pnn/.test(entry.domain)),
    ).toBe(false);
    expect(current.channels.methods.find((method) => method.id === 'fax')?.available).toBe(false);
  });

  it('sets the rules of every method, each a sharing method consent records can name, with receipts for post, fax and the exchange (R4.2.8, R4.4.2)', () => {
    for (const pack of [loadPolicyPack('default'), loadPolicyPack('current')]) {
      expect(pack.channels.methods.map((method) => method.id).sort()).toEqual([...channelMethodIds].sort());
      const sharingMethodIds = pack.sharingMethods.map((method) => method.id);
      for (const id of channelMethodIds) expect(sharingMethodIds).toContain(id);
      const receipts = Object.fromEntries(
        pack.channels.methods.map((method) => [method.id, method.receiptWithinWorkingDays]),
      );
      expect(receipts).toMatchObject({ post: 5, fax: 1, 'secure-exchange': 5 });
      expect(pack.channels.approvedCouriers.length).toBeGreaterThan(0);
    }
  });

  it.each([
    [
      'a pattern that is not a regular expression',
      (channels: Record<string, unknown>) =>
        (channels['localReferences'] = [{ pattern: '(SBC', example: 'SBC', description: 'x' }]),
      'must be a valid regular expression',
    ],
    [
      'a pattern that misses its own example',
      (channels: Record<string, unknown>) =>
        (channels['localReferences'] = [{ pattern: 'CR-\\d{6}', example: 'SBC-204417', description: 'x' }]),
      'is not matched by the pattern',
    ],
    [
      'a pattern that matches nothing at all',
      (channels: Record<string, unknown>) =>
        (channels['localReferences'] = [{ pattern: '\\d*', example: '12', description: 'x' }]),
      'must not match an empty subject',
    ],
    [
      'a domain in capitals',
      (channels: Record<string, unknown>) =>
        (channels['secureEmail'] as { domains: unknown[] }).domains.push({ domain: 'NHS.NET', note: 'x' }),
      'lower-case domain',
    ],
    [
      'an encoded domain',
      (channels: Record<string, unknown>) =>
        (channels['secureEmail'] as { domains: unknown[] }).domains.push({
          domain: 'xn--nt-1tb.net',
          note: 'x',
        }),
      'lower-case domain',
    ],
    [
      'a domain listed twice',
      (channels: Record<string, unknown>) =>
        (channels['secureEmail'] as { domains: unknown[] }).domains.push({
          domain: 'nhs.net',
          note: 'again',
        }),
      'duplicate domain "nhs.net"',
    ],
    [
      'a matching mode that does not exist',
      (channels: Record<string, unknown>) =>
        ((channels['secureEmail'] as { matching: string }).matching = 'suffix'),
      'secureEmail.matching',
    ],
    [
      'a method left out',
      (channels: Record<string, unknown>) =>
        (channels['methods'] = (channels['methods'] as { id: string }[]).filter(
          (method) => method.id !== 'telephone',
        )),
      'must set the rules of the "telephone" method',
    ],
    [
      'a fallback that cannot carry sensitive information',
      (channels: Record<string, unknown>) => (channels['fallbackMethod'] = 'telephone'),
      'fallbackMethod',
    ],
  ])('refuses %s when the pack loads', (_label, change, message) => {
    expect(() => parsePolicyPack('default', withChannels(change))).toThrow(message);
  });
});
