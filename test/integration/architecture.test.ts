import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of .dependency-cruiser.cjs (docs/architecture.md), run by `npm run lint`, proved
 * to fail: a small tree breaking one rule per file is cruised with the project's own configuration,
 * and each break must be reported under its rule's name.
 */

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

const brokenTree: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'nodenext', allowImportingTsExtensions: true, noEmit: true, strict: true },
  }),
  // A cycle through type-only imports.
  'src/lib/first.ts': "import type { Second } from './second.ts';\nexport type First = Second | 1;\n",
  'src/lib/second.ts': "import type { First } from './first.ts';\nexport type Second = First | 2;\n",
  // A lower capability reaching up to a higher one.
  'src/people/people.service.ts':
    "import type { Decision } from '../sharing/index.ts';\nexport type Seen = Decision;\n",
  'src/sharing/index.ts': 'export type Decision = { readonly id: string };\n',
  // Reaching past another capability's barrel into its inner files.
  'src/consent/consent.service.ts':
    "import type { Person } from '../people/people.model.ts';\nexport type Checked = Person;\n",
  'src/people/people.model.ts': 'export type Person = { readonly id: string };\n',
  // A folder the layers do not name.
  'src/reminders/reminders.service.ts':
    "import type { First } from '../lib/first.ts';\nexport type Reminder = First;\n",
  // Pure code importing a capability.
  'src/policy/policy.pack.ts':
    "import type { Person } from '../people/people.model.ts';\nexport type Pack = Person;\n",
  // The page framework using a capability.
  'src/web/forms.ts': "import type { Decision } from '../sharing/index.ts';\nexport type Form = Decision;\n",
  // A service importing a route module.
  'src/orgs/orgs.service.ts': "import type { Page } from './orgs.routes.ts';\nexport type Service = Page;\n",
  'src/orgs/orgs.routes.ts': 'export type Page = string;\n',
};

let tree: string;

beforeAll(async () => {
  tree = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-layers-'));
  for (const [file, text] of Object.entries(brokenTree)) {
    await fs.mkdir(path.dirname(path.join(tree, file)), { recursive: true });
    await fs.writeFile(path.join(tree, file), text);
  }
});

afterAll(async () => {
  await fs.rm(tree, { recursive: true, force: true });
});

async function violationsOf(folder: string): Promise<Violation[]> {
  const run = promisify(execFile);
  const config = path.join(root, '.dependency-cruiser.cjs');
  const args = [cli, 'src', '--config', config, '--output-type', 'json'];
  // depcruise exits non-zero when it finds violations; the report is on stdout either way.
  const { stdout } = await run(process.execPath, args, { cwd: folder, maxBuffer: 32 * 1024 * 1024 }).catch(
    (error: unknown) => error as { stdout: string },
  );
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

describe('the layer rules', () => {
  it('report a cycle, an upward import, a reach past a barrel, an unnamed folder, impure pure code, the framework using a capability, and a service importing a page', async () => {
    const found = (await violationsOf(tree)).map((violation) => `${violation.rule.name}: ${violation.from}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'no-circular: src/lib/first.ts',
        'layers-people: src/people/people.service.ts',
        'capabilities-through-their-barrel: src/consent/consent.service.ts',
        'known-folders: src/reminders/reminders.service.ts',
        'policy-is-pure: src/policy/policy.pack.ts',
        'framework-under-capabilities: src/web/forms.ts',
        'services-never-import-pages: src/orgs/orgs.service.ts',
      ]),
    );
  });

  it('find nothing in Safeshare itself', async () => {
    expect(await violationsOf(root)).toEqual([]);
  });
});
