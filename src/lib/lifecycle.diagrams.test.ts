import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { roleNames, type Role } from '../auth/index.ts';
import { consentLifecycle } from '../consent/consent.status.ts';
import { decisionLifecycle } from '../sharing/sharing.status.ts';
import type { Lifecycle } from './lifecycle.ts';

// This generator, unlike lib itself, knows the capabilities: every lifecycle Safeshare has is listed here.
const lifecycles: readonly {
  readonly lifecycle: Lifecycle<string, string, Role>;
  readonly source: string;
}[] = [
  { lifecycle: decisionLifecycle, source: 'src/sharing/sharing.status.ts' },
  { lifecycle: consentLifecycle, source: 'src/consent/consent.status.ts' },
];

const documentFile = path.resolve('docs', 'lifecycles.md');
const command = 'UPDATE_DIAGRAMS=1 npx vitest run src/lib/lifecycle.diagrams.test.ts';

function whoMay(roles: readonly Role[] | undefined): string {
  if (roles === undefined) return 'Anyone the page or API route admits';
  if (roles.length === 0) return 'No member of staff: Safeshare itself, on a schedule';
  return roles.map((role) => roleNames[role]).join(', ');
}

function section({ lifecycle, source }: (typeof lifecycles)[number]): string {
  const rows = lifecycle.eventNames.map((event) => {
    const rule = lifecycle.events[event];
    if (rule === undefined) throw new Error(`${lifecycle.name}: no rule for ${event}`);
    const { from, to, roles, note } = rule;
    return `| ${event} | ${from.join(', ')} | ${to} | ${whoMay(roles)} | ${note ?? ''} |`;
  });
  const finals = lifecycle.statuses.filter((status) => lifecycle.isFinal(status));
  return [
    `## ${lifecycle.name}`,
    '',
    `Defined in \`${source}\`. Statuses: ${lifecycle.statuses.join(', ')}. Final: ${finals.length === 0 ? 'none' : finals.join(', ')}.`,
    '',
    '```mermaid',
    lifecycle.mermaid().trimEnd(),
    '```',
    '',
    '| Event | From | To | Who may cause it | Also checked by the service |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function lifecyclesDocument(): string {
  return [
    '# Status lifecycles',
    '',
    'Generated from the lifecycle tables by `src/lib/lifecycle.diagrams.test.ts`: do not edit it by hand.',
    `After changing a lifecycle, run \`${command}\` and commit this file with the change.`,
    '"unchanged" keeps the status (the event changes dates or notes only).',
    '',
    ...lifecycles.map(section),
  ].join('\n');
}

describe('docs/lifecycles.md', () => {
  it('draws every lifecycle as its table says, and is up to date', async () => {
    const text = lifecyclesDocument();
    for (const { lifecycle } of lifecycles) expect(text).toContain(lifecycle.mermaid());
    if (process.env['UPDATE_DIAGRAMS'] === '1') {
      await writeFile(documentFile, text);
      return;
    }
    // Compared with the file as committed; when this fails, a lifecycle changed: run the command above and commit the file.
    expect(await readFile(documentFile, 'utf8'), `docs/lifecycles.md is out of date: run ${command}`).toBe(
      text,
    );
  });
});
