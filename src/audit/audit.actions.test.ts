import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actionName, isNamedAction } from './audit.actions.ts';

const sourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Every audit action written in src: `action: '...'` (either side of a condition too), and staff changes' actions. */
function actionsWritten(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(sourceRoot)) {
    const text = readFileSync(file, 'utf8');
    const expressions = [
      ...[...text.matchAll(/\baction:\s*([^,\n]+)/g)].map((match) => match[1] ?? ''),
      ...[...text.matchAll(/\bchange\([^)]*?('[a-z_]+\.[a-z_]+')/g)].map((match) => match[1] ?? ''),
    ];
    for (const expression of expressions)
      for (const literal of expression.matchAll(/'([a-z_]+\.[a-z_]+)'/g))
        found.set(literal[1] ?? '', path.relative(sourceRoot, file));
  }
  return found;
}

describe('audit action names', () => {
  it('names every action written in src in plain words', () => {
    const written = actionsWritten();
    expect(written.size).toBeGreaterThan(100);
    expect(written.get('consent.reviews_viewed')).toBeDefined();
    const unnamed = [...written]
      .filter(([action]) => !isNamedAction(action))
      .map(([action, file]) => `${action} (${file})`);
    expect(unnamed).toEqual([]);
  });

  it('reads as words, and an unknown code still reads as words rather than a code', () => {
    expect(actionName('consent.reviews_viewed')).toBe('Opened the list of consent reviews');
    expect(actionName('person.viewed')).toBe("Opened a person's record");
    expect(actionName('thing.was_done')).toBe('Thing: was done');
  });
});
