import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyPack, parsePolicyPack, PolicyPackError } from './policy.pack.ts';

describe('policy packs (R2.13, invariant 7)', () => {
  it('ships a default pack whose sharing section names lawful bases, approvers and help from the source policy updated for current law', () => {
    const pack = loadPolicyPack('default');
    const commonLaw = pack.sharing.lawfulBases.commonLaw.map((option) => option.id);
    expect(commonLaw).toEqual(
      expect.arrayContaining(['consent', 'public-interest', 'statutory-duty-s16la', 'implied-consent']),
    );
    expect(pack.sharing.lawfulBases.article6.map((option) => option.id)).toContain(
      'recognised-legitimate-interests',
    );
    expect(pack.sharing.approvals.publicInterest.healthApprovers).toEqual(['caldicott_guardian']);
    expect(pack.sharing.approvals.bulk.approvers).toEqual(['ig_lead', 'caldicott_guardian']);
    expect(pack.sharing.notShareReasons.map((reason) => reason.label.toLowerCase()).join(' ')).not.toContain(
      'confidential',
    );
    expect(pack.sharing.sensitiveCategoriesByPurpose['education-support']).toContain(
      'parent-criminal-record',
    );
  });

  it('lets a pack extend another, replacing whole sections and keeping its own name and version', () => {
    const base = loadPolicyPack('default');
    const current = loadPolicyPack('current');
    expect(current.name).toBe('current');
    expect(current.extends).toBe('default');
    expect(current.sharing).toEqual(base.sharing);
    expect(current.channels).not.toEqual(base.channels);
  });

  it('refuses a common-law footing that sets aside confidence without asking for the reasons (R2.4)', () => {
    const base = loadPolicyPack('default');
    const commonLaw = base.sharing.lawfulBases.commonLaw.map((option) =>
      option.id === 'statutory-duty-s16la' ? { ...option, asks: ['statute'] } : option,
    );
    const text = JSON.stringify({
      name: 'local',
      version: '2026.12-1',
      description: 'A council pack.',
      extends: 'default',
      sharing: { ...base.sharing, lawfulBases: { ...base.sharing.lawfulBases, commonLaw } },
    });
    expect(() => parsePolicyPack('local', text)).toThrow(/must ask for the reasons/);
    const fixed = JSON.stringify({ ...JSON.parse(text), sharing: base.sharing });
    expect(parsePolicyPack('local', fixed).sharing.lawfulBases.commonLaw).toEqual(
      base.sharing.lawfulBases.commonLaw,
    );
  });

  it('refuses a pack with no shared domains or one listed twice (ADR 0018)', () => {
    const base = loadPolicyPack('default');
    const withShared = (sharedDomains: unknown) =>
      JSON.stringify({
        name: 'local',
        version: '2026.12-1',
        description: 'A council pack.',
        extends: 'default',
        channels: { ...base.channels, sharedDomains },
      });
    expect(() => parsePolicyPack('local', withShared([]))).toThrow(/sharedDomains/);
    const twice = [...base.channels.sharedDomains, { domain: 'nhs.net', note: 'again' }];
    expect(() => parsePolicyPack('local', withShared(twice))).toThrow(/shared domain/);
    expect(parsePolicyPack('local', withShared(base.channels.sharedDomains)).channels.sharedDomains).toEqual(
      base.channels.sharedDomains,
    );
  });

  it('refuses a pack that extends itself, an unknown pack, or a path', () => {
    const text = (extra: object) =>
      JSON.stringify({ name: 'local', version: '2026.12-1', description: 'A council pack.', ...extra });
    expect(() => parsePolicyPack('local', text({ extends: 'local' }))).toThrow(/leads back to itself/);
    expect(() => parsePolicyPack('local', text({ extends: 'no-such-pack' }))).toThrow(/was not found/);
    expect(() => parsePolicyPack('local', text({ extends: '../default' }))).toThrow(PolicyPackError);
  });

  it('loads a council’s own pack from a file named by POLICY_PACK, validated like the shipped ones', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'safeshare-pack-'));
    const file = path.join(folder, 'swindon.json');
    const base = loadPolicyPack('default');
    await writeFile(
      file,
      JSON.stringify({
        name: 'swindon',
        extends: 'default',
        version: '2026.12-1',
        description: 'Swindon: bulk sharing from five people.',
        sharing: { ...base.sharing, bulkThreshold: 5 },
      }),
    );
    const pack = loadPolicyPack(file);
    expect(pack.sharing.bulkThreshold).toBe(5);
    expect(pack.purposes).toEqual(base.purposes);
    const broken = path.join(folder, 'broken.json');
    await writeFile(
      broken,
      JSON.stringify({
        name: 'broken',
        extends: 'default',
        version: '2026.12-1',
        description: 'Broken.',
        sharing: { ...base.sharing, bulkThreshold: 0 },
      }),
    );
    expect(() => loadPolicyPack(broken)).toThrow(/sharing\.bulkThreshold/);
  });
});
