import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument } from './csv.ts';

describe('CSV cells', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hello"', '"say ""hello"""'],
    ['a,b\nc', '"a,b\nc"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+441793', '"\'+441793"'],
    ['-5', '"\'-5"'],
    ['@SUM(A1)', '"\'@SUM(A1)"'],
    ['\tcmd', '"\'\tcmd"'],
  ])('writes %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes empty values as empty cells and numbers as text', () => {
    expect(csvDocument([['a', null, 3, true]])).toBe('"a","","3","true"\r\n');
  });

  it('never lets a cell start a formula, and keeps every character of the value', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const cell = csvCell(value);
        const inner = cell.slice(1, -1).replaceAll('""', '"');
        expect(inner).not.toMatch(/^[=+\-@\t\r]/);
        expect(inner.endsWith(value)).toBe(true);
      }),
    );
  });
});
