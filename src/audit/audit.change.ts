/** One line of an event's change, as the audit pages show it. */
export interface ChangeLine {
  readonly key: string;
  readonly value: string;
}

/**
 * Names that mark a secret. Services never record secrets in a change (AuditEvent says so); should
 * one slip in, the pages still never show it.
 */
const secretName = /pass(word|phrase)|secret|token|otp|mfa.?key|api.?key|private.?key|sealed|credential/i;

const maxDepth = 4;

/** A change as readable lines: nested members flattened ("Address: town"), values in words, secrets hidden. */
export function describeChange(change: unknown): ChangeLine[] {
  const lines: ChangeLine[] = [];
  if (change === null || typeof change !== 'object' || Array.isArray(change))
    return [{ key: 'Change', value: describeValue(change) }];
  walk(change as Record<string, unknown>, [], lines, 0);
  return lines;
}

function walk(
  record: Readonly<Record<string, unknown>>,
  path: readonly string[],
  lines: ChangeLine[],
  depth: number,
): void {
  for (const key of Object.keys(record).sort()) {
    const value = record[key];
    const here = [...path, humanise(key)];
    if (secretName.test(key)) {
      lines.push({ key: here.join(': '), value: 'Not shown (secret)' });
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < maxDepth) {
      const before = lines.length;
      walk(value as Record<string, unknown>, here, lines, depth + 1);
      if (lines.length === before) lines.push({ key: here.join(': '), value: 'None' });
    } else {
      lines.push({ key: here.join(': '), value: describeValue(value) });
    }
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value))
    return value.length === 0 ? 'None' : value.map((item: unknown) => describeValue(item)).join(', ');
  // Deeper than the page flattens: show it compactly, as text (escaped by the template).
  return JSON.stringify(value);
}

/** `lawfulBasis`, `lawful_basis` -> "Lawful basis". */
function humanise(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  if (words === '') return key;
  const text = words
    .split(' ')
    .map((word) => initialisms.get(word) ?? word)
    .join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const initialisms = new Map([
  ['id', 'ID'],
  ['mfa', 'MFA'],
  ['nhs', 'NHS'],
  ['ico', 'ICO'],
  ['dpo', 'DPO'],
  ['url', 'URL'],
  ['ip', 'IP'],
]);
