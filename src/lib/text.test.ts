import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { decodeUtf8, multiline, parseUrlEncoded, singleLine, textFault, textFaultMessage } from './text.ts';

// Any UTF-16 code unit, lone surrogates included, with controls, markup and line breaks made common.
const codeUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  fc.constantFrom(
    '\u0000',
    '\t',
    '\n',
    '\r',
    '\u000b',
    '\u001f',
    '\u007f',
    '\u0085',
    '\u009f',
    '<',
    '>',
    '\ud800',
    '\udfff',
    'é',
    '’',
    '😀',
    'a',
    ' ',
  ),
);
const anyText = fc.string({ unit: codeUnit, maxLength: 40 });

const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff;

function wellFormed(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      index += 1;
    } else if (isSurrogate(unit)) return false;
  }
  return true;
}

describe('the text rule', () => {
  it('accepts only well-formed text with no control characters or markup (a textarea keeps tabs and line breaks)', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const many = textFault(value, multiline) === undefined;
        const one = textFault(value, singleLine) === undefined;
        if (many) {
          expect(wellFormed(value)).toBe(true);
          // eslint-disable-next-line no-control-regex -- finding control characters is the point
          expect(value).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f<>]/);
        }
        if (one) {
          expect(many).toBe(true);
          expect(value).not.toMatch(/[\t\n\r]/);
        }
        // Whatever is refused is refused for a reason the rule names.
        if (!many) expect(textFault(value, multiline)).toMatch(/^(not-unicode|control|markup)$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('names each fault in GOV.UK style', () => {
    expect(textFault('Seen at home\u0000', multiline)).toBe('control');
    expect(textFault('Line one\r\nLine two\twith a tab', multiline)).toBeUndefined();
    expect(textFault('Line one\nLine two', singleLine)).toBe('line-break');
    expect(textFault('Half a pair \ud83d', multiline)).toBe('not-unicode');
    expect(textFault('Zoë O’Brien 😀', singleLine)).toBeUndefined();
    expect(textFault('<script>', multiline)).toBe('markup');
    expect(textFaultMessage('the reasons', 'control')).toBe(
      'The reasons must not contain control characters, such as a null character',
    );
    expect(textFaultMessage('address line 2', 'line-break')).toBe(
      'Address line 2 must be on one line, without line breaks or tabs',
    );
    expect(textFaultMessage('details', 'markup')).toBe('Details must not contain < or >');
  });
});

describe('accepted text in PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase();
  });

  it('round-trips unchanged through a text column', async () => {
    const accepted = fc.sample(
      anyText.filter((value) => textFault(value, multiline) === undefined),
      300,
    );
    accepted.push('Line one\r\nLine two\twith a tab', 'Zoë O’Brien 😀 ñ 中文', '');
    const result = await sql<{ value: string }>`select unnest(${accepted}::text[]) as value`.execute(
      database.db,
    );
    expect(result.rows.map((row) => row.value)).toEqual(accepted);
  });
});

describe('reading a form body strictly', () => {
  it('reads what URLSearchParams writes, for any well-formed text', () => {
    const wellFormedText = fc.string({ unit: 'binary', maxLength: 20 });
    fc.assert(
      fc.property(fc.array(fc.tuple(wellFormedText, wellFormedText), { maxLength: 6 }), (pairs) => {
        const body = new URLSearchParams(pairs).toString();
        const fields = parseUrlEncoded(Buffer.from(body, 'utf8'));
        // No prototype, so that a key like "__proto__" is a key like any other.
        const expected = Object.create(null) as Record<string, string | string[]>;
        for (const [key, value] of pairs) {
          const existing = expected[key];
          expected[key] = existing === undefined ? value : [existing, value].flat();
        }
        expect(Object.entries(fields ?? {})).toEqual(Object.entries(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses bytes that are not UTF-8, escaped or raw, and keeps a stray % as typed', () => {
    expect(parseUrlEncoded(Buffer.from('note=%FF'))).toBeUndefined();
    expect(parseUrlEncoded(Buffer.from('note=caf%C3'))).toBeUndefined();
    expect(parseUrlEncoded(Buffer.from('note=%ED%A0%80'))).toBeUndefined();
    expect(parseUrlEncoded(Buffer.from([0x6e, 0x3d, 0xe9]))).toBeUndefined();
    expect({ ...parseUrlEncoded(Buffer.from('note=100%&x=%zz&n=%00&__proto__=1')) }).toEqual({
      note: '100%',
      x: '%zz',
      n: '\u0000',
      ['__proto__']: '1',
    });
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('\ufeffa');
  });
});
