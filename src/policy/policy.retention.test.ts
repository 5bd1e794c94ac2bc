import { describe, expect, it } from 'vitest';
import { loadPolicyPack, parsePolicyPack } from './policy.pack.ts';
import { retentionKinds } from './policy.retention.ts';

const base = loadPolicyPack('default');

/** A council's pack that replaces the default retention section with its own. */
function withRetention(retention: unknown): string {
  return JSON.stringify({
    name: 'local',
    version: '2026.12-1',
    description: 'A council pack.',
    extends: 'default',
    retention,
  });
}

function withEntry(change: Record<string, unknown>): string {
  const [first, ...rest] = base.retention.schedule;
  return withRetention({ ...base.retention, schedule: [{ ...first, ...change }, ...rest] });
}

describe('the retention schedule in the policy pack (storage limitation)', () => {
  it('ships a schedule for every kind of record, each entry citing where its figure comes from', () => {
    expect(base.retention.schedule.map((entry) => entry.kind).sort()).toEqual([...retentionKinds].sort());
    expect(base.retention.source).toMatch(/Information and Records Management Society/);
    for (const entry of base.retention.schedule) expect(entry.citation.length).toBeGreaterThan(10);
    const people = base.retention.schedule.find((entry) => entry.kind === 'people');
    expect(people).toMatchObject({ years: 25, trigger: 'date-of-birth', action: 'review' });
  });

  it('lets a council edit a figure', () => {
    const edited = parsePolicyPack('local', withEntry({ years: 30 }));
    expect(edited.retention.schedule[0]?.years).toBe(30);
  });

  it('refuses a period that is not a positive whole number of years', () => {
    expect(() => parsePolicyPack('local', withEntry({ years: 0 }))).toThrow(/retention\.schedule\.0\.years/);
    expect(() => parsePolicyPack('local', withEntry({ years: -6 }))).toThrow(/retention\.schedule\.0\.years/);
    expect(() => parsePolicyPack('local', withEntry({ years: 2.5 }))).toThrow(
      /retention\.schedule\.0\.years/,
    );
  });

  it('refuses an unknown kind of record, an unknown trigger, an unknown action, and an entry without a citation', () => {
    expect(() => parsePolicyPack('local', withEntry({ kind: 'emails' }))).toThrow(
      /retention\.schedule\.0\.kind/,
    );
    expect(() => parsePolicyPack('local', withEntry({ trigger: 'whenever' }))).toThrow(
      /retention\.schedule\.0\.trigger/,
    );
    expect(() => parsePolicyPack('local', withEntry({ action: 'archive' }))).toThrow(
      /retention\.schedule\.0\.action/,
    );
    expect(() => parsePolicyPack('local', withEntry({ citation: ' ' }))).toThrow(
      /retention\.schedule\.0\.citation/,
    );
  });

  it('refuses a kind of record listed twice, and an empty schedule', () => {
    const [first] = base.retention.schedule;
    expect(() =>
      parsePolicyPack(
        'local',
        withRetention({ ...base.retention, schedule: [...base.retention.schedule, first] }),
      ),
    ).toThrow(/each kind of record may be listed once/);
    expect(() => parsePolicyPack('local', withRetention({ ...base.retention, schedule: [] }))).toThrow(
      /retention\.schedule/,
    );
  });
});
